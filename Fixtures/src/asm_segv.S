# asm_segv: announces itself, then loads from address 0x10, which is never
# mapped (the kernel keeps page zero and above unmapped). No handler is
# installed, so the guest must die by SIGSEGV (status 139).

        .equ SYS_write, 64
        .equ SYS_exit_group, 94

        .section .rodata
message:
        .ascii "about to load from address 0x10\n"
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

        li      t0, 0x10
        ld      t1, 0(t0)

        # Not reached; if it were, status 1 would say the fault was missed.
        li      a0, 1
        li      a7, SYS_exit_group
        ecall
