#!/usr/bin/env bash
# make bench: builds and installs leadscore, generates the data in a throwaway
# cluster, and runs the benchmarks. Sizes: BENCH_ROWS (stage type, default
# 10000000), BENCH_LEADS (triggers and scoring, default 1000000), BENCH_EVENTS
# (scoring, default 10000000), BENCH_SPANS (business time, default 1000000),
# BENCH_SEED (42), BENCH_REPETITIONS (5).
# BENCH_ONLY=stage_type, triggers, scoring, funnels, business_time or events_path
# runs one (events_path: BENCH_EVENT_LEADS leads, default 100000);
# BENCH_UNLOGGED=1 makes the trigger benchmark's CRM tables UNLOGGED.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/ensure-deps.sh bench

build_and_install

rows=${BENCH_ROWS:-10000000}
leads=${BENCH_LEADS:-1000000}
events=${BENCH_EVENTS:-10000000}
only=${BENCH_ONLY:-all}
seed=${BENCH_SEED:-42}
repetitions=${BENCH_REPETITIONS:-5}

stage_type="psql -X -q -v rows=$rows -v seed=$seed -f bench/generate_leads.sql &&
            /usr/bin/python3 bench/stage_type.py --repetitions $repetitions"
triggers="psql -X -q -v leads=$leads -v seed=$seed -v unlogged=${BENCH_UNLOGGED:-0} -f bench/generate_crm.sql &&
          /usr/bin/python3 bench/triggers.py --repetitions $repetitions"
scoring="psql -X -q -v leads=$leads -v events=$events -v seed=$seed -f bench/generate_events.sql &&
         /usr/bin/python3 bench/scoring.py --repetitions $repetitions"
funnels="psql -X -q -v leads=$leads -v events=$events -v seed=$seed -f bench/generate_events.sql &&
         /usr/bin/python3 bench/funnels.py --repetitions $repetitions"
business_time="psql -X -q -v spans=${BENCH_SPANS:-1000000} -v seed=$seed -f bench/generate_business_time.sql &&
         /usr/bin/python3 bench/business_time.py --repetitions $repetitions"
events_path="/usr/bin/python3 bench/events_path.py --leads ${BENCH_EVENT_LEADS:-100000} --repetitions $repetitions"
case "$only" in
    stage_type) jobs="$stage_type" ;;
    triggers) jobs="$triggers" ;;
    scoring) jobs="$scoring" ;;
    business_time) jobs="$business_time" ;;
    funnels) jobs="$funnels" ;;
    events_path) jobs="$events_path" ;;
    *) jobs="$stage_type && $triggers && $scoring && /usr/bin/python3 bench/funnels.py --repetitions $repetitions && $business_time && $events_path" ;;
esac

step "generating the data (seed $seed) and running the benchmarks"
# The benchmark cluster gets memory enough to keep the data cached: the
# comparison is of CPU cost, not of the disk.
pg_virtualenv -t -v "$(pg_major)" -o shared_buffers=4GB -o max_wal_size=8GB -o checkpoint_timeout=30min \
    sh -c "$jobs"
