/* Runtime of the privileged tests: start-up, polled UART output, the check/pass/fail
 * reporting, the M- and S-mode trap recorders (direct and vectored) and the mret helper.
 * See test.h for the contract a test relies on. */
#include "../common/start.h"
#include "test.h"

    .section .text.start, "ax"
    .globl _start
_start:
    la sp, __stack_top
    la t0, m_trap
    csrw mtvec, t0
    /* Zero .bss: the recorders and resume slots start empty. */
    ZERO_BSS
    /* Let S and U reach all memory: with PMP implemented, an access no entry matches fails
       in S/U. One NAPOT entry covering the whole address space, RWX, unlocked. */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    /* 8 data bits, no parity, one stop bit; no UART interrupts: output is polled. */
    li t0, UART_BASE
    li t1, 3
    sb t1, UART_LCR(t0)
    sb zero, UART_IER(t0)
    call test_main
    li a0, 101          /* test_main must not return */
    j fail_exit

    .text
/* puts(a0 = string): polled output; clobbers a0, t0-t2. */
    .globl puts
puts:
    li t0, UART_BASE
1:  lbu t1, 0(a0)
    beqz t1, 3f
2:  lbu t2, UART_LSR(t0)
    andi t2, t2, 0x20
    beqz t2, 2b
    sb t1, UART_THR(t0)
    addi a0, a0, 1
    j 1b
3:  ret

/* putc(a0 = character); clobbers t0, t2. */
    .globl putc
putc:
    li t0, UART_BASE
1:  lbu t2, UART_LSR(t0)
    andi t2, t2, 0x20
    beqz t2, 1b
    sb a0, UART_THR(t0)
    ret

/* put_dec(a0 = unsigned number < 10^6) without leading zeros; clobbers a0, a4-a7, t0-t2. */
put_dec:
    mv a6, ra
    mv a7, a0
    li a4, 100000
    li a5, 0            /* set once a digit has been printed */
1:  divu a0, a7, a4
    remu a7, a7, a4
    li t1, 1
    beq a4, t1, 2f      /* the last digit is always printed */
    bnez a5, 2f
    beqz a0, 3f
2:  li a5, 1
    addi a0, a0, '0'
    call putc
3:  li t1, 10
    divu a4, a4, t1
    bnez a4, 1b
    mv ra, a6
    ret

/* put_hex(a0): "0x" and 16 hex digits; clobbers a0, a4-a6, t0-t2. */
    .globl put_hex
put_hex:
    mv a6, ra
    mv a5, a0
    li a0, '0'
    call putc
    li a0, 'x'
    call putc
    li a4, 60
1:  srl t1, a5, a4
    andi t1, t1, 15
    li t2, 10
    blt t1, t2, 2f
    addi t1, t1, 'a' - '0' - 10
2:  addi a0, t1, '0'
    call putc
    addi a4, a4, -4
    bgez a4, 1b
    mv ra, a6
    ret

/* check(a0 = got, a1 = want, a2 = check number, a3 = description): prints "ok N desc", or
   "FAIL N desc: got X want Y" and ends the test with exit code N. */
    .globl check
check:
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    mv s0, a0
    mv s1, a1
    mv s2, a2
    mv s3, a3
    la a0, msg_ok
    beq s0, s1, 1f
    la a0, msg_fail
1:  call puts
    mv a0, s2
    call put_dec
    li a0, ' '
    call putc
    mv a0, s3
    call puts
    bne s0, s1, 2f
    li a0, '\n'
    call putc
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    addi sp, sp, 48
    ret
2:  la a0, msg_got
    call puts
    mv a0, s0
    call put_hex
    la a0, msg_want
    call puts
    mv a0, s1
    call put_hex
    li a0, '\n'
    call putc
    mv a0, s2
    j fail_exit

/* pass(a0 = number of checks): prints the summary, finisher "pass". */
    .globl pass
pass:
    mv s0, a0
    la a0, msg_pass1
    call puts
    mv a0, s0
    call put_dec
    la a0, msg_pass2
    call puts
    li t0, FINISHER_BASE
    li t1, FINISHER_PASS
    sw t1, 0(t0)
1:  wfi
    j 1b

/* fail_exit(a0 = code): finisher "fail" with exit code a0. */
    .globl fail_exit
fail_exit:
    li t0, FINISHER_BASE
    slli a0, a0, 16
    li t1, FINISHER_FAIL
    or a0, a0, t1
    sw a0, 0(t0)
1:  wfi
    j 1b

/* enter_mode(a0 = MODE_U or MODE_S, a1 = pc): mret there with MPIE = 0. */
    .globl enter_mode
enter_mode:
    li t0, MSTATUS_MPP | MSTATUS_MPIE
    csrc mstatus, t0
    slli a0, a0, 11
    csrs mstatus, a0
    csrw mepc, a1
    mret

/* The M-mode recorder. t2 = vector entry (-1: direct). Keeps the trap CSRs in m_rec and
   continues at m_resume in M-mode; a trap while no resume point is armed is fatal. */
    .balign 64
    .globl m_trap
    .option push
    .option norvc       /* 4-byte instructions only: priv_trap runs it with misa.C cleared */
m_trap:
    li t2, -1
m_trap_common:
    la t0, m_rec
    ld t1, REC_COUNT(t0)
    addi t1, t1, 1
    sd t1, REC_COUNT(t0)
    csrr t1, mcause
    sd t1, REC_CAUSE(t0)
    csrr t1, mepc
    sd t1, REC_EPC(t0)
    csrr t1, mtval
    sd t1, REC_TVAL(t0)
    csrr t1, mstatus
    sd t1, REC_STATUS(t0)
    sd t2, REC_VECTOR(t0)
    la sp, __stack_top
    la t0, s_unexpected_flag
    ld t1, 0(t0)
    bnez t1, s_unexpected_report
    la t0, m_resume
    ld t1, 0(t0)
    beqz t1, m_unexpected
    sd zero, 0(t0)
    jr t1
    .option pop

m_unexpected:
    la a0, msg_unexpected_m
    call puts
    la s0, m_rec
    j report_rec

s_unexpected_report:
    la a0, msg_unexpected_s
    call puts
    la s0, s_rec
report_rec:
    ld a0, REC_CAUSE(s0)
    call put_hex
    li a0, ' '
    call putc
    ld a0, REC_EPC(s0)
    call put_hex
    li a0, ' '
    call putc
    ld a0, REC_TVAL(s0)
    call put_hex
    li a0, '\n'
    call putc
    li a0, 100
    j fail_exit

/* Vector tables (base aligned for mtvec/stvec MODE=1): entry i records i in t2 and joins
   the common recorder. */
    .balign 256
    .globl m_vectors
m_vectors:
    .option push
    .option norvc       /* every entry must be one 4-byte jump */
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j m_vec_\n
    .endr
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
m_vec_\n:
    li t2, \n
    j m_trap_common
    .endr
    .option pop

/* The S-mode recorder: the same with the S CSRs, s_rec and s_resume, staying in S-mode. A
   trap with no resume point sets a flag and ecalls, so the M recorder reports it. */
    .balign 64
    .globl s_trap
s_trap:
    li t2, -1
s_trap_common:
    la t0, s_rec
    ld t1, REC_COUNT(t0)
    addi t1, t1, 1
    sd t1, REC_COUNT(t0)
    csrr t1, scause
    sd t1, REC_CAUSE(t0)
    csrr t1, sepc
    sd t1, REC_EPC(t0)
    csrr t1, stval
    sd t1, REC_TVAL(t0)
    csrr t1, sstatus
    sd t1, REC_STATUS(t0)
    sd t2, REC_VECTOR(t0)
    la sp, __stack_top
    la t0, s_resume
    ld t1, 0(t0)
    beqz t1, 1f
    sd zero, 0(t0)
    jr t1
1:  la t0, s_unexpected_flag
    li t1, 1
    sd t1, 0(t0)
    ecall

    .balign 256
    .globl s_vectors
s_vectors:
    .option push
    .option norvc
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j s_vec_\n
    .endr
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
s_vec_\n:
    li t2, \n
    j s_trap_common
    .endr
    .option pop

    .section .rodata
msg_ok:   .asciz "ok "
msg_fail: .asciz "FAIL "
msg_got:  .asciz ": got "
msg_want: .asciz " want "
msg_pass1: .asciz "PASS: "
msg_pass2: .asciz " checks\n"
msg_unexpected_m: .asciz "FAIL unexpected M-mode trap (mcause mepc mtval): "
msg_unexpected_s: .asciz "FAIL unexpected S-mode trap (scause sepc stval): "

    .bss
    .balign 8
    .globl m_rec, s_rec, m_resume, s_resume
m_rec: .space 48
s_rec: .space 48
m_resume: .space 8
s_resume: .space 8
s_unexpected_flag: .space 8
