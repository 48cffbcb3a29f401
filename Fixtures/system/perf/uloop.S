/* perf_uloop: the system-mode speed benchmark. A tiny S-mode kernel turns on Sv39 and drops
 * to a U-mode loop that loads, increments and stores a counter in its own data page
 * ITERATIONS times (5 instructions an iteration: 100 million instructions in all) while the
 * supervisor timer (Sstc) interrupts it every 10 ms. The loop ends with an `exit` ecall; the
 * kernel checks the counter, prints one line and powers off through the test finisher.
 *
 * It measures what a guest kernel's user processes cost: translated fetches and data
 * accesses in U-mode, and an interrupt path that runs 100 times a second. Nothing printed
 * depends on timing. */
#include "machine.h"

#define ITERATIONS 20000000
#define TICK       100000               /* 10 ms at the 10 MHz timebase */
#define USER_VA    0x40000000           /* U code page; its data page follows */
#define STR_(x) #x
#define STR(x) STR_(x)

/* PTE bits */
#define V (1 << 0)
#define R (1 << 1)
#define W (1 << 2)
#define X (1 << 3)
#define U (1 << 4)
#define G (1 << 5)
#define A (1 << 6)
#define D (1 << 7)

    .section .text.start, "ax"
    .globl _start
_start:
    /* M-mode: PMP open, U's ecall and page faults and S's timer interrupt to S, Sstc on. */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    li t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0
    li t0, 1 << 5
    csrw mideleg, t0
    li t0, 7
    csrw mcounteren, t0
    li t0, 1
    slli t0, t0, 63
    csrs 0x30a, t0                      /* menvcfg.STCE */
    la t0, m_trap
    csrw mtvec, t0
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0                    /* MPP = S */
    la t0, s_main
    csrw mepc, t0
    mret

    .balign 4
m_trap:                                 /* nothing should reach M: fail with code 2 */
    li a0, 2
    j finish

/* S-mode: page tables, timer, then U. */
s_main:
    la sp, __stack_top
    csrw sscratch, sp
    la t0, s_trap
    csrw stvec, t0

    la t0, pt_root                      /* zero the three tables and the data page */
    la t1, pages_end
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b

    la a0, pt_root
    li t0, V | R | W | A | D | G        /* 0..1 GiB: devices, supervisor read/write */
    sd t0, 0(a0)
    li t0, (DRAM_BASE >> 12) << 10 | V | R | W | X | A | D | G
    sd t0, 16(a0)                       /* 2..3 GiB: RAM, the kernel, identity */
    la t1, pt_l1
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, V
    sd t1, 8(a0)                        /* 1..2 GiB: the user's tables */
    la a1, pt_l1
    la t1, pt_l0
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, V
    sd t1, 0(a1)
    la a1, pt_l0
    la t1, __user_start                 /* USER_VA: the loop, user read/execute */
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, V | R | X | U | A
    sd t1, 0(a1)
    la t1, user_data                    /* USER_VA + 4 KiB: its counter, user read/write */
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, V | R | W | U | A | D
    sd t1, 8(a1)

    srli t0, a0, 12
    li t1, 8
    slli t1, t1, 60
    or t0, t0, t1
    csrw satp, t0                       /* Sv39 */
    sfence.vma

    csrr t0, time
    li t1, TICK
    add t0, t0, t1
    csrw 0x14d, t0                      /* stimecmp */
    li t0, 1 << 5
    csrw sie, t0                        /* STIE; taken in U whatever sstatus.SIE says */

    la t0, u_entry
    la t1, __user_start
    sub t0, t0, t1
    li t1, USER_VA
    add t0, t0, t1
    csrw sepc, t0
    li t0, 1 << 8
    csrc sstatus, t0                    /* SPP = U */
    li t0, 1 << 5
    csrs sstatus, t0                    /* SPIE */
    sret

    .balign 4
s_trap:
    csrrw sp, sscratch, sp              /* the kernel stack; the user's sp in sscratch */
    sd t0, 0(sp)
    sd t1, 8(sp)
    csrr t0, scause
    bltz t0, tick
    li t1, 8
    bne t0, t1, unexpected
    li t1, ITERATIONS                   /* exit(counter) from U */
    bne a0, t1, wrong
    la a0, message
    call puts
    li a0, 0
    j finish

tick:                                   /* supervisor timer: the next one in 10 ms */
    slli t0, t0, 1
    srli t0, t0, 1
    li t1, 5
    bne t0, t1, unexpected
    csrr t0, time
    li t1, TICK
    add t0, t0, t1
    csrw 0x14d, t0
    ld t0, 0(sp)
    ld t1, 8(sp)
    csrrw sp, sscratch, sp
    sret

unexpected:
    la a0, unexpected_message
    call puts
    li a0, 3
    j finish
wrong:
    la a0, wrong_message
    call puts
    li a0, 4
    j finish

puts:                                   /* a0: NUL-terminated string, polled UART */
    li t0, UART_BASE
1:  lbu t1, 0(a0)
    beqz t1, 3f
2:  lbu t2, UART_LSR(t0)
    andi t2, t2, 1 << 5
    beqz t2, 2b
    sb t1, UART_THR(t0)
    addi a0, a0, 1
    j 1b
3:  ret

finish:                                 /* a0 = exit code: 0 passes */
    li t0, FINISHER_BASE
    li t1, FINISHER_PASS
    beqz a0, 1f
    slli t1, a0, 16
    li t2, FINISHER_FAIL
    or t1, t1, t2
1:  sw t1, 0(t0)
2:  wfi
    j 2b

    .section .rodata
message:
    .asciz "uloop: " STR(ITERATIONS) " U-mode iterations under Sv39, timer on: ok\n"
unexpected_message:
    .asciz "uloop: unexpected trap\n"
wrong_message:
    .asciz "uloop: wrong counter\n"

/* U-mode: the loop. */
    .section .user.text, "ax"
u_entry:
    li a0, USER_VA + 0x1000
    li t0, ITERATIONS
1:  ld t1, 0(a0)
    addi t1, t1, 1
    sd t1, 0(a0)
    addi t0, t0, -1
    bnez t0, 1b
    ld a0, 0(a0)
    li a7, 93
    ecall
2:  j 2b

    .section .pages, "aw", @nobits
    .balign 4096
pt_root: .space 4096
pt_l1:   .space 4096
pt_l0:   .space 4096
user_data: .space 4096
pages_end:
