#!/usr/bin/env bash
# make bench: builds and installs leadscore, generates the data in a throwaway
# cluster, and runs the benchmarks. Sizes: BENCH_ROWS (default 10000000),
# BENCH_SEED (42), BENCH_REPETITIONS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/ensure-deps.sh bench

step "building and installing the extension"
make -s >/dev/null
as_root make -s install >/dev/null

rows=${BENCH_ROWS:-10000000}
seed=${BENCH_SEED:-42}
repetitions=${BENCH_REPETITIONS:-5}

step "generating $rows leads (seed $seed) and running the benchmarks"
# The benchmark cluster gets memory enough to keep the data cached: the
# comparison is of CPU cost per type, not of the disk.
pg_virtualenv -v "$(pg_major)" -o shared_buffers=4GB -o max_wal_size=8GB \
    sh -c "psql -X -q -v rows=$rows -v seed=$seed -f bench/generate_leads.sql &&
           /usr/bin/python3 bench/stage_type.py --repetitions $repetitions"
