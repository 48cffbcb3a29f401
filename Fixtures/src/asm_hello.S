# asm_hello: the smallest useful program. One write(2) to stdout, then exit(0).
# No libc, no stack use: the first thing a new interpreter should be able to run.

        .equ SYS_write, 64
        .equ SYS_exit, 93

        .section .rodata
message:
        .ascii "Hello from RISC-V assembly!\n"
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
        li      a0, 1                   # fd = stdout
        la      a1, message
        li      a2, message_len
        li      a7, SYS_write
        ecall

        li      a0, 0
        li      a7, SYS_exit            # plain exit (not exit_group): single-threaded either way
        ecall
