#!/bin/sh
# Regenerates the F/D reference vectors: builds Fixtures/fpvectors/fpvec.c for RV64GC and runs it
# under qemu-riscv64 (whose softfloat follows the RISC-V rules), writing vectors.txt.gz.
# Needs gcc-riscv64-linux-gnu and qemu-user; the tests only read the committed output.
set -eu
cd "$(dirname "$0")/../Fixtures/fpvectors"
riscv64-linux-gnu-gcc -O2 -march=rv64gc -static -Wall -o fpvec fpvec.c
qemu-riscv64 ./fpvec | gzip -9n > vectors.txt.gz
echo "wrote $(pwd)/vectors.txt.gz ($(gzip -dc vectors.txt.gz | wc -l) vectors, $(wc -c < vectors.txt.gz) bytes)"
