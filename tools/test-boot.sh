#!/usr/bin/env bash
# `make test-boot` (opt-in, not part of `make test`): boots Debian's own riscv64 Linux kernel
# under `trapeze system` through Debian's OpenSBI, with an initramfs around the project's /init
# (Fixtures/system/linux/init.c, a static C program: no shell, no busybox), runs commands through
# the piped console and checks what they print.
#
#   tools/test-boot.sh [--engine interp|jit] [--qemu]
#
#   --qemu    also boot the same firmware, kernel and initramfs under qemu-system-riscv64 -M virt
#             and print both boot-to-poweroff times
#
# The kernel comes from Debian trixie (riscv64 is a release architecture there; bookworm has no
# riscv64 kernel in main): `apt-get update` and `apt-get download` run with a temporary apt
# configuration under the cache folder (the host's sources and dpkg architectures stay as they
# are), then `dpkg-deb -x`. The cache is $TRAPEZE_BOOT_CACHE, by default .cache/boot (git
# ignores it); delete it to fetch again. Nothing from it is committed.
set -euo pipefail

cd "$(dirname "$0")/.."
CACHE=${TRAPEZE_BOOT_CACHE:-$PWD/.cache/boot}
SUITE=${DEBIAN_SUITE:-trixie}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
TRAPEZE=${TRAPEZE:-.build/release/trapeze}
FIRMWARE=${FIRMWARE:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
CC=${CC:-riscv64-linux-gnu-gcc}
engine=interp qemu=0
while [ $# -gt 0 ]; do
    case $1 in
        --engine) engine=$2; shift 2 ;;
        --qemu) qemu=1; shift ;;
        *) echo "usage: $0 [--engine interp|jit] [--qemu]"; exit 64 ;;
    esac
done

[ -x "$TRAPEZE" ] || { echo "$TRAPEZE not built (swift build -c release)"; exit 1; }
[ -r "$FIRMWARE" ] || { echo "$FIRMWARE missing (apt-get install opensbi)"; exit 1; }
command -v "$CC" >/dev/null || { echo "$CC not found (apt-get install gcc-riscv64-linux-gnu)"; exit 1; }
mkdir -p "$CACHE"

# --- The kernel package -----------------------------------------------------------------------
root="$CACHE/root"
if ! ls "$root"/boot/vmlinux-* >/dev/null 2>&1; then
    apt="$CACHE/apt"
    mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/debs"
    echo "deb $MIRROR $SUITE main" >"$apt/sources.list"
    opts=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
          -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o Dir::Cache::archives="$apt/archives"
          -o APT::Architecture=riscv64 -o APT::Architectures::=riscv64 -o Debug::NoLocking=1
          -o APT::Sandbox::User=root)
    echo "fetching the linux-image-riscv64 package index from $MIRROR $SUITE"
    apt-get "${opts[@]}" -qq update
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download linux-image-riscv64)
    meta=$(ls "$apt"/debs/linux-image-riscv64_*.deb)
    image=$(dpkg-deb -f "$meta" Depends | tr ',|' '\n\n' | grep -o 'linux-image-[^ ]*' | head -n 1)
    echo "downloading $image"
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "$image")
    rm -rf "$root.tmp" && mkdir -p "$root.tmp"
    dpkg-deb -x "$apt"/debs/"$image"_*.deb "$root.tmp"
    rm -rf "$root" && mv "$root.tmp" "$root"
    rm -f "$apt"/debs/*.deb
fi
kernel=$(ls "$root"/boot/vmlinux-* | head -n 1)
modules=$(ls -d "$root"/usr/lib/modules/* "$root"/lib/modules/* 2>/dev/null | head -n 1 || true)
echo "kernel: $kernel"

# --- The initramfs and a disk -----------------------------------------------------------------
"$CC" -static -O2 -Wall -o "$CACHE/init" Fixtures/system/linux/init.c
mods=()
for m in drivers/virtio/virtio_mmio drivers/block/virtio_blk drivers/char/hw_random/virtio-rng; do
    f=$(ls "$modules/kernel/$m".ko* 2>/dev/null | head -n 1 || true)
    [ -n "$f" ] && mods+=("$f")
done
tools/make-initramfs.py "$CACHE/initrd" "$CACHE/init" "${mods[@]}"
disk="$CACHE/disk.img"
{ printf 'trapeze test disk, sector 0\n'; head -c $((4 << 20)) /dev/zero; } | head -c $((4 << 20)) >"$disk"

# --- Boot -------------------------------------------------------------------------------------
# The console drops what arrives before the kernel's UART driver is up (OpenSBI and the 8250
# probe drain the FIFO), so the commands follow a run of empty lines, which init skips.
input=$(printf '\n%.0s' {1..64}; printf 'uname\ndate\ncpuinfo\ndevices\nrng\nreadblk\nwriteblk\nloop 10000000\necho done\npoweroff\n')
log="$CACHE/trapeze.log"
args=(system --engine "$engine" --memory 512M --bios "$FIRMWARE" --kernel "$kernel" --initrd "$CACHE/initrd"
      --append "console=ttyS0 panic=-1" --timeout "$RUN_TIMEOUT" --stats --no-reboot)
if "$TRAPEZE" system --help | grep -q -- --drive; then args+=(--drive "$disk" --rng); fi
echo "booting: $TRAPEZE ${args[*]}"
start=$(date +%s.%N)
status=0
printf '%s\n' "$input" | "$TRAPEZE" "${args[@]}" >"$log" 2>&1 || status=$?
end=$(date +%s.%N)
seconds=$(echo "$end - $start" | bc)
tail -n 40 "$log"

failures=0
check() {  # check TEXT: the console must show TEXT
    if grep -qF -- "$1" "$log"; then echo "  ok: $1"; else echo "  MISSING: $1"; failures=$((failures + 1)); fi
}
check "OpenSBI v"
check "Linux version"
check "init: trapeze init, pid 1, Linux"
check "riscv64"
check "mmu		: sv"
check "init: ready"
check "init: loop 10000000: e591aa22a1553a81"
check "init: done"
check "reboot: Power down"
if grep -q -- "--drive" <<<"${args[*]}"; then
    check "init: block device vda, 8192 sectors"
    check 'init: read sector 0: 512 bytes: "trapeze test disk, sector 0"'
    check "init: wrote sector 1: 512 bytes"
    check "init: hwrng gave 16 bytes, not all equal"
    if [ "$(dd if="$disk" bs=512 skip=1 count=1 2>/dev/null | head -c 37)" = "written by trapeze's init at sector 1" ]; then
        echo "  ok: the disk file holds what the guest wrote"
    else
        echo "  WRONG: sector 1 of $disk"; failures=$((failures + 1))
    fi
fi
# The guest's clock is the host's (within a few seconds of when the guest read it).
guest=$(grep -o 'init: date [^(]*(\([0-9]*\))' "$log" | grep -o '([0-9]*)' | tr -d '()' | tail -n 1)
if [ -n "$guest" ] && [ $((guest > ${end%.*} + 2 || guest < ${start%.*} - 2)) = 0 ]; then
    echo "  ok: the guest's date is the host's"
else
    echo "  WRONG: guest date '$guest' is outside [${start%.*}, ${end%.*}]"; failures=$((failures + 1))
fi
[ "$status" = 0 ] || { echo "  exit status $status, want 0"; failures=$((failures + 1)); }
echo "trapeze ($engine): boot to poweroff in $seconds s"

# A kernel panic (init exits) with panic=-1 resets at once; --no-reboot ends the run, status 1,
# with the panic on the console.
plog="$CACHE/panic.log"
pstatus=0
{ printf '\n%.0s' {1..64}; printf 'panic\n'; } | "$TRAPEZE" system --memory 512M --bios "$FIRMWARE" --kernel "$kernel" \
    --initrd "$CACHE/initrd" --append "console=ttyS0 panic=-1" --timeout "$RUN_TIMEOUT" --no-reboot >"$plog" 2>&1 || pstatus=$?
if grep -q "Kernel panic - not syncing" "$plog" && [ "$pstatus" = 1 ]; then
    echo "  ok: a kernel panic ends the run with status 1 and the panic on the console"
else
    echo "  WRONG: panic run: status $pstatus"; tail -n 5 "$plog"; failures=$((failures + 1))
fi

if [ $qemu = 1 ] && command -v qemu-system-riscv64 >/dev/null; then
    start=$(date +%s.%N)
    printf '%s\n' "$input" | timeout "$RUN_TIMEOUT" qemu-system-riscv64 -M virt -m 512M -nographic -monitor none \
        -serial stdio -bios "$FIRMWARE" -kernel "$kernel" -initrd "$CACHE/initrd" \
        -append "console=ttyS0 panic=-1" >"$CACHE/qemu.log" 2>&1 || true
    end=$(date +%s.%N)
    q=$(echo "$end - $start" | bc)
    echo "qemu-system-riscv64: boot to poweroff in $q s; trapeze / qemu = $(echo "scale=2; $seconds / $q" | bc)"
fi

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
