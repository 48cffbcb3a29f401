#!/bin/sh
# Rewrites Sources/RISCV/DecodeTables+Generated.swift, the decoder's constant tables, from the ISA
# table (Sources/RISCV/ISA*.swift): run it after changing an encoding. The table test fails while
# the file is stale.
set -e
cd "$(dirname "$0")/.."
TRAPEZE_WRITE_DECODE_TABLES=1 swift test -c release --filter "DecodeTablesTests/generatedTablesMatchTheISATable"
