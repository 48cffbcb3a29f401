#!/usr/bin/env bash
# Builds a libFuzzer binary over Trapeze's sources and runs it on a committed corpus.
#
#   tools/fuzz-run.sh elf|decode [LIBFUZZER-OPTIONS...]
#
#   elf     ELF parsing and loading into guest memory (ELFFile, ELFLoader.map)
#   decode  the RV64GC decoder, disassembler and encoder round trip
#
# Options go to libFuzzer; the default is a short run, `-max_total_time=20`. A long run:
#   tools/fuzz-run.sh elf -max_total_time=3600 -jobs=2 -workers=2
# The committed corpus is Fixtures/fuzz/TARGET/; new interesting inputs go to
# .build/fuzz/corpus-TARGET/ (fold the worth-keeping ones in with
# `.build/fuzz/fuzz-TARGET -merge=1 Fixtures/fuzz/TARGET .build/fuzz/corpus-TARGET`). A crash
# leaves crash-* in Fixtures/fuzz/crashes/: move it into Fixtures/fuzz/TARGET/ and the replay test
# (Tests/TrapezeTests/HostileELFTests.swift) keeps it as a regression test.
#
# Needs a Swift toolchain whose swiftc supports -sanitize=fuzzer (the Linux toolchains do).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-}
case "$target" in
    elf) define=FUZZ_ELF ;;
    decode) define=FUZZ_DECODE ;;
    *) echo "usage: tools/fuzz-run.sh elf|decode [libFuzzer options]" >&2; exit 64 ;;
esac
shift
[ $# -eq 0 ] && set -- -max_total_time=20

out=.build/fuzz
mkdir -p "$out" "Fixtures/fuzz/$target" Fixtures/fuzz/crashes
# Sources/CHost: the header-only C module the Linux sources import for syscall(2).
flags=(-O -j"$(nproc)" -parse-as-library -sanitize=fuzzer -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -I "$out" -L "$out"
       -I Sources/CHost)

# The modules the harnesses use, each a static library with coverage instrumentation.
build_module() {  # name, dependencies...
    local name=$1; shift
    local -a libs=()
    for dep in "$@"; do libs+=(-l"$dep"); done
    echo "  swiftc $name"
    swiftc "${flags[@]}" -emit-library -static -emit-module -module-name "$name" \
        -emit-module-path "$out/$name.swiftmodule" -o "$out/lib$name.a" "Sources/$name"/**/*.swift "${libs[@]}" 2>&1 \
        | grep -v "warning:" || true
    [ -f "$out/lib$name.a" ] || { echo "building $name failed" >&2; exit 1; }
}
shopt -s globstar nullglob
# Rebuilt only when a source changed since the last build.
if [ ! -f "$out/libLinux.a" ] || [ -n "$(find Sources/RISCV Sources/Guest Sources/ELF Sources/Linux -newer "$out/libLinux.a" -name '*.swift' | head -n1)" ]; then
    rm -f "$out"/lib*.a
    build_module RISCV
    build_module Guest RISCV
    build_module ELF Guest
    build_module Linux ELF Guest RISCV
fi
echo "  swiftc fuzz-$target"
swiftc "${flags[@]}" -D "$define" tools/fuzz-harness.swift -lLinux -lELF -lGuest -lRISCV -o "$out/fuzz-$target"

# New inputs go to the first directory (outside the repository); the committed corpus is read only.
mkdir -p "$out/corpus-$target"
exec "$out/fuzz-$target" -artifact_prefix=Fixtures/fuzz/crashes/ "$@" "$out/corpus-$target" "Fixtures/fuzz/$target"
