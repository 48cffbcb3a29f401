#!/usr/bin/env bash
# Runs the system-mode fixtures under qemu-system-riscv64 and compares each console output and
# exit status with Fixtures/system/expected/NAME.out and NAME.status.
#
#   tools/check-system-fixtures.sh             check every fixture of Fixtures/system/manifest.tsv
#   tools/check-system-fixtures.sh NAME...     check only the named ones
#   tools/check-system-fixtures.sh --record NAME...
#                                              write the expected files from QEMU's run instead
#                                              (only after checking the output by hand against
#                                              the spec: QEMU is the oracle, not the truth)
#
# Fixtures flagged `noqemu` in the manifest are skipped: QEMU 7.2 deviates from the spec there.
# The machine: `qemu-system-riscv64 -M virt -bios none -nographic -kernel ELF` (one hart, 128 MiB,
# the default rv64 CPU). The SiFive test finisher ends QEMU with the guest's exit code.
set -euo pipefail

cd "$(dirname "$0")/.."
SYS=Fixtures/system
QEMU=${QEMU:-qemu-system-riscv64}
RUN_TIMEOUT=${RUN_TIMEOUT:-20}

record=0
if [ "${1:-}" = "--record" ]; then record=1; shift; fi
command -v "$QEMU" >/dev/null || { echo "$QEMU not found (apt-get install qemu-system-misc)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # runs fixture $1, output into $2; prints the exit status
    local status=0
    timeout "$RUN_TIMEOUT" "$QEMU" -M virt -bios none -nographic -monitor none -serial stdio \
        -kernel "$SYS/bin/$1" </dev/null >"$2" 2>"$work/stderr" || status=$?
    echo "$status"
}

failures=0
while IFS=$'\t' read -r name status flags; do
    [[ -z $name || $name == \#* ]] && continue
    if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
    if [[ ,$flags, == *,noqemu,* ]]; then printf '  %-16s skipped (noqemu)\n' "$name"; continue; fi
    got=$(run "$name" "$work/out")
    if [ $record -eq 1 ]; then
        cp "$work/out" "$SYS/expected/$name.out"
        echo "$got" >"$SYS/expected/$name.status"
        [ "$got" = "$status" ] || { echo "  $name: status $got, manifest says $status"; failures=$((failures + 1)); }
        printf '  %-16s recorded, status %s\n' "$name" "$got"
        continue
    fi
    if [ "$got" = 124 ]; then echo "  TIMEOUT $name"; failures=$((failures + 1)); continue; fi
    if [ "$got" != "$status" ] || [ "$got" != "$(cat "$SYS/expected/$name.status")" ] \
        || ! cmp -s "$work/out" "$SYS/expected/$name.out"; then
        echo "  MISMATCH $name (status $got, want $status)"
        diff "$SYS/expected/$name.out" "$work/out" | head -n 10 || true
        failures=$((failures + 1)); continue
    fi
    printf '  %-16s ok, status %s\n' "$name" "$got"
done <"$SYS/manifest.tsv"

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
