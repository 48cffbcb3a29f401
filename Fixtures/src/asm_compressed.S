# asm_compressed: exercises the RVC (compressed) forms available on RV64 by
# spelling them out as c.* mnemonics, so the assembler must emit 16-bit
# encodings (it rejects a c.* form whose operands do not fit). Every
# intermediate result is folded into a checksum in s1, printed in hex.
# Not covered on purpose: c.ebreak (would trap) and c.jal (RV32 only).

        .equ SYS_write, 64
        .equ SYS_exit_group, 94

        # s1 = mix(s1 + reg), using only compressed instructions; a5 is scratch.
        .macro mix reg
        c.add   s1, \reg
        c.mv    a5, s1
        c.slli  a5, 13
        c.xor   s1, a5
        c.mv    a5, s1
        c.srli  a5, 7
        c.xor   s1, a5
        .endm

        .data
line:
        .ascii "asm_compressed: checksum = 0x"
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
        c.li    s1, 0
        c.addi16sp sp, -64              # 64-byte frame, stays 16-byte aligned
        c.addi4spn s0, sp, 16           # s0 = sp + 16: a base register for c.ld/c.sd

        # Immediates and register-register arithmetic.
        c.li    a0, 21
        c.addi  a0, 5                   # 26
        mix     a0
        c.lui   a1, 0x12                # 0x12000
        c.addiw a1, -3                  # 0x11ffd
        mix     a1
        c.li    a2, -17
        c.mv    a3, a2
        c.add   a3, a1
        mix     a3
        c.sub   a3, a0
        mix     a3
        c.xor   a3, a1
        mix     a3
        c.or    a3, a0
        mix     a3
        c.and   a3, a1
        mix     a3
        c.lui   a4, 0xfffe0             # nzimm -32: a4 = -0x2000000
        mix     a4
        c.li    a4, 3
        c.slli  a4, 30                  # 0xc0000000: positive in 64 bits
        c.addw  a4, a4                  # 32-bit sum wraps to 0x80000000, sign-extends
        mix     a4
        c.subw  a4, a1
        mix     a4
        c.andi  a4, -8
        mix     a4
        c.mv    a2, a4
        c.srai  a2, 3                   # arithmetic: keeps the sign
        mix     a2
        c.srli  a4, 3                   # logical: clears the top bits
        mix     a4
        c.slli  a4, 40
        mix     a4

        # Stack-pointer-relative loads and stores.
        c.sdsp  s1, 0(sp)
        c.swsp  a3, 8(sp)
        c.ldsp  a0, 0(sp)
        mix     a0
        c.lwsp  a0, 8(sp)               # sign-extends the 32-bit value
        mix     a0

        # Register-based loads and stores (compressed base register s0).
        c.sd    a1, 8(s0)
        c.sw    a2, 16(s0)
        c.ld    a3, 8(s0)
        mix     a3
        c.lw    a3, 16(s0)
        mix     a3

        # Double-precision loads and stores, both forms.
        c.li    a0, 3
        fcvt.d.l fa0, a0
        fadd.d  fa0, fa0, fa0           # 6.0
        c.fsd   fa0, 24(s0)
        c.fld   fa1, 24(s0)
        fadd.d  fa1, fa1, fa0           # 12.0
        c.fsdsp fa1, 32(sp)
        c.fldsp fa2, 32(sp)
        fmv.x.d a0, fa2
        mix     a0

        # Branches: a counted loop with c.bnez and an exit test with c.beqz.
        c.li    a0, 10
        c.li    a1, 0
count:
        c.add   a1, a0
        c.addi  a0, -1
        c.bnez  a0, count
        mix     a1                      # 55
        c.beqz  a0, skipped             # taken: a0 == 0
        c.li    a1, 31                  # skipped
skipped:
        mix     a1
        c.j     over
        c.li    a1, 7                   # skipped
over:
        c.nop
        mix     a1

        # Calls: c.jalr to a leaf that returns with c.jr ra.
        la      t0, triple
        c.li    a0, 14
        c.jalr  t0
        mix     a0
        la      t1, after_jump
        c.jr    t1
        c.li    a0, 9                   # skipped
after_jump:
        mix     a0

        c.addi16sp sp, 64

        # Render s1 as 16 hex digits (a0..a4 so the compressed forms apply).
        c.mv    a0, s1
        la      a1, hex_digits_out + 16
        la      a2, hex_alphabet
        c.li    a3, 16
digit:
        c.mv    a4, a0
        c.andi  a4, 15
        c.add   a4, a2
        lbu     a4, 0(a4)
        c.addi  a1, -1
        sb      a4, 0(a1)
        c.srli  a0, 4
        c.addi  a3, -1
        c.bnez  a3, digit

        c.li    a0, 1
        la      a1, line
        li      a2, line_len
        li      a7, SYS_write
        ecall

        c.li    a0, 0
        li      a7, SYS_exit_group
        ecall

triple:
        c.mv    a2, a0
        c.add   a0, a2
        c.add   a0, a2
        c.jr    ra
