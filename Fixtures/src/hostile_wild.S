# hostile_wild: one wild memory access or jump per run, chosen by the first
# letter of argv[1]; no handler is installed, so every case must die by
# SIGSEGV (status 139) after announcing itself (case n: SIGBUS, 135, because a
# misaligned AMO faults on its alignment first). A case that survives prints
# "survived" and exits 1. The addresses lie outside anything a Linux process
# maps: just above and straddling the 2^38 Sv39 user limit, the top of the
# x86-64 user half, non-canonical and kernel-half addresses, addresses that wrap
# around the top of the address space, and (case m, r) the program's own
# read-only text and non-executable stack.
#
#   a  ld    2^38                      j  fld   2^46 + 3 (misaligned)
#   b  sd    straddling 2^38 (2^38-4)  k  amoadd.d  2^39
#   c  lw    2^47 - 8                  l  lr.d  0x7ffffffff000
#   d  lb    2^63 (non-canonical)      m  sw    into own .text
#   e  sh    -2                        n  amoswap.w  2^62 + 2 (misaligned)
#   f  sb    0xffff800000000000        o  fsd   2^42 + 0x1000
#   g  jalr  2^40                      p  c.ld  2^45 (compressed load)
#   h  jalr  -2                        q  ld    -4 (8 bytes wrapping past 2^64)
#   i  jalr  0 (null function)         r  jalr  into the stack (not executable)
#   s  lhu   0x0000800000000000 (first non-canonical address)

        .equ SYS_write, 64
        .equ SYS_exit_group, 94

        .section .rodata
announce:
        .ascii "case ?\n"
survived:
        .ascii "survived\n"
unknown:
        .ascii "unknown case\n"

        .text
        .globl _start
_start:
        .option push
        .option norelax
        la      gp, __global_pointer$
        .option pop
        ld      t0, 0(sp)               # argc
        li      t1, 2
        blt     t0, t1, bad_case
        ld      t0, 16(sp)              # argv[1]
        lbu     s0, 0(t0)

        # Announce the case: copy the message to the stack and patch the letter.
        addi    sp, sp, -16
        la      t0, announce
        ld      t1, 0(t0)
        sd      t1, 0(sp)
        sb      s0, 5(sp)
        li      a0, 1
        mv      a1, sp
        li      a2, 7
        li      a7, SYS_write
        ecall

        # Dispatch on the letter through a table of case addresses.
        addi    t0, s0, -'a'
        li      t1, 's' - 'a' + 1
        bgeu    t0, t1, bad_case
        la      t1, cases
        slli    t0, t0, 3
        add     t1, t1, t0
        ld      t1, 0(t1)
        jr      t1

case_a: li      t0, 1 << 38
        ld      t1, 0(t0)
        j       alive
case_b: li      t0, (1 << 38) - 4
        sd      zero, 0(t0)
        j       alive
case_c: li      t0, (1 << 47) - 8
        lw      t1, 0(t0)
        j       alive
case_d: li      t0, 1
        slli    t0, t0, 63
        lb      t1, 0(t0)
        j       alive
case_e: li      t0, -2
        sh      zero, 0(t0)
        j       alive
case_f: li      t0, 0xffff800000000000
        sb      zero, 0(t0)
        j       alive
case_g: li      t0, 1 << 40
        jalr    t0
        j       alive
case_h: li      t0, -2
        jalr    t0
        j       alive
case_i: li      t0, 0
        jalr    t0
        j       alive
case_j: li      t0, (1 << 46) + 3
        fld     ft0, 0(t0)
        j       alive
case_k: li      t0, 1 << 39
        li      t1, 1
        amoadd.d t2, t1, (t0)
        j       alive
case_l: li      t0, 0x7ffffffff000
        lr.d    t1, (t0)
        j       alive
case_m: la      t0, _start
        sw      zero, 0(t0)
        j       alive
case_n: li      t0, (1 << 62) + 2
        li      t1, 5
        amoswap.w t2, t1, (t0)
        j       alive
case_o: li      t0, (1 << 42) + 0x1000
        fsd     ft0, 0(t0)
        j       alive
case_p: li      a0, 1 << 45
        c.ld    a1, 8(a0)
        j       alive
case_q: li      t0, -4
        ld      t1, 0(t0)
        j       alive
case_r: li      t0, 0x00008067          # `ret`, written to the stack and jumped to
        sw      t0, 8(sp)
        fence.i
        addi    t0, sp, 8
        jalr    t0
        j       alive
case_s: li      t0, 1 << 47
        lhu     t1, 0(t0)
        j       alive

alive:  li      a0, 1
        la      a1, survived
        li      a2, 9
        li      a7, SYS_write
        ecall
        li      a0, 1
        li      a7, SYS_exit_group
        ecall

bad_case:
        li      a0, 1
        la      a1, unknown
        li      a2, 13
        li      a7, SYS_write
        ecall
        li      a0, 2
        li      a7, SYS_exit_group
        ecall

        .section .rodata
        .balign 8
cases:
        .dword case_a, case_b, case_c, case_d, case_e, case_f, case_g, case_h, case_i
        .dword case_j, case_k, case_l, case_m, case_n, case_o, case_p, case_q, case_r, case_s
