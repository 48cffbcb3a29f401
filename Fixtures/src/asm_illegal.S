# asm_illegal: announces itself, then executes an all-zero 32-bit word. The low
# 16 bits being zero make it the defined-illegal compressed encoding, so the
# guest must die by SIGILL (status 132) after the message has been written.

        .equ SYS_write, 64
        .equ SYS_exit_group, 94

        .section .rodata
message:
        .ascii "about to execute an illegal instruction\n"
        .equ message_len, . - message

        .text
        .globl _start
_start:
        # The linker relaxes `la` into gp-relative addressing; with no crt to
        # set gp, do it here (without relaxation, or it would use itself).
        .option push
        .option norelax
        la      gp, __global_pointer$
        .option pop
        li      a0, 1
        la      a1, message
        li      a2, message_len
        li      a7, SYS_write
        ecall

        .word   0

        # Not reached; if it were, status 1 would say the trap was missed.
        li      a0, 1
        li      a7, SYS_exit_group
        ecall
