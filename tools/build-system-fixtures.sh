#!/usr/bin/env bash
# Builds the bare-metal system-mode fixtures (Fixtures/system/) into Fixtures/system/bin/.
#
#   tools/build-system-fixtures.sh            build every fixture
#   tools/build-system-fixtures.sh NAME...    build only the named ones (kernel, priv_csr, ...)
#
# Fixtures:
#   kernel      Fixtures/system/kernel/*.S *.c     the teaching kernel
#   priv_NAME   Fixtures/system/priv/NAME.S        a self-checking privileged test, linked with
#                                                  priv/runtime.S
#   perf_NAME   Fixtures/system/perf/NAME.S        a benchmark (a standalone program)
#   sbi_NAME    Fixtures/system/sbi/NAME.S         an S-mode payload for SBI firmware, linked at
#                                                  0x8020_0000 with sbi/link.ld
# Every fixture is linked with common/link.ld (image at 0x8000_0000, entered in M-mode) and no
# libc. The build is reproducible: fixed object names, no build-id, source paths mapped to `.`,
# no debug information. tools/check-system-fixtures.sh runs the results under QEMU.
set -euo pipefail

cd "$(dirname "$0")/.."
SYS=Fixtures/system
CC=${CC:-riscv64-linux-gnu-gcc}
FLAGS=(-nostdlib -ffreestanding -march=rv64gc -mabi=lp64d -mcmodel=medany -static -fno-pie -no-pie
       -O2 -g0 -Wall -Wextra -fno-stack-protector -fno-asynchronous-unwind-tables
       -fno-tree-loop-distribute-patterns
       -ffile-prefix-map="$PWD"=.)
LINK=(-T "$SYS/common/link.ld" -Wl,--build-id=none)

command -v "$CC" >/dev/null || { echo "$CC not found (apt-get install gcc-riscv64-linux-gnu)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$SYS/bin"

fixtures=()
[ -d "$SYS/kernel" ] && fixtures+=(kernel)
for src in "$SYS"/priv/*.S; do
    name=$(basename "${src%.S}")
    [ "$name" = runtime ] || fixtures+=("priv_$name")
done
for src in "$SYS"/perf/*.S; do
    [ -e "$src" ] && fixtures+=("perf_$(basename "${src%.S}")")
done
for src in "$SYS"/sbi/*.S; do
    [ -e "$src" ] && fixtures+=("sbi_$(basename "${src%.S}")")
done
[ $# -gt 0 ] && fixtures=("$@")

sources_of() {  # prints the sources of fixture $1, in link order
    case $1 in
        kernel) ls "$SYS"/kernel/*.S "$SYS"/kernel/*.c ;;
        priv_*) echo "$SYS/priv/runtime.S" "$SYS/priv/${1#priv_}.S" ;;
        perf_*) echo "$SYS/perf/${1#perf_}.S" ;;
        sbi_*) echo "$SYS/sbi/${1#sbi_}.S" ;;
        *) echo "unknown fixture $1" >&2; return 1 ;;
    esac
}

for name in "${fixtures[@]}"; do
    srcs=$(sources_of "$name")
    echo "  CC  $name"
    # Compile each source to a fixed object name first: linking straight from sources would
    # put gcc's random temporary names into the symbol table and the build would not reproduce.
    objs=()
    for src in $srcs; do
        obj="$work/$name-$(basename "$src").o"
        "$CC" "${FLAGS[@]}" -I "$SYS/common" -c -o "$obj" "$src"
        objs+=("$obj")
    done
    link=("${LINK[@]}")
    [[ $name == sbi_* ]] && link=(-T "$SYS/sbi/link.ld" -Wl,--build-id=none)
    "$CC" "${FLAGS[@]}" "${link[@]}" -o "$SYS/bin/$name" "${objs[@]}"
done
echo "ok"
