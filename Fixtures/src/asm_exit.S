# asm_exit: exit_group(42) and nothing else, so the only observable is the status.

        .equ SYS_exit_group, 94

        .text
        .globl _start
_start:
        li      a0, 42
        li      a7, SYS_exit_group
        ecall
