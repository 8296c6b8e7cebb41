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

# The PostgreSQL major version the build targets (the one pg_config reports,
# or 15, what Debian 12 ships, when there is no pg_config yet).
pg_major() {
    if command -v pg_config >/dev/null 2>&1; then
        pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'
    else
        echo 15
    fi
}

step() { printf '\n==> %s\n' "$*"; }

# Builds the extension with PGXS and installs it into the server's directories
# (as root: they belong to root). Extra make arguments go to the build.
build_and_install() {
    step "building and installing the extension"
    make -s "$@" >/dev/null || return 1
    as_root make -s install >/dev/null
}
