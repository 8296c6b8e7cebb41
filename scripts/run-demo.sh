#!/usr/bin/env bash
# make demo: builds and installs leadscore, starts a throwaway PostgreSQL
# cluster, works through a small sample CRM (demo/demo.sql), and removes the
# cluster again.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/ensure-deps.sh demo

build_and_install

step "working through the sample CRM in a throwaway cluster"
pg_virtualenv -t -v "$(pg_major)" psql -X -q -v ON_ERROR_STOP=1 -f demo/demo.sql
