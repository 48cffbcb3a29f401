/* Start-up steps the system fixtures share (assembly only). */
#ifndef START_H
#define START_H

/* Zeroes .bss (__bss_start to __bss_end, 8-byte aligned): C and the recorders expect zeroed
 * globals. Clobbers t0 and t1. */
.macro ZERO_BSS
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:
.endm

/* M-mode hands the machine to an S-mode kernel and mrets to \entry with sp = \stack:
 * - PMP entry 0 NAPOT over the whole address space, read/write/execute;
 * - every exception U and S can cause goes to S, except ecall from S (how S calls M);
 *   supervisor software, timer and external interrupts go to S;
 * - cycle, time and instret readable below M (S passes them on to U with scounteren);
 * - no machine timer interrupt until S asks for one;
 * - Sstc: stimecmp is read with a handler standing by; a0 = 1 if it exists (and then
 *   menvcfg.STCE lets S use it), 0 if the read trapped. \mtrap is M's handler afterwards. */
.macro ENTER_S entry, stack, mtrap
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    li t0, (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0
    li t0, (1 << 1) | (1 << 5) | (1 << 9)
    csrw mideleg, t0
    li t0, 7
    csrw mcounteren, t0
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    la t0, 3f
    csrw mtvec, t0
    li a0, 0
    csrr t1, 0x14d              /* stimecmp */
    li a0, 1
    li t0, 1
    slli t0, t0, 63
    csrs 0x30a, t0              /* menvcfg.STCE */
    j 4f
    .balign 4
3:  /* the read trapped: no Sstc */
4:  la t0, \mtrap
    csrw mtvec, t0
    li t0, 3 << 11              /* mret to S-mode */
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0
    la t0, \entry
    csrw mepc, t0
    la sp, \stack
    mret
.endm

#endif
