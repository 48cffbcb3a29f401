/* Entry of an S-mode payload, behind a RISC-V Linux Image header (the kernel's
   Documentation/riscv/boot-image-header.rst): OpenSBI jumps to the first instruction in S-mode
   with a0 = hart id and a1 = the device tree's physical address. */
#include "start.h"
    .option norvc
    .section .text.start, "ax"
    .globl _start
_start:
    j       entry                   /* code0 */
    .word   0                       /* code1 */
    .dword  0x200000                /* text_offset: 2 MiB above the start of RAM */
    .dword  __image_size            /* image_size, .bss and stack included */
    .dword  0                       /* flags: little-endian */
    .word   2                       /* version 0.2 */
    .word   0                       /* res1 */
    .dword  0                       /* res2 */
    .ascii  "RISCV\0\0\0"           /* magic (deprecated) */
    .ascii  "RSC\x05"               /* magic2 */
    .word   0                       /* res3 (PE header offset: none) */
    .option rvc

entry:
    la      sp, __stack_top
    ZERO_BSS
    la      t0, trap_entry
    csrw    stvec, t0
    call    payload_main            /* (hart id, device tree) */
    /* payload_main returns the reset reason for an SBI shutdown. */
    call    sbi_shutdown
3:  wfi
    j       3b

/* Supervisor traps: the payloads take only external interrupts, and handle them in C. */
    .balign 4
trap_entry:
    addi    sp, sp, -128
    sd      ra, 0(sp)
    sd      t0, 8(sp)
    sd      t1, 16(sp)
    sd      t2, 24(sp)
    sd      a0, 32(sp)
    sd      a1, 40(sp)
    sd      a2, 48(sp)
    sd      a3, 56(sp)
    sd      a4, 64(sp)
    sd      a5, 72(sp)
    sd      a6, 80(sp)
    sd      a7, 88(sp)
    sd      t3, 96(sp)
    sd      t4, 104(sp)
    sd      t5, 112(sp)
    sd      t6, 120(sp)
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    payload_trap
    ld      ra, 0(sp)
    ld      t0, 8(sp)
    ld      t1, 16(sp)
    ld      t2, 24(sp)
    ld      a0, 32(sp)
    ld      a1, 40(sp)
    ld      a2, 48(sp)
    ld      a3, 56(sp)
    ld      a4, 64(sp)
    ld      a5, 72(sp)
    ld      a6, 80(sp)
    ld      a7, 88(sp)
    ld      t3, 96(sp)
    ld      t4, 104(sp)
    ld      t5, 112(sp)
    ld      t6, 120(sp)
    addi    sp, sp, 128
    sret
