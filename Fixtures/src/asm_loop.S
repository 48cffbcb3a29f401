# asm_loop: a tight counted loop of integer operations (mul, add, shifts, xor,
# a W-form add), 100000 iterations. The 64-bit result is printed in hex with one
# write(2) and its low 7 bits are the exit status (below 128, so a shell cannot
# mistake it for a death by signal): a wrong execution shows twice.

        .equ SYS_write, 64
        .equ SYS_exit_group, 94
        .equ ITERATIONS, 100000

        .data
line:
        .ascii "asm_loop: result = 0x"
hex_digits_out:
        .ascii "0000000000000000"
        .ascii "\n"
        .equ line_len, . - line

        .section .rodata
hex_alphabet:
        .ascii "0123456789abcdef"

        .text
        .globl _start
_start:
        # The linker relaxes `la` into gp-relative addressing; with no crt to
        # set gp, do it here (without relaxation, or it would use itself).
        .option push
        .option norelax
        la      gp, __global_pointer$
        .option pop
        li      s0, 0x12345678          # x: the mixed state
        li      s1, ITERATIONS          # i: counts down to zero
        li      s2, 0                   # acc: 32-bit sum of every x, sign-extended
        li      s3, 0x5851f42d          # multiplier
loop:
        mul     t0, s0, s3
        add     s0, t0, s1
        srli    t1, s0, 13
        xor     s0, s0, t1
        addw    s2, s2, s0
        addi    s1, s1, -1
        bnez    s1, loop

        xor     s4, s0, s2              # result

        # Render s4 as 16 hex digits, least significant digit last.
        mv      t6, s4
        la      t2, hex_digits_out + 16
        la      t4, hex_alphabet
        li      t3, 16
digit:
        andi    t5, t6, 15
        add     t5, t4, t5
        lbu     t5, 0(t5)
        addi    t2, t2, -1
        sb      t5, 0(t2)
        srli    t6, t6, 4
        addi    t3, t3, -1
        bnez    t3, digit

        li      a0, 1
        la      a1, line
        li      a2, line_len
        li      a7, SYS_write
        ecall

        andi    a0, s4, 127
        li      a7, SYS_exit_group
        ecall
