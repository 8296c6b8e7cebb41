# Shared helpers for the scripts in this folder; source it, do not run it.

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: '$*' needs root, and sudo is not installed" >&2
        return 1
    fi
}

# The PostgreSQL major version the build targets: the one pg_config reports,
# or, before PostgreSQL is installed, the one this Debian release ships (the
# major its "postgresql" package depends on: 15 on Debian 12, 17 on 13).
pg_major() {
    if command -v pg_config >/dev/null 2>&1; then
        pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'
        return
    fi
    local major
    major=$(debian_pg_major)
    if [ -z "$major" ]; then
        # A fresh machine may have no package lists yet.
        as_root apt-get update -qq >&2
        major=$(debian_pg_major)
    fi
    if [ -z "$major" ]; then
        echo "error: no PostgreSQL found: neither pg_config nor Debian's postgresql package" >&2
        return 1
    fi
    echo "$major"
}

debian_pg_major() {
    apt-cache depends postgresql 2>/dev/null |
        sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | head -1
}

step() { printf '\n==> %s\n' "$*"; }

# Builds the extension with PGXS and installs it into the server's directories
# (as root: they belong to root). Extra make arguments go to the build.
build_and_install() {
    step "building and installing the extension"
    make -s "$@" >/dev/null || return 1
    as_root make -s install >/dev/null
}

# debootstrap, installed when missing. test-all calls it before making its
# roots in parallel: apt takes one lock, and parallel installs fail on it.
need_debootstrap() {
    command -v debootstrap >/dev/null 2>&1 && return 0
    step "installing debootstrap"
    as_root apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
}
