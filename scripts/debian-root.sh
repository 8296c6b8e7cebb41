#!/usr/bin/env bash
# A minimal Debian root (debootstrap, variant minbase) for one release, made
# once and kept: later calls only refresh its package lists.
#   scripts/debian-root.sh SUITE DIR      (SUITE: bookworm, trixie, sid)
# Needs root. The roots are what scripts/test-all.sh copies for each run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

suite=$1
dir=$2
mirror=${LEADSCORE_MIRROR:-http://deb.debian.org/debian}

if [ ! -e "$dir/.leadscore-root" ]; then
    need_debootstrap
    step "making a Debian $suite root in $dir (debootstrap)"
    as_root rm -rf "$dir.partial"
    as_root mkdir -p "$(dirname "$dir")"
    as_root debootstrap --variant=minbase --include=ca-certificates "$suite" "$dir.partial" "$mirror" \
        >"$dir.log" 2>&1 || { tail -20 "$dir.log"; exit 1; }
    as_root touch "$dir.partial/.leadscore-root"
    as_root mv "$dir.partial" "$dir"
fi
# No recommends, as on a server. A mirror that is a snapshot serves
# unstable's Release file past its Valid-Until date (a week); these roots
# are throwaway test systems, so apt is told to accept it.
printf '%s\n' 'APT::Install-Recommends "false";' 'Acquire::Check-Valid-Until "false";' |
    as_root tee "$dir/etc/apt/apt.conf.d/90leadscore" >/dev/null
