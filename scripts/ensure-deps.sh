#!/usr/bin/env bash
# Installs the Debian packages a job needs, when they are missing.
#   scripts/ensure-deps.sh test|demo|bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

job=${1:-test}
major=$(pg_major)

packages=(make g++ cmake pkg-config
          "postgresql-$major" "postgresql-server-dev-$major" postgresql-contrib
          nlohmann-json3-dev)
case "$job" in
    test) packages+=(libgtest-dev "postgresql-$major-cron" python3) ;;
    demo) packages+=("postgresql-$major-cron") ;;
    bench) packages+=(python3 python3-psycopg2) ;;
    *) echo "usage: $0 test|demo|bench" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

step "installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
