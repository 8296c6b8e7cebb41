#!/usr/bin/env bash
# make test-all: the README's two commands (make test, then make demo) on
# every supported PostgreSQL major, each in a root of the Debian release that
# ships it (debootstrap; chroot), and the Debian package built there,
# installed into a clean root and checked with installcheck. Needs root and
# the Debian mirror, nothing else.
#   scripts/test-all.sh [MAJOR ...]          (default: 15 17 18)
# Roots are kept in $LEADSCORE_ROOTS (default /var/cache/leadscore/roots) and
# reused; each run works in fresh copies of them. Logs: build/test-all/.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(15 17 18)
roots=${LEADSCORE_ROOTS:-/var/cache/leadscore/roots}
logs=$PWD/build/test-all
mkdir -p "$logs"

# The Debian release that ships each supported major.
suite_of() {
    case $1 in
        15) echo bookworm ;;
        17) echo trixie ;;
        18) echo sid ;;
        *) echo "error: PostgreSQL $1 is not a supported major (15, 17, 18)" >&2; return 1 ;;
    esac
}

# Deleting a root with /dev still bound inside would delete the host's /dev.
remove_root() {
    if grep -q " $1/" /proc/mounts; then
        echo "error: $1 still has mounts; not removing it" >&2
        return 1
    fi
    as_root rm -rf "$1"
}

# A fresh copy of the release's base root with this checkout's files (what
# git tracks and what it would track: uncommitted work included) in /src.
fresh_root() {
    local suite=$1 dest=$2
    remove_root "$dest" || return 1
    as_root cp -a "$roots/$suite" "$dest" || return 1
    as_root mkdir "$dest/src"
    git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null | as_root tar -xf - -C "$dest/src"
}

# "summary: P passed, F failed" (make test) or pg_regress's per-test lines.
summary_of() { sed -nE 's/^summary: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$1" | tail -1; }
regress_counts() {
    echo "$(grep -cE '(\.\.\. ok|^ok [0-9]+ )' "$1") $(grep -cE '(\.\.\. FAILED|^not ok [0-9]+ )' "$1")"
}
minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

total_passed=0
total_failed=0
report=()
count() { total_passed=$((total_passed + $1)); total_failed=$((total_failed + $2)); }

# The base roots first, all at once: they wait on the network, not the CPU.
need_debootstrap || { echo "summary: 0 passed, 1 failed (debootstrap could not be installed)"; exit 1; }
pids=()
for major in "${majors[@]}"; do
    suite=$(suite_of "$major") || exit 2
    scripts/debian-root.sh "$suite" "$roots/$suite" >"$logs/root-$suite.log" 2>&1 &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || { cat "$logs"/root-*.log; echo "summary: 0 passed, 1 failed (a Debian root could not be made)"; exit 1; }
done

for major in "${majors[@]}"; do
    suite=$(suite_of "$major")
    build_root=$roots/$suite-build
    clean_root=$roots/$suite-clean
    line="PostgreSQL $major ($suite):"

    step "PostgreSQL $major: make test in a Debian $suite root"
    start=$SECONDS
    fresh_root "$suite" "$build_root" || exit 1
    # The README's test command, on a minimal system as the README says.
    scripts/in-root.sh "$build_root" sh -c \
        'apt-get update -qq && apt-get install -y -qq make >/dev/null && cd /src && make test' \
        >"$logs/$major-test.log" 2>&1
    read -r passed failed < <(summary_of "$logs/$major-test.log")
    passed=${passed:-0}
    failed=${failed:-1}
    count "$passed" "$failed"
    tail -3 "$logs/$major-test.log"
    line+=" make test $passed passed, $failed failed ($(minutes $((SECONDS - start))));"

    step "PostgreSQL $major: make demo in the same root"
    start=$SECONDS
    if scripts/in-root.sh "$build_root" sh -c 'cd /src && make demo' >"$logs/$major-demo.log" 2>&1; then
        count 1 0
        line+=" make demo ok ($(minutes $((SECONDS - start))));"
    else
        tail -20 "$logs/$major-demo.log"
        count 0 1
        line+=" make demo FAILED;"
    fi

    step "PostgreSQL $major: the Debian package"
    start=$SECONDS
    deb=
    if scripts/in-root.sh "$build_root" sh -c 'cd /src && scripts/build-package.sh' >"$logs/$major-package.log" 2>&1; then
        mkdir -p build/packages
        deb=$(ls "$build_root"/src/build/packages/postgresql-"$major"-leadscore_*.deb 2>/dev/null | head -1)
    fi
    if [ -z "$deb" ]; then
        tail -30 "$logs/$major-package.log"
        count 0 1
        line+=" the package did not build"
        report+=("$line")
        continue
    fi
    cp "$deb" build/packages/
    line+=" built $(basename "$deb") ($(minutes $((SECONDS - start))));"

    step "PostgreSQL $major: $(basename "$deb") installed into a clean $suite root, installcheck"
    start=$SECONDS
    fresh_root "$suite" "$clean_root" || exit 1
    as_root cp "$deb" "$clean_root/tmp/"
    scripts/in-root.sh "$clean_root" sh -c "cd /src && scripts/package-test.sh /tmp/$(basename "$deb")" \
        >"$logs/$major-installcheck.log" 2>&1
    installcheck_status=$?
    read -r passed failed < <(regress_counts "$logs/$major-installcheck.log")
    if [ "$installcheck_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
        tail -30 "$logs/$major-installcheck.log"
    fi
    count "$passed" "$failed"
    line+=" installcheck $passed passed, $failed failed ($(minutes $((SECONDS - start))))"
    report+=("$line")
    # Kept when something failed, for a look inside.
    if [ "$failed" -eq 0 ]; then
        remove_root "$build_root"
        remove_root "$clean_root"
    fi
done

echo
printf '%s\n' "${report[@]}"
echo "summary: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
