#!/usr/bin/env bash
# Regenerates the RISCV decoder/disassembler goldens from binutils (riscv64-linux-gnu-objdump 2.40):
#   Fixtures/isa/all.o                      assembled from Fixtures/isa/all.S
#   Tests/RISCVTests/Goldens/*              objdump's text and validity verdicts
#   Sources/RISCV/CSRNames.swift            objdump's CSR names (priv spec 1.12, and where 1.11 differs)
# Re-runnable; picks up whatever ELF files are in Fixtures/bin (or $FIXTURE_BIN_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in riscv64-linux-gnu-gcc riscv64-linux-gnu-objdump python3; do
    command -v "$tool" >/dev/null || { echo "gen-riscv-goldens: $tool is required" >&2; exit 1; }
done
exec python3 tools/gen-riscv-goldens.py "$@"
