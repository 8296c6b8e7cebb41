#!/usr/bin/env bash
# make test: unit tests, then the extension built, installed and checked with
# pg_regress and isolation tests in a throwaway cluster (pg_virtualenv).
# Runs every suite, prints one summary line, exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/ensure-deps.sh test || exit 1
mkdir -p build
status=0

scripts/run-unit-tests.sh 2>&1 | tee build/unit.log || status=1
# ctest ends with "N% tests passed, F tests failed out of T".
unit_total=$(sed -nE 's/.* tests failed out of ([0-9]+).*/\1/p' build/unit.log | tail -1)
unit_failed=$(sed -nE 's/.*passed, ([0-9]+) tests failed out of.*/\1/p' build/unit.log | tail -1)

# The release metadata (META.json, debian/) agree with the control file.
python3 scripts/check-metadata.py | tee build/metadata.log || status=1
meta_passed=$(sed -nE 's/^metadata: ([0-9]+) passed, ([0-9]+) failed$/\1/p' build/metadata.log)
meta_failed=$(sed -nE 's/^metadata: ([0-9]+) passed, ([0-9]+) failed$/\2/p' build/metadata.log)

if ! build_and_install WERROR=1; then
    echo "summary: 0 passed, 1 failed (the extension did not build or install)"
    exit 1
fi

step "pg_regress and isolation tests in a throwaway cluster"
rm -rf results output_iso regression.diffs regression.out
# pg_cron runs in the regression database (sql/sla_cron.sql schedules the
# SLA sweep with it), its jobs in background workers (the throwaway cluster's
# TCP connections need a password pg_cron does not have).
pg_virtualenv -t -v "$(pg_major)" -o shared_preload_libraries=pg_cron \
    -o cron.database_name=contrib_regression -o cron.use_background_workers=on sh -c 'make -s regresscheck; r=$?; make -s isolationcheck || r=1; exit $r' \
    2>&1 | tee build/installcheck.log || status=1
for diffs in regression.diffs output_iso/regression.diffs; do
    if [ -s "$diffs" ]; then
        printf '\n---- %s ----\n' "$diffs"
        cat "$diffs"
    fi
done
# pg_regress prints "test NAME ... ok" (15) or "ok N - NAME" (16+) per test.
sql_passed=$(grep -cE '(\.\.\. ok|^ok [0-9]+ )' build/installcheck.log)
sql_failed=$(grep -cE '(\.\.\. FAILED|^not ok [0-9]+ )' build/installcheck.log)

passed=$(( ${unit_total:-0} - ${unit_failed:-0} + ${meta_passed:-0} + sql_passed ))
failed=$(( ${unit_failed:-0} + ${meta_failed:-0} + sql_failed ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1  # a suite failed without a per-test verdict (build or setup)
fi
echo
echo "summary: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
