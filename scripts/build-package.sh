#!/usr/bin/env bash
# Builds the Debian package postgresql-<major>-leadscore for every PostgreSQL
# major this machine's Debian supports (pg_buildext), from the files git
# tracks, and puts the .deb files in build/packages/.
#   scripts/build-package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

packages=(build-essential debhelper dpkg-dev postgresql-server-dev-all nlohmann-json3-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# dpkg-buildpackage writes its results next to the source tree: build a copy
# of the tracked files (a clean tree, as a source package would be) in a
# scratch folder.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/leadscore"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z | xargs -0 cp --parents -t "$scratch/leadscore"
else
    # A copy of a checkout without its .git (scripts/test-all.sh makes one).
    tar --exclude=./build --exclude=./results --exclude=./output_iso -cf - . |
        tar -xf - -C "$scratch/leadscore"
fi

step "building the Debian package"
mkdir -p build
(
    cd "$scratch/leadscore"
    # debian/control lists one binary package per major this Debian supports.
    pg_buildext updatecontrol
    # The suite runs against the installed package (scripts/package-test.sh),
    # not at build time.
    DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b
) >build/package-build.log 2>&1 || { tail -50 build/package-build.log; exit 1; }
mkdir -p build/packages
mv "$scratch"/*.deb build/packages/
ls build/packages/
