#!/usr/bin/env bash
# Fetches the guest parts `make test-linux` boots: Debian's riscv64 kernel (`linux-image-riscv64`
# and the versioned image package it depends on) and `busybox-static`, unpacked with `dpkg-deb -x`
# into a cache folder git ignores.
#
#   tools/fetch-linux.sh            # prints nothing but progress; the files land in $CACHE
#
# riscv64 is a release architecture from Debian trixie on (bookworm has no riscv64 kernel), so
# `apt-get update` and `apt-get download PKG:riscv64` run with a throw-away apt configuration
# under the cache (the equivalent of `dpkg --add-architecture riscv64` plus a trixie source,
# without changing the host's apt sources or dpkg architectures). Nothing from the cache is
# committed; delete it to fetch again.
#
# The cache ($TRAPEZE_LINUX_CACHE, by default .cache/linux) then holds:
#   root/boot/vmlinux-*            the kernel (a flat Image with the EFI stub header)
#   root/usr/lib/modules/*/        its modules (virtio_mmio, virtio_blk, ext4, ... are modules)
#   busybox/usr/bin/busybox        busybox, statically linked
set -euo pipefail

cd "$(dirname "$0")/.."
CACHE=${TRAPEZE_LINUX_CACHE:-$PWD/.cache/linux}
SUITE=${DEBIAN_SUITE:-trixie}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$CACHE"

apt="$CACHE/apt"
opts=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o Dir::Cache::archives="$apt/archives"
      -o APT::Architecture=riscv64 -o APT::Architectures::=riscv64 -o Debug::NoLocking=1
      -o APT::Sandbox::User=root)
index_fetched=0
index() {  # the package lists, once per run
    [ $index_fetched = 1 ] && return
    mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/debs"
    echo "deb [arch=riscv64] $MIRROR $SUITE main" >"$apt/sources.list"
    echo "fetch-linux: apt-get update ($MIRROR $SUITE, riscv64)"
    apt-get "${opts[@]}" -qq update
    index_fetched=1
}
download() {  # download PKG: the .deb into $apt/debs, echoes its path
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "$1:riscv64" >&2)
    ls "$apt/debs/$1"_*_riscv64.deb | head -n 1
}
unpack() {  # unpack DEB DIR
    rm -rf "$2.tmp" && mkdir -p "$2.tmp"
    dpkg-deb -x "$1" "$2.tmp"
    rm -rf "$2" && mv "$2.tmp" "$2"
}

if ! ls "$CACHE"/root/boot/vmlinux-* >/dev/null 2>&1; then
    index
    meta=$(download linux-image-riscv64)
    image=$(dpkg-deb -f "$meta" Depends | tr ',|' '\n\n' | grep -o 'linux-image-[^ ]*' | head -n 1)
    echo "fetch-linux: downloading $image"
    unpack "$(download "$image")" "$CACHE/root"
fi
if [ ! -x "$CACHE/busybox/usr/bin/busybox" ] && [ ! -x "$CACHE/busybox/bin/busybox" ]; then
    index
    echo "fetch-linux: downloading busybox-static"
    unpack "$(download busybox-static)" "$CACHE/busybox"
fi
rm -f "$apt"/debs/*.deb
echo "fetch-linux: kernel $(ls "$CACHE"/root/boot/vmlinux-* | head -n 1)"
echo "fetch-linux: busybox $(ls "$CACHE"/busybox/usr/bin/busybox "$CACHE"/busybox/bin/busybox 2>/dev/null | head -n 1)"
