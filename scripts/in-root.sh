#!/usr/bin/env bash
# Runs a command inside a Debian root made by scripts/debian-root.sh, with
# /proc, /sys and /dev mounted, and unmounts them however the command ends.
#   scripts/in-root.sh DIR COMMAND [ARG ...]
# Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dir=$(cd "$1" && pwd)
shift
[ -e "$dir/.leadscore-root" ] || { echo "error: $dir is not a root made by debian-root.sh" >&2; exit 1; }

unmount() {
    for mount in dev sys proc; do
        if mountpoint -q "$dir/$mount"; then
            as_root umount -R "$dir/$mount" || as_root umount -R -l "$dir/$mount"
        fi
    done
}
trap unmount EXIT
as_root mount -t proc proc "$dir/proc"
# rslave: an unmount inside the root never reaches the host's own mounts.
as_root mount --rbind /sys "$dir/sys"
as_root mount --make-rslave "$dir/sys"
as_root mount --rbind /dev "$dir/dev"
as_root mount --make-rslave "$dir/dev"
as_root cp /etc/resolv.conf "$dir/etc/resolv.conf"
as_root env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb \
    chroot "$dir" "$@"
