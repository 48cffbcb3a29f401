# Every RV64GC instruction, every alias form objdump prints, every compressed form, and edge
# immediates. Assembled by tools/gen-riscv-goldens.sh; objdump's listing of it is the golden.
# Registers vary so that every field position sees low, high and ABI-special registers.

    .option norelax
    .text
    .globl _start
_start:

# ---------------------------------------------------------------- RV64I, 32-bit encodings
    .option norvc
base:
    lui     a0, 0
    lui     a0, 1
    lui     t6, 0xfffff
    lui     s11, 0x80000
    lui     zero, 0x12345
    auipc   a0, 0
    auipc   ra, 0xfffff
    auipc   t0, 0x12345
1:  jal     zero, 1b
    jal     ra, 1b
    jal     t0, 2f
    jal     zero, 2f
    jal     ra, far_target
2:  jalr    zero, 0(ra)
    jalr    ra, 0(a0)
    jalr    zero, 0(a0)
    jalr    ra, 0(ra)
    jalr    t0, 0(t1)
    jalr    zero, 16(a0)
    jalr    ra, -2048(a1)
    jalr    a0, 2047(a1)
3:  beq     a0, a1, 3b
    bne     a0, a1, 4f
    blt     a0, a1, 3b
    bge     a0, a1, 4f
    bltu    a0, a1, 3b
    bgeu    a0, a1, 4f
    beq     a0, zero, 3b
    bne     a0, zero, 3b
    blt     a0, zero, 3b
    bge     a0, zero, 3b
    blt     zero, a0, 3b
    bge     zero, a0, 3b
    beq     zero, a0, 3b
    bne     zero, a0, 3b
    bltu    zero, a0, 3b
    bgeu    zero, a0, 3b
    bltu    a0, zero, 3b
    bgeu    a0, zero, 3b
    bgt     a1, a0, 3b
    blt     zero, zero, 3b
    bge     zero, zero, 3b
    beq     zero, zero, 3b
    bne     zero, zero, 3b
    ble     a1, a0, 3b
4:  lb      a0, 0(a1)
    lh      t6, -1(sp)
    lw      s0, 2047(t6)
    ld      ra, -2048(s1)
    lbu     a0, 4(zero)
    lhu     a0, -4(zero)
    lwu     a5, 8(a4)
    lb      zero, 0(zero)
    sb      a0, 0(a1)
    sh      t6, -1(sp)
    sw      s0, 2047(t6)
    sd      ra, -2048(s1)
    sd      zero, 16(zero)
    .irp imm, 0, 1, -1, 2047, -2048, 16, -16, 0x555, -0x556
    addi    a0, a1, \imm
    slti    a0, a1, \imm
    sltiu   a0, a1, \imm
    xori    a0, a1, \imm
    ori     a0, a1, \imm
    andi    a0, a1, \imm
    addiw   a0, a1, \imm
    .endr
    addi    zero, zero, 0
    addi    a0, zero, 0
    addi    a0, zero, 5
    addi    a0, zero, -2048
    addi    a0, a0, 0
    addi    zero, a0, 0
    addi    zero, zero, 1
    addi    sp, sp, -16
    addiw   a0, a0, 0
    addiw   zero, a0, 0
    sltiu   a0, a1, 1
    sltiu   a0, zero, 1
    xori    a0, a1, -1
    xori    zero, zero, -1
    andi    a0, a1, 255
    andi    a0, a1, 254
    andi    a0, a1, -255
    .irp sh, 0, 1, 31, 32, 63
    slli    a0, a1, \sh
    srli    t0, t1, \sh
    srai    s2, s3, \sh
    .endr
    .irp sh, 0, 1, 17, 31
    slliw   a0, a1, \sh
    srliw   t0, t1, \sh
    sraiw   s2, s3, \sh
    .endr
    add     a0, a1, a2
    add     zero, zero, zero
    sub     a0, a1, a2
    sub     a0, zero, a2
    sub     zero, zero, a2
    sll     a0, a1, a2
    slt     a0, a1, a2
    slt     a0, a1, zero
    slt     a0, zero, a1
    slt     a0, zero, zero
    sltu    a0, a1, a2
    sltu    a0, zero, a2
    sltu    a0, a1, zero
    xor     a0, a1, a2
    srl     a0, a1, a2
    sra     a0, a1, a2
    or      a0, a1, a2
    and     t3, t4, t5
    addw    a0, a1, a2
    subw    a0, a1, a2
    subw    a0, zero, a2
    sllw    a0, a1, a2
    srlw    a0, a1, a2
    sraw    a0, a1, a2
    mv      a0, a1
    not     a0, a1
    neg     a0, a1
    negw    a0, a1
    sext.w  a0, a1
    seqz    a0, a1
    snez    a0, a1
    sltz    a0, a1
    sgtz    a0, a1
    li      a0, 0x7ff
    li      a0, -1
    nop
    fence
    fence   iorw, iorw
    fence   rw, rw
    fence   r, r
    fence   w, w
    fence   r, w
    fence   i, o
    fence   io, rw
    fence   ow, ir
    fence.tso
    .insn i 0x0f, 0, x0, x0, 0x010
    .insn i 0x0f, 0, x0, x0, 0x000
    .insn i 0x0f, 0, x0, x0, 0x0f0
    .insn i 0x0f, 0, a0, a1, 0x0ff
    .insn i 0x0f, 0, x0, x0, -0x700+0xff
    ecall
    ebreak
    unimp

# ---------------------------------------------------------------- Zifencei, Zicsr
    fence.i
    .insn i 0x0f, 1, a0, a1, 5
    csrrw   a0, fflags, a1
    csrrs   a0, frm, a1
    csrrc   a0, fcsr, a1
    csrrwi  a0, fflags, 1
    csrrsi  a0, frm, 31
    csrrci  a0, fcsr, 0
    csrrw   zero, fflags, a1
    csrrw   zero, frm, a1
    csrrw   zero, fcsr, a1
    csrrw   a0, fflags, a1
    csrrw   a0, frm, a1
    csrrw   a0, fcsr, a1
    csrrs   a0, fflags, zero
    csrrs   a0, frm, zero
    csrrs   a0, fcsr, zero
    csrrwi  zero, fflags, 3
    csrrwi  zero, frm, 3
    csrrwi  zero, fcsr, 3
    csrrwi  a0, fflags, 3
    csrrwi  a0, frm, 3
    csrrs   a0, cycle, zero
    csrrs   a0, time, zero
    csrrs   a0, instret, zero
    csrrs   a0, cycleh, zero
    csrrs   a0, 0xc03, zero
    csrrw   zero, mstatus, a0
    csrrs   zero, mstatus, a0
    csrrc   zero, mstatus, a0
    csrrwi  zero, mstatus, 8
    csrrsi  zero, mstatus, 8
    csrrci  zero, mstatus, 8
    csrrsi  a0, mstatus, 8
    csrrci  a0, mstatus, 8
    csrrs   a0, mstatus, a1
    csrrc   a0, mstatus, a1
    csrrs   a0, mstatus, zero
    csrrc   a0, mstatus, zero
    csrrw   a0, mstatus, zero
    csrrsi  a0, mstatus, 0
    csrrci  a0, mstatus, 0
    csrrwi  a0, mstatus, 0
    csrrc   zero, mstatus, zero
    csrrs   zero, mstatus, zero
    csrrw   zero, mstatus, zero

# ---------------------------------------------------------------- every CSR number
    .set csrno, 0
    .rept 4096
    csrrc   a0, csrno, a1
    .set csrno, csrno + 1
    .endr

# ---------------------------------------------------------------- M
    mul     a0, a1, a2
    mulh    a0, a1, a2
    mulhsu  a0, a1, a2
    mulhu   a0, a1, a2
    div     a0, a1, a2
    divu    a0, a1, a2
    rem     a0, a1, a2
    remu    a0, a1, a2
    mulw    a0, a1, a2
    divw    a0, a1, a2
    divuw   a0, a1, a2
    remw    a0, a1, a2
    remuw   s10, s11, t6

# ---------------------------------------------------------------- A
    .irp ord, , .aq, .rl, .aqrl
    lr.w\ord       a0, (a1)
    sc.w\ord       a0, a2, (a1)
    amoswap.w\ord  a0, a2, (a1)
    amoadd.w\ord   a0, a2, (a1)
    amoxor.w\ord   a0, a2, (a1)
    amoand.w\ord   a0, a2, (a1)
    amoor.w\ord    a0, a2, (a1)
    amomin.w\ord   a0, a2, (a1)
    amomax.w\ord   a0, a2, (a1)
    amominu.w\ord  a0, a2, (a1)
    amomaxu.w\ord  a0, a2, (a1)
    lr.d\ord       a0, (a1)
    sc.d\ord       a0, a2, (a1)
    amoswap.d\ord  a0, a2, (a1)
    amoadd.d\ord   a0, a2, (a1)
    amoxor.d\ord   a0, a2, (a1)
    amoand.d\ord   a0, a2, (a1)
    amoor.d\ord    a0, a2, (a1)
    amomin.d\ord   a0, a2, (a1)
    amomax.d\ord   a0, a2, (a1)
    amominu.d\ord  a0, a2, (a1)
    amomaxu.d\ord  a0, a2, (a1)
    .endr
    amoswap.w zero, a2, (a1)
    amoadd.d  zero, zero, (sp)

# ---------------------------------------------------------------- F and D
    flw     fa0, 0(a1)
    flw     ft0, -2048(sp)
    fsw     fa0, 2047(a1)
    fld     fs11, 8(a1)
    fsd     ft11, -8(a1)
    .irp p, s, d
    .irp rm, rne, rtz, rdn, rup, rmm, dyn
    fmadd.\p   fa0, fa1, fa2, fa3, \rm
    fmsub.\p   fa0, fa1, fa2, fa3, \rm
    fnmsub.\p  fa0, fa1, fa2, fa3, \rm
    fnmadd.\p  fa0, fa1, fa2, fa3, \rm
    fadd.\p    ft0, ft1, ft2, \rm
    fsub.\p    ft0, ft1, ft2, \rm
    fmul.\p    ft0, ft1, ft2, \rm
    fdiv.\p    ft0, ft1, ft2, \rm
    fsqrt.\p   ft0, ft1, \rm
    fcvt.w.\p  a0, fa1, \rm
    fcvt.wu.\p a0, fa1, \rm
    fcvt.l.\p  a0, fa1, \rm
    fcvt.lu.\p a0, fa1, \rm
    fcvt.\p\().l  fa0, a1, \rm
    fcvt.\p\().lu fa0, a1, \rm
    .endr
    fsgnj.\p   fa0, fa1, fa2
    fsgnjn.\p  fa0, fa1, fa2
    fsgnjx.\p  fa0, fa1, fa2
    fsgnj.\p   fa0, fa1, fa1
    fsgnjn.\p  fa0, fa1, fa1
    fsgnjx.\p  fa0, fa1, fa1
    fmv.\p     fs0, fs1
    fneg.\p    fs0, fs1
    fabs.\p    fs0, fs1
    fmin.\p    fa0, fa1, fa2
    fmax.\p    fa0, fa1, fa2
    feq.\p     a0, fa1, fa2
    flt.\p     a0, fa1, fa2
    fle.\p     a0, fa1, fa2
    fgt.\p     a0, fa1, fa2
    fge.\p     a0, fa1, fa2
    fclass.\p  a0, fa1
    .endr
    fmadd.s fa0, fa1, fa2, fa3
    fadd.d  fa0, fa1, fa2
    fcvt.w.s a0, fa0
    fcvt.s.w fa0, a0
    fcvt.d.w fa0, a0
    fcvt.d.wu fa0, a0
    .irp rm, rne, rtz, rdn, rup, rmm, dyn
    fcvt.s.w  fa0, a1, \rm
    fcvt.s.wu fa0, a1, \rm
    .endr
    fcvt.s.d fa0, fa1
    fcvt.s.d fa0, fa1, rtz
    fcvt.d.s fa0, fa1
    fmv.x.w a0, fa1
    fmv.w.x fa0, a1
    fmv.x.d a0, fa1
    fmv.d.x fa0, a1
    .insn r4 0x43, 5, 0, fa0, fa1, fa2, fa3
    .insn r  0x53, 6, 0, fa0, fa1, fa2
    .insn r  0x53, 5, 0x2c, fa0, fa1, f0

# ---------------------------------------------------------------- privileged
    sret
    mret
    wfi
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    sfence.vma zero, a1

# ---------------------------------------------------------------- compressed
    .option rvc
comp:
    c.addi4spn a0, sp, 4
    c.addi4spn s0, sp, 1020
    c.addi4spn a5, sp, 512
    c.fld   fa0, 0(a1)
    c.fld   fs0, 248(a5)
    c.lw    a0, 0(a1)
    c.lw    s1, 124(a5)
    c.ld    a0, 0(a1)
    c.ld    s1, 248(a5)
    c.fsd   fa0, 0(a1)
    c.fsd   fs0, 248(a5)
    c.sw    a0, 0(a1)
    c.sw    s1, 124(a5)
    c.sd    a0, 0(a1)
    c.sd    s1, 248(a5)
    c.nop
    c.addi  a0, 1
    c.addi  a0, -1
    c.addi  t6, 31
    c.addi  sp, -32
    c.addiw a0, 1
    c.addiw a0, 0
    c.addiw t6, -32
    c.li    a0, 0
    c.li    a0, 31
    c.li    t6, -32
    c.addi16sp sp, 16
    c.addi16sp sp, -512
    c.addi16sp sp, 496
    c.lui   a0, 1
    c.lui   a0, 0x1f
    c.lui   t6, 0xfffe0
    c.lui   s0, 0xfffff
    c.srli  a0, 1
    c.srli  s1, 63
    c.srli  a5, 32
    c.srai  a0, 1
    c.srai  s1, 63
    c.andi  a0, 0
    c.andi  a0, -1
    c.andi  s1, 31
    c.andi  a5, -32
    c.sub   a0, a1
    c.xor   s0, s1
    c.or    a4, a5
    c.and   a0, a5
    c.subw  a0, a1
    c.addw  s0, a5
5:  c.j     5b
    c.j     6f
    c.beqz  a0, 5b
    c.bnez  s1, 6f
6:  c.beqz  a5, 6b
    c.slli  a0, 1
    c.slli  t6, 63
    c.slli  ra, 32
    c.fldsp fa0, 0(sp)
    c.fldsp ft11, 504(sp)
    c.lwsp  a0, 0(sp)
    c.lwsp  t6, 252(sp)
    c.ldsp  a0, 0(sp)
    c.ldsp  ra, 504(sp)
    c.jr    ra
    c.jr    a0
    c.jalr  a0
    c.jalr  ra
    c.mv    a0, a1
    c.mv    t6, ra
    c.ebreak
    c.add   a0, a1
    c.add   sp, t6
    c.fsdsp fa0, 0(sp)
    c.fsdsp ft11, 504(sp)
    c.swsp  a0, 0(sp)
    c.swsp  t6, 252(sp)
    c.sdsp  a0, 0(sp)
    c.sdsp  ra, 504(sp)
    c.unimp
    # Hints: valid encodings that do nothing.
    .insn   0x0001 | (5 << 2)           # c.nop 5
    .insn   0x0001 | (1 << 12)          # c.nop -32
    .insn   0x0501                      # c.addi a0, 0
    .insn   0x4001 | (5 << 2)           # c.li zero, 5
    .insn   0x6001 | (1 << 2)           # c.lui zero, 1
    .insn   0x8001                      # c.srli s0, 0
    .insn   0x8401                      # c.srai s0, 0
    .insn   0x0002                      # c.slli zero, 0
    .insn   0x0502                      # c.slli a0, 0
    .insn   0x0006                      # c.slli zero, 1
    .insn   0x8006                      # c.mv zero, ra
    .insn   0x9006                      # c.add zero, ra
    .insn   0x0001
    nop

# ---------------------------------------------------------------- objdump's address comments
    .option norvc
    auipc   a0, 0
    addi    a0, a0, 16
    auipc   a1, 1
    ld      a2, -8(a1)
    lui     a3, 0x12345
    addiw   a3, a3, 0x678
    lui     a4, 0x80000
    addiw   a4, a4, -1
    lui     a5, 0x10
    sw      a0, 4(a5)
    lui     t0, 0x1
    flw     fa0, 8(t0)
    auipc   t1, 0
    jalr    ra, 12(t1)
    auipc   t2, 0
    jalr    zero, 0(t2)
    auipc   ra, 0
    jalr    ra, 0(ra)
    auipc   s1, 0
    ret
    jalr    zero, 8(s1)
    lui     s2, 0x2
    addi    s2, s2, 0
    addi    s2, s2, 0
    addi    s2, s2, 4
    addi    s2, s2, 4
    ld      a0, 16(tp)
    ld      a0, 16(gp)
    sd      a0, -16(tp)
    addi    a0, tp, 8
    addi    a0, gp, 8
    addiw   a0, zero, 5
    lui     a0, 0x1
    add     a0, a0, a1
    ld      a1, 0(a0)
    .option rvc
    c.lui   a0, 1
    c.addi  a0, 4
    addi    a0, a0, 4
    c.lui   a3, 3
    c.addiw a3, 5
    c.lui   a4, 0xfffff
    c.addiw a4, -1
    c.lui   a5, 4
    c.addiw a5, 0
    addiw   a5, a5, 1
    c.lui   a1, 2
    c.lw    a2, 0(a1)
    lw      a2, 0(a1)
    .insn   0x6001 | (1 << 2)
    lb      a0, 4(zero)
    .option norvc

far_target:
    ret
