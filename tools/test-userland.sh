#!/usr/bin/env bash
# `make test-userland`: bootstraps a Debian riscv64 userland with mmdebstrap (--variant=minbase)
# with Trapeze as the only riscv64 handler registered with binfmt_misc, then checks that bash,
# dpkg, apt-get and perl run in it under chroot (without /proc). Needs root, binfmt_misc,
# mmdebstrap and arch-test, and the network (or a filled cache).
#
#   tools/test-userland.sh                  under Trapeze (.build/release/trapeze, or $TRAPEZE)
#   HANDLER=qemu tools/test-userland.sh     the same under qemu-user-static, registered as Debian
#                                           registers it, flags POF (for the time comparison);
#                                           QEMU names the static qemu-riscv64 (default
#                                           /usr/bin/qemu-riscv64-static; qemu-user-static conflicts
#                                           with qemu-user-binfmt, so it may be unpacked elsewhere:
#                                           dpkg-deb -x qemu-user-static_*.deb DIR)
#   JIT_CACHE=DIR tools/test-userland.sh    Trapeze with a persistent translation cache: DIR (on the
#                                           host) is copied into the chroot before the bootstrap and
#                                           back after it, so a second run starts warm
#
# SUITE (trixie: riscv64 is an official architecture from Debian 13 on), MIRROR, CACHE (the
# downloaded .debs, kept between runs so both handlers are timed without the download), KEEP=1
# keeps the chroot, STARTS_LOG=FILE keeps the list of program starts. Other riscv64 handlers
# are disabled while it runs and enabled again after.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=${SUITE:-trixie}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
HANDLER=${HANDLER:-trapeze}
CACHE=${CACHE:-/var/cache/trapeze-userland}
BM=/proc/sys/fs/binfmt_misc
NAME=userland-$HANDLER-$$

[ "$(id -u)" = 0 ] || { echo "test-userland: needs root (binfmt_misc, chroot)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "test-userland: needs mmdebstrap and arch-test (apt-get install mmdebstrap arch-test)" >&2; exit 1; }
[ -e $BM/register ] || mount -t binfmt_misc binfmt_misc $BM

DIR=$(mktemp -d /tmp/trapeze-userland.XXXXXX)
disabled=()
qemu_link=""
cleanup() {
    [ -e "$BM/$NAME" ] && echo -1 > "$BM/$NAME"
    [ -n "$qemu_link" ] && rm -f "$qemu_link"
    for n in "${disabled[@]}"; do [ -e "$BM/$n" ] && echo 1 > "$BM/$n"; done
    if [ "${KEEP:-0}" = 1 ]; then echo "chroot kept in $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

# The handler under test is the only enabled riscv64 entry.
for f in "$BM"/*; do
    n=$(basename "$f")
    [ "$n" = register ] || [ "$n" = status ] && continue
    if head -1 "$f" | grep -qx enabled && grep -q '^magic 7f454c46020101000000000000000000020.f300' "$f"; then
        echo 0 > "$f"
        disabled+=("$n")
        echo "disabled $n for the run"
    fi
done
case $HANDLER in
    trapeze)
        BIN=$(realpath "${TRAPEZE:-.build/release/trapeze}")
        "$BIN" binfmt install --name "$NAME" --preserve-argv0 ;;
    qemu)
        QEMU=$(realpath "${QEMU:-/usr/bin/qemu-riscv64-static}")
        [ -x "$QEMU" ] || { echo "test-userland: no static qemu-riscv64 at $QEMU (set QEMU)" >&2; exit 1; }
        magic='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00'
        mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
        echo ":$NAME:M::$magic:$mask:$QEMU:POF" > $BM/register
        # mmdebstrap looks for qemu at its Debian path once it sees a qemu entry.
        if [ ! -e /usr/bin/qemu-riscv64-static ]; then
            ln -s "$QEMU" /usr/bin/qemu-riscv64-static
            qemu_link=/usr/bin/qemu-riscv64-static
        fi
        echo "registered $NAME: $(sed -n 2p $BM/$NAME), $(sed -n 3p $BM/$NAME)" ;;
    *) echo "HANDLER is trapeze or qemu" >&2; exit 1 ;;
esac

mkdir -p "$CACHE"
jit=()
if [ -n "${JIT_CACHE:-}" ]; then
    [ "$HANDLER" = trapeze ] || { echo "test-userland: JIT_CACHE is Trapeze's" >&2; exit 1; }
    mkdir -p "$JIT_CACHE" && chmod 700 "$JIT_CACHE"
    echo "JIT cache $JIT_CACHE: $(find "$JIT_CACHE" -name '*.tjc' | wc -l) files before the run"
    jit=(--setup-hook="sync-in $JIT_CACHE /var/cache/trapeze-jit"
         --setup-hook='echo "--jit-cache-dir /var/cache/trapeze-jit" >> "$1"/etc/trapeze/binfmt.conf'
         --customize-hook="sync-out /var/cache/trapeze-jit $JIT_CACHE")
fi
# Every start of a riscv64 program in the chroot is logged (Trapeze's --log, from the chroot's
# /etc/trapeze/binfmt.conf); the config is removed again before the end.
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s%N)
# CPU time of the bootstrap and everything it ran (user + system, reaped descendants included):
# steadier than wall time on a loaded machine.
/usr/bin/time -f "%U %S" -o "$DIR.cpu" mmdebstrap --arch=riscv64 --variant=minbase --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/ "$1"/etc/trapeze' \
    --setup-hook="sync-in $CACHE /var/cache/apt/archives/" \
    --setup-hook='mkdir -p "$1"/var/cache/trapeze-jit && chmod 700 "$1"/var/cache/trapeze-jit' \
    --setup-hook='echo "--log /var/log/trapeze-starts" > "$1"/etc/trapeze/binfmt.conf' \
    "${jit[@]}" \
    --customize-hook="sync-out /var/cache/apt/archives $CACHE" \
    --customize-hook='rm -rf "$1"/etc/trapeze "$1"/var/cache/trapeze-jit' \
    "$SUITE" "$DIR" "$MIRROR"
end=$(date +%s%N)
seconds=$(awk "BEGIN { printf \"%.1f\", ($end - $start) / 1e9 }")
cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$DIR.cpu"); rm -f "$DIR.cpu"
starts=""
[ "$HANDLER" = trapeze ] && [ -f "$DIR"/var/log/trapeze-starts ] && starts=" ($(grep -vc ' exit (parent ' "$DIR"/var/log/trapeze-starts) riscv64 program starts logged)"
[ -n "${STARTS_LOG:-}" ] && [ -f "$DIR"/var/log/trapeze-starts ] && cp "$DIR"/var/log/trapeze-starts "$STARTS_LOG"
echo "test-userland: $HANDLER${JIT_CACHE:+ (JIT cache)}: load before: $load0; mmdebstrap $SUITE minbase took ${seconds} s, ${cpu} s CPU$starts"

# The userland, used as a riscv64 machine's would be (no /proc mounted in the chroot).
cp /etc/resolv.conf "$DIR"/etc/resolv.conf
check() { echo "+ chroot $*"; chroot "$DIR" "$@"; }
check /bin/bash -c 'echo "bash $BASH_VERSION on $(uname -m)"; ls / | wc -l'
check /usr/bin/dpkg -l | tail -n 3
[ "$(chroot "$DIR" dpkg-query -W -f '${db:Status-Abbrev}\n' | grep -vc '^ii')" = 0 ] || { echo "test-userland: packages not fully installed" >&2; exit 1; }
check /usr/bin/perl -e 'printf "perl %vd, %d packages\n", $^V, scalar(() = glob("/var/lib/dpkg/info/*.list"))'
check /usr/bin/apt-get update
check /usr/bin/apt-get install --yes --no-install-recommends hello
check /usr/bin/hello
if chroot "$DIR" test -x /usr/bin/python3; then check /usr/bin/python3 -c 'import sys; print(sys.version)'; fi
echo "test-userland: ok ($HANDLER, ${seconds} s)"
