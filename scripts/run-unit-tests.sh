#!/usr/bin/env bash
# Builds the core and its GoogleTest unit tests with CMake and runs them (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

step "unit tests (CMake + GoogleTest)"
cmake -S . -B build -DLEADSCORE_WERROR=ON >build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j "$(nproc)" >>build.log 2>&1 || { cat build.log; exit 1; }
rm -f build.log
(cd build && ctest --output-on-failure)
