# asm_csrnames: exits 0 at once. Its never-run `csr_access` reads the CSRs whose names differ
# between privileged specs 1.11 and 1.12, so listings of this file (with its attribute section,
# and without) show which spec's names a disassembler chose.

        .equ SYS_exit_group, 94

        .text
        .globl _start
_start:
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

        .globl csr_access
csr_access:
        csrr    a0, 0x000       # ustatus in 1.11 only
        csrr    a0, 0x040       # uscratch in 1.11 only
        csrr    a0, 0x102       # sedeleg in 1.11 only
        csrr    a0, 0x10a       # senvcfg from 1.12
        csrr    a0, 0x30a       # menvcfg from 1.12
        csrr    a0, 0x310       # mstatush from 1.12
        csrr    a0, 0x34a       # mtinst from 1.12
        csrr    a0, 0x3a4       # pmpcfg4 from 1.12
        csrr    a0, 0x3c0       # pmpaddr16 from 1.12
        csrr    a0, 0x747       # mseccfg from 1.12
        csrr    a0, 0xf15       # mconfigptr from 1.12
        csrr    a0, 0x300       # mstatus in both
        csrr    a0, 0x001       # fflags in both
        ret
