#!/usr/bin/env bash
# Builds the guest fixture programs and records their expected behaviour.
#
#   tools/build-fixtures.sh            build Fixtures/src/* into Fixtures/bin/, then run every
#                                      Fixtures/manifest.tsv entry under qemu-riscv64 (twice, to
#                                      prove the output deterministic) and write Fixtures/expected/
#   tools/build-fixtures.sh NAME...    the same, restricted to the named fixtures
#   tools/build-fixtures.sh --check [NAME...]
#                                      build nothing, write nothing: run the committed binaries
#                                      under qemu and compare with the committed expected files
#
# Running it again on unchanged sources reproduces the same binaries and outputs (the toolchain
# is deterministic and no fixture prints addresses, pids, times or random values).
#
# Build flags: every fixture gets $COMMON_FLAGS, at compile and at link time, C ones -lm and C++
# ones (*.cc, built with riscv64-linux-gnu-g++) -pthread.
# The link mode is `-static -fno-pie -no-pie` (assembly: also -nostdlib) unless the source has
# a line containing `fixture-build: FLAGS`, whose FLAGS replace it (e.g. `-fPIE -pie` for a
# dynamic program). The script checks that the manifest's static/dynamic flag matches the ELF
# and that exactly the `fault` entries die by a signal.
#
# How each entry runs (test harnesses must match this to compare with the expected files):
# working directory = the repository root, environment = exactly FIXTURE_ENV=fixture-value
# (`env -i`), stdin = Fixtures/expected/NAME.stdin for `stdin` entries and /dev/null otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
FIX=Fixtures
CC=${CC:-riscv64-linux-gnu-gcc}
CXX=${CXX:-riscv64-linux-gnu-g++}
READELF=${READELF:-riscv64-linux-gnu-readelf}
QEMU=${QEMU:-qemu-riscv64}
SYSROOT=${SYSROOT:-/usr/riscv64-linux-gnu}
# The prefix map keeps the checkout's path out of the debug info of fixtures built with -g.
COMMON_FLAGS=(-O2 -march=rv64gc -mabi=lp64d -Wall -Wextra "-fdebug-prefix-map=$PWD=.")
RUN_TIMEOUT=${RUN_TIMEOUT:-60}
FIXTURE_ENV_VALUE=fixture-value

check_only=0
if [ "${1:-}" = "--check" ]; then check_only=1; shift; fi
only=("$@")

selected() {  # is fixture $1 among the names given on the command line (or were none given)?
    [ ${#only[@]} -eq 0 ] && return 0
    local n
    for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

source_of() {  # prints the source path of fixture $1
    if [ -f "$FIX/src/$1.c" ]; then echo "$FIX/src/$1.c"
    elif [ -f "$FIX/src/$1.S" ]; then echo "$FIX/src/$1.S"
    elif [ -f "$FIX/src/$1.cc" ]; then echo "$FIX/src/$1.cc"
    else echo "no source for fixture $1" >&2; return 1
    fi
}

build_one() {  # builds Fixtures/bin/$1 from its source
    local name=$1 src mode
    src=$(source_of "$name")
    mode=$(sed -n 's/.*fixture-build:\(.*\)$/\1/p' "$src" | head -n1 | sed 's#\*/##')
    local -a link
    if grep -q 'fixture-build:' "$src"; then
        read -r -a link <<<"$mode"
    elif [[ $src == *.S ]]; then
        link=(-nostdlib -static -fno-pie -no-pie)
    else
        link=(-static -fno-pie -no-pie)
    fi
    local -a libs=()
    local compiler=$CC
    [[ $src == *.c ]] && libs=(-lm)
    [[ $src == *.cc ]] && { compiler=$CXX; libs=(-pthread); }
    echo "  CC  $name  ${link[*]}"
    # Two steps with a fixed object name: compiling straight to the executable would leave
    # gcc's random temporary file name in the symbol table, and the build would not reproduce.
    "$compiler" "${COMMON_FLAGS[@]}" "${link[@]}" -c -o "$work/$name.o" "$src"
    "$compiler" "${COMMON_FLAGS[@]}" "${link[@]}" -o "$FIX/bin/$name" "$work/$name.o" "${libs[@]}"
}

is_dynamic() {  # does the ELF $1 ask for a program interpreter?
    "$READELF" -lW "$1" | grep -q 'Requesting program interpreter'
}

# Runs one manifest entry; writes stdout to $4 and prints the exit status.
run_entry() {
    local name=$1 args=$2 flags=$3 out=$4
    local -a argv=() qemu=("$QEMU_PATH")
    [ "$args" != "-" ] && read -r -a argv <<<"$args"
    [[ ,$flags, == *,dynamic,* ]] && qemu+=(-L "$SYSROOT")
    local input=/dev/null
    [[ ,$flags, == *,stdin,* ]] && input="$FIX/expected/$name.stdin"
    local status=0
    # ulimit -c 0: fault fixtures must not leave core files behind.
    ( ulimit -c 0
      exec env -i FIXTURE_ENV="$FIXTURE_ENV_VALUE" \
          "$TIMEOUT_PATH" "$RUN_TIMEOUT" "${qemu[@]}" "$FIX/bin/$name" "${argv[@]}" ) \
        <"$input" >"$out" 2>/dev/null || status=$?
    echo "$status"
}

manifest_entries() {  # prints "name<TAB>args<TAB>flags<TAB>expected-stem" per manifest line
    awk -F'\t' '
        /^#/ || NF == 0 { next }
        NF != 3 { printf "manifest line %d: want 3 tab-separated fields\n", NR > "/dev/stderr"; exit 1 }
        { k = seen[$1]++; stem = (k == 0) ? $1 : $1 "." k; print $1 "\t" $2 "\t" $3 "\t" stem }
    ' "$FIX/manifest.tsv"
}

mkdir -p "$FIX/bin" "$FIX/expected"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $check_only -eq 0 ]; then
    echo "building fixtures"
    for src in "$FIX"/src/*.c "$FIX"/src/*.S "$FIX"/src/*.cc; do
        [ -e "$src" ] || continue
        name=$(basename "${src%.*}")
        selected "$name" && build_one "$name"
    done
fi

# Absolute paths: the runs get an empty PATH.
QEMU_PATH=$(command -v "$QEMU") || { echo "$QEMU not found (apt-get install qemu-user)"; exit 1; }
TIMEOUT_PATH=$(command -v timeout)
echo "running fixtures under $QEMU_PATH"
entries=$(manifest_entries)  # parsed up front: a malformed manifest stops the script here
failures=0
declare -A produced=()
while IFS=$'\t' read -r name args flags stem; do
    produced[$stem]=1
    selected "$name" || continue
    bin="$FIX/bin/$name"
    if [ ! -f "$bin" ]; then echo "  MISSING $bin"; failures=$((failures + 1)); continue; fi
    if [[ ,$flags, == *,dynamic,* ]]; then
        is_dynamic "$bin" || { echo "  $name: flagged dynamic but is static"; failures=$((failures + 1)); }
    else
        ! is_dynamic "$bin" || { echo "  $name: flagged static but is dynamic"; failures=$((failures + 1)); }
    fi
    start=$(date +%s.%N)
    s1=$(run_entry "$name" "$args" "$flags" "$work/out1")
    end=$(date +%s.%N)
    s2=$(run_entry "$name" "$args" "$flags" "$work/out2")
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    if [ "$s1" != "$s2" ] || ! cmp -s "$work/out1" "$work/out2"; then
        echo "  NONDETERMINISTIC $stem (status $s1 vs $s2)"; failures=$((failures + 1)); continue
    fi
    if [ "$s1" = 124 ]; then echo "  TIMEOUT $stem"; failures=$((failures + 1)); continue; fi
    died=no; [ "$s1" -ge 128 ] && died=yes
    faulty=no; [[ ,$flags, == *,fault,* ]] && faulty=yes
    if [ $died != $faulty ]; then
        echo "  $stem: status $s1 does not match its fault flag ($faulty)"; failures=$((failures + 1))
    fi
    if [ $check_only -eq 1 ]; then
        if [ "$s1" != "$(cat "$FIX/expected/$stem.status" 2>/dev/null)" ] \
            || ! cmp -s "$work/out1" "$FIX/expected/$stem.stdout"; then
            echo "  MISMATCH $stem (status $s1)"; failures=$((failures + 1)); continue
        fi
    else
        cp "$work/out1" "$FIX/expected/$stem.stdout"
        echo "$s1" >"$FIX/expected/$stem.status"
    fi
    printf '  %-22s status %3s  %6s s  %s\n' "$stem" "$s1" "$secs" "$(head -c 60 "$work/out1" | head -n1)"
done <<<"$entries"

# A full regeneration also removes expected files that no manifest line produces any more.
if [ $check_only -eq 0 ] && [ ${#only[@]} -eq 0 ]; then
    for f in "$FIX"/expected/*.stdout "$FIX"/expected/*.status; do
        [ -e "$f" ] || continue
        stem=$(basename "${f%.*}")
        [ -n "${produced[$stem]:-}" ] || { echo "  removing stale $f"; rm -f "$f"; }
    done
fi

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
