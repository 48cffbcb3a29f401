#!/usr/bin/env bash
# Builds the bare-metal system-mode fixtures (Fixtures/system/) into Fixtures/system/bin/.
#
#   tools/build-system-fixtures.sh            build every fixture
#   tools/build-system-fixtures.sh NAME...    build only the named ones (kernel, priv_csr, ...)
#
# Fixtures:
#   kernel      Fixtures/system/kernel/*.S *.c     the teaching kernel
#   bench       the teaching kernel with bench/user.c for its user.c: compute tasks under Sv39
#               and timer preemption, for measuring system-mode speed
#   priv_NAME   Fixtures/system/priv/NAME.S        a self-checking privileged test, linked with
#                                                  priv/runtime.S
#   sbi_NAME    Fixtures/system/sbi/NAME.c         an S-mode payload for OpenSBI (--kernel), linked
#                                                  with sbi/start.S and sbi/sbi.c at 0x8020_0000
#                                                  by sbi/link.ld; also written as a flat Linux
#                                                  Image, bin/sbi_NAME.img
#   perf_NAME   Fixtures/system/perf/NAME.S        a benchmark (a standalone program)
#   runner_NAME the runner (Fixtures/system/runner, tools/build-runner.sh) with a Linux program
#               of Fixtures/bin: runner_hello (hello), runner_nbody (nbody 2000: F/D under FS)
# Every other fixture is linked with common/link.ld (image at 0x8000_0000, entered in M-mode) and no
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
[ -d "$SYS/bench" ] && fixtures+=(bench)
for src in "$SYS"/priv/*.S; do
    name=$(basename "${src%.S}")
    [ "$name" = runtime ] || fixtures+=("priv_$name")
done
for src in "$SYS"/sbi/*.c; do
    name=$(basename "${src%.c}")
    [ "$name" = sbi ] || fixtures+=("sbi_$name")
done
for src in "$SYS"/perf/*.S; do
    [ -e "$src" ] && fixtures+=("perf_$(basename "${src%.S}")")
done
fixtures+=(runner_hello runner_nbody)
[ $# -gt 0 ] && fixtures=("$@")

sources_of() {  # prints the sources of fixture $1, in link order
    case $1 in
        kernel) ls "$SYS"/kernel/*.S "$SYS"/kernel/*.c ;;
        bench) ls "$SYS"/kernel/*.S "$SYS"/kernel/*.c | grep -v '/user\.c$'; echo "$SYS/bench/user.c" ;;
        priv_*) echo "$SYS/priv/runtime.S" "$SYS/priv/${1#priv_}.S" ;;
        sbi_*) echo "$SYS/sbi/start.S" "$SYS/sbi/sbi.c" "$SYS/sbi/${1#sbi_}.c" ;;
        perf_*) echo "$SYS/perf/${1#perf_}.S" ;;
        *) echo "unknown fixture $1" >&2; return 1 ;;
    esac
}

for name in "${fixtures[@]}"; do
    case $name in
        runner_hello) echo "  LD  $name"; tools/build-runner.sh "$SYS/bin/$name" Fixtures/bin/hello; continue ;;
        runner_nbody) echo "  LD  $name"; tools/build-runner.sh "$SYS/bin/$name" Fixtures/bin/nbody 2000; continue ;;
    esac
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
    case $name in
        sbi_*)
            "$CC" "${FLAGS[@]}" -T "$SYS/sbi/link.ld" -Wl,--build-id=none,--no-warn-rwx-segments -o "$SYS/bin/$name" "${objs[@]}"
            "${OBJCOPY:-riscv64-linux-gnu-objcopy}" -O binary "$SYS/bin/$name" "$SYS/bin/$name.img" ;;
        *) "$CC" "${FLAGS[@]}" "${LINK[@]}" -o "$SYS/bin/$name" "${objs[@]}" ;;
    esac
done
echo "ok"
