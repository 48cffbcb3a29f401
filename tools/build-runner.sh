#!/usr/bin/env bash
# Links the runner (Fixtures/system/runner: an S-mode kernel that runs one static riscv64 Linux
# program as a U-mode process under Sv39) with a program and its arguments into one bare-metal
# ELF, to be run as
#     trapeze system --memory 512M OUT
#     qemu-system-riscv64 -M virt -bios none -m 512M -nographic -kernel OUT
#
#   tools/build-runner.sh OUT PROGRAM [ARG...]      (argv[0] is PROGRAM's file name)
#
# tools/bench --system builds its images with it; tools/build-system-fixtures.sh builds the
# committed fixture runner_hello (Fixtures/bin/hello).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUT PROGRAM [ARG...]" >&2; exit 2; }
out=$1
prog=$2
shift 2
cd "$(dirname "$0")/.."
SYS=Fixtures/system
CC=${CC:-riscv64-linux-gnu-gcc}
FLAGS=(-nostdlib -ffreestanding -march=rv64gc -mabi=lp64d -mcmodel=medany -static -fno-pie -no-pie
       -O2 -g0 -Wall -Wextra -fno-stack-protector -fno-asynchronous-unwind-tables
       -fno-tree-loop-distribute-patterns -ffile-prefix-map="$PWD"=.)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
progpath=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
{
    echo '    .section .rodata.payload, "a"'
    echo '    .balign 8'
    echo '    .globl payload_elf'
    echo 'payload_elf:'
    echo "    .incbin \"$progpath\""
    echo '    .globl payload_args'
    echo 'payload_args:'
    for a in "$(basename "$prog")" "$@"; do
        printf '    .asciz "%s"\n' "$(printf '%s' "$a" | sed 's/[\\"]/\\&/g')"
    done
    echo '    .byte 0'
} > "$work/payload.S"
objs=()
for src in "$SYS/runner/start.S" "$SYS/runner/runner.c" "$work/payload.S"; do
    obj="$work/runner-$(basename "$src").o"
    "$CC" "${FLAGS[@]}" -I "$SYS/common" -c -o "$obj" "$src"
    objs+=("$obj")
done
"$CC" "${FLAGS[@]}" -T "$SYS/runner/link.ld" -Wl,--build-id=none,--no-warn-rwx-segments -o "$out" "${objs[@]}"
