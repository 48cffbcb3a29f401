#!/usr/bin/env bash
# Builds the extension fixtures (Fixtures/ext) and records QEMU 7.2's output as the expected one:
#   bitmanip       -march=rv64gc_zba_zbb_zbc_zbs, Zicond through .insn
#   bitmanip-qemu  the same without Zicond (QEMU 7.2 has no Zicond), run under
#                  qemu-riscv64 -cpu rv64,zba=true,zbb=true,zbc=true,zbs=true
#   crypto         -march=rv64gc_zkne_zknd_zknh_zksh_zksed, run under
#                  qemu-riscv64 -cpu rv64,zkne=true,zknd=true,zknh=true,zksh=true,zksed=true
#   rva23          Zcb, Zcmop, Zimop, Zicbom, Zicboz, Zicbop, Zihintpause, Zihintntl, Zawrs, Zacas
#                  (.insn for what binutils 2.40 lacks); self-checking against values from the
#                  specifications, since QEMU 7.2 has none of them but the hints
#   cpuprobe       prints AT_HWCAP, riscv_hwprobe, /proc/cpuinfo's isa line and whether Zbb runs
#                  (plain rv64gc; the tests run it under each --cpu choice)
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-riscv64-linux-gnu-gcc}
FLAGS=(-O2 -static -march=rv64gc_zba_zbb_zbc_zbs -mabi=lp64d -Wall "-fdebug-prefix-map=$PWD=.")
$CC "${FLAGS[@]}" Fixtures/ext/bitmanip.c -o Fixtures/ext/bitmanip
$CC "${FLAGS[@]}" -DNO_ZICOND Fixtures/ext/bitmanip.c -o Fixtures/ext/bitmanip-qemu
qemu-riscv64 -cpu rv64,zba=true,zbb=true,zbc=true,zbs=true Fixtures/ext/bitmanip-qemu > Fixtures/ext/bitmanip.expected
echo "build-ext-fixtures: bitmanip expects $(cat Fixtures/ext/bitmanip.expected)"

# The crypto group (fpcrypto).
$CC "${FLAGS[@]/-march=*/-march=rv64gc_zkne_zknd_zknh_zksh_zksed}" Fixtures/ext/crypto.c -o Fixtures/ext/crypto
qemu-riscv64 -cpu rv64,zkne=true,zknd=true,zknh=true,zksh=true,zksed=true Fixtures/ext/crypto > Fixtures/ext/crypto.expected
echo "build-ext-fixtures: crypto expects $(wc -l < Fixtures/ext/crypto.expected) lines"
# A timing loop for the README's numbers (not a test).
$CC "${FLAGS[@]/-march=*/-march=rv64gc_zkne_zknd_zknh}" Fixtures/ext/crypto-bench.c -o Fixtures/ext/crypto-bench
$CC -O2 -static -march=rv64gc -mabi=lp64d -Wall "-fdebug-prefix-map=$PWD=." Fixtures/ext/cpuprobe.c -o Fixtures/ext/cpuprobe

# RVA22/RVA23 scalar extensions (ext): self-checking; its expected output is all "ok".
$CC "${FLAGS[@]/-march=*/-march=rv64gc_zicbom_zicboz_zicbop_zihintpause_zawrs}" Fixtures/ext/rva23.c -o Fixtures/ext/rva23
# Zfh (half precision). gcc 12 has no _Float16 on RISC-V: the fixture is inline asm.
$CC "${FLAGS[@]/-march=*/-march=rv64gc_zfh}" Fixtures/ext/half.c -o Fixtures/ext/half
qemu-riscv64 -cpu rv64,Zfh=true Fixtures/ext/half > Fixtures/ext/half.expected
echo "build-ext-fixtures: half expects $(wc -l < Fixtures/ext/half.expected) lines"
