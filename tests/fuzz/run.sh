#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets in tests/fuzz/ with clang and
# AddressSanitizer/UndefinedBehaviorSanitizer and runs each for
# FUZZ_SECONDS (default 60). Not part of make test (it is open-ended by
# nature); crashes are written to build/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
seconds=${FUZZ_SECONDS:-60}
out=build/fuzz
mkdir -p "$out"
for package in clang-14 libclang-rt-14-dev nlohmann-json3-dev; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
        as_root apt-get install -y -qq --no-install-recommends "$package"
done
core_sources=$(ls src/core/*/*.cpp)
for target in tests/fuzz/*_fuzzer.cpp; do
    name=$(basename "$target" .cpp)
    step "fuzzing $name for ${seconds}s"
    clang++-14 -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -Isrc "$target" $core_sources -o "$out/$name"
    mkdir -p "$out/$name.corpus"
    dict=""
    [ -f "tests/fuzz/$name.dict" ] && dict="-dict=$PWD/tests/fuzz/$name.dict"
    (cd "$out" && "./$name" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 $dict \
        "$name.corpus" 2>&1 | tail -4)
done
