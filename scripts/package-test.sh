#!/usr/bin/env bash
# The Debian package checked as a DBA gets it: installed with apt into a clean
# Debian root (nothing built or installed from source there), then
# CREATE EXTENSION and the regression and isolation suites against the
# installed files (debian/tests/installcheck, as autopkgtest runs it).
#   scripts/package-test.sh PACKAGE.deb     (inside the root, from the source tree)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

deb=$(readlink -f "$1")
major=$(basename "$deb" | sed -nE 's/^postgresql-([0-9]+)-leadscore_.*\.deb$/\1/p')
[ -n "$major" ] || { echo "error: $deb is not a postgresql-<major>-leadscore package" >&2; exit 1; }

step "installing $(basename "$deb") with apt"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# debian/tests/control's Depends, and pg_cron for the major (sql/sla_cron.sql).
as_root apt-get install -y -qq "$deb" make postgresql-server-dev-all "postgresql-$major-cron" >/dev/null
library=/usr/lib/postgresql/$major/lib/leadscore.so
dpkg -S "$library" | grep -q "^postgresql-$major-leadscore:" ||
    { echo "error: $library does not come from the package" >&2; exit 1; }

step "CREATE EXTENSION leadscore and the suites against the package (PostgreSQL $major)"
debian/tests/installcheck
