/* priv_trap: trap entry and return between M, S and U: the cause, epc, tval and status fields
 * each trap writes, what mret/sret restore, delegation through medeleg, vectored mtvec for
 * exceptions, and the instructions a lower mode may not execute. */
#include "test.h"

/* A physical address no device or memory answers on a virt-like machine (between the boot
   ROM and the test finisher): accesses to it end as access faults. */
#define NOWHERE 0x30000

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_trap: trap entry and return, M/S/U"
    la t0, s_trap
    csrw stvec, t0
    li t0, CLINT_MTIMECMP       /* no timer interrupt pending at any point */
    li t1, -1
    sd t1, 0(t0)
    csrw mie, zero

    /* --- ecall from each mode, not delegated --- */
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    EXPECT_M 1f
m_ecall:
    ecall
1:  CHECK_MTRAP CAUSE_ECALL_M, m_ecall, "ecall from M"
    MREC s0, REC_STATUS
    li s1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
    and s0, s0, s1
    CHECK s0, MPP_M | MSTATUS_MPIE, "ecall from M: MPP=M, MPIE=old MIE, MIE=0"
    csrr s0, mstatus
    andi s0, s0, MSTATUS_MIE
    CHECK s0, 0, "M handler runs with MIE clear"

    EXPECT_M 1f
    RUN_IN MODE_S, s_ecall
s_ecall:
    ecall
1:  CHECK_MTRAP CAUSE_ECALL_S, s_ecall, "ecall from S"
    MREC s0, REC_STATUS
    li s1, MSTATUS_MPP
    and s0, s0, s1
    CHECK s0, MPP_S, "ecall from S: MPP=S"
    MREC s0, REC_TVAL
    CHECK s0, 0, "ecall: mtval = 0"

    EXPECT_M 1f
    RUN_IN MODE_U, u_ecall
u_ecall:
    ecall
1:  CHECK_MTRAP CAUSE_ECALL_U, u_ecall, "ecall from U"
    MREC s0, REC_STATUS
    li s1, MSTATUS_MPP
    and s0, s0, s1
    CHECK s0, MPP_U, "ecall from U: MPP=U"

    /* --- mret: MIE <- MPIE, MPIE <- 1, MPP <- U --- */
    li t0, MSTATUS_MPP | MSTATUS_MIE
    csrc mstatus, t0
    li t0, MPP_M | MSTATUS_MPIE
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr s0, mstatus
    li s1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
    and s0, s0, s1
    CHECK s0, MSTATUS_MPIE | MSTATUS_MIE, "mret to M: MIE=MPIE, MPIE=1, MPP=U"
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    /* mret into S with MPIE = 1: the next trap from S saves MIE = 1 into MPIE. */
    EXPECT_M 1f
    li a0, MODE_S
    la a1, 2f
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MPP_S | MSTATUS_MPIE
    csrs mstatus, t0
    csrw mepc, a1
    mret
2:  ecall
1:  MREC s0, REC_STATUS
    li s1, MSTATUS_MPIE | MSTATUS_MIE
    and s0, s0, s1
    CHECK s0, MSTATUS_MPIE, "mret to S copied MPIE=1 into MIE"
    EXPECT_M 1f
    RUN_IN MODE_S, 2f           /* enter_mode clears MPIE */
2:  ecall
1:  MREC s0, REC_STATUS
    li s1, MSTATUS_MPIE
    and s0, s0, s1
    CHECK s0, 0, "mret to S copied MPIE=0 into MIE"

    /* --- sret from S: to U and to S --- */
    EXPECT_M 1f
    RUN_IN MODE_S, 2f
2:  li t0, MSTATUS_SPP | MSTATUS_SIE
    csrc sstatus, t0
    li t0, MSTATUS_SPIE
    csrs sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
3:  ecall                       /* in U */
1:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_U, "sret with SPP=U enters U"
    MREC s0, REC_STATUS
    li s1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    and s0, s0, s1
    CHECK s0, MSTATUS_SPIE | MSTATUS_SIE, "sret: SIE=SPIE, SPIE=1, SPP=U"
    li t0, MSTATUS_SIE | MSTATUS_SPIE
    csrc mstatus, t0

    EXPECT_M 1f
    RUN_IN MODE_S, 2f
2:  li t0, MSTATUS_SPP
    csrs sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
3:  csrr s2, sstatus            /* still S: may read sstatus */
    ecall
1:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "sret with SPP=S stays in S"
    li s1, MSTATUS_SPP | MSTATUS_SPIE
    and s0, s2, s1
    CHECK s0, MSTATUS_SPIE, "sret to S: SPP <- U, SPIE <- 1"

    /* --- instructions and CSRs above the current mode are illegal --- */
    EXPECT_M 1f
    RUN_IN MODE_U, u_mret
u_mret:
    mret
1:  CHECK_MTRAP CAUSE_ILLEGAL, u_mret, "mret in U"
    EXPECT_M 1f
    RUN_IN MODE_U, u_sret
u_sret:
    sret
1:  CHECK_MTRAP CAUSE_ILLEGAL, u_sret, "sret in U"
    EXPECT_M 1f
    RUN_IN MODE_S, s_mret
s_mret:
    mret
1:  CHECK_MTRAP CAUSE_ILLEGAL, s_mret, "mret in S"
    EXPECT_M 1f
    RUN_IN MODE_S, s_csr
s_csr:
    .word 0x30002573            /* csrr a0, mstatus */
1:  CHECK_MTRAP CAUSE_ILLEGAL, s_csr, "S reads mstatus"
    MREC s0, REC_TVAL
    li s1, 0x30002573           /* mtval holds 0 or the instruction */
    xor s1, s0, s1
    snez s1, s1
    snez s0, s0
    and s0, s0, s1
    CHECK s0, 0, "illegal instruction: mtval is 0 or the encoding"
    EXPECT_M 1f
    RUN_IN MODE_U, u_csr
u_csr:
    csrr a0, sstatus
1:  CHECK_MTRAP CAUSE_ILLEGAL, u_csr, "U reads sstatus"
    /* --- breakpoints: 32- and 16-bit --- */
    EXPECT_M 1f
m_ebreak:
    ebreak
1:  CHECK_MTRAP CAUSE_BREAKPOINT, m_ebreak, "ebreak in M"
    MREC s0, REC_TVAL
    la s1, m_ebreak             /* 0 or the pc of the ebreak */
    xor s1, s0, s1
    snez s1, s1
    snez s0, s0
    and s0, s0, s1
    CHECK s0, 0, "ebreak: mtval is 0 or the pc"
    EXPECT_M 1f
    RUN_IN MODE_U, u_cebreak
u_cebreak:
    c.ebreak
1:  CHECK_MTRAP CAUSE_BREAKPOINT, u_cebreak, "c.ebreak in U"

    /* --- address faults: tval is the faulting address --- */
    EXPECT_M 1f
    li a0, NOWHERE
m_load_fault:
    ld a1, 0(a0)
1:  CHECK_MTRAP CAUSE_LOAD_ACCESS, m_load_fault, "load from nowhere"
    MREC s0, REC_TVAL
    CHECK s0, NOWHERE, "load access fault: mtval"
    EXPECT_M 1f
    RUN_IN MODE_U, u_store_fault
u_store_fault:
    li a0, NOWHERE + 8
    sw a0, 0(a0)
1:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_STORE_ACCESS, "store to nowhere from U"
    MREC s0, REC_TVAL
    CHECK s0, NOWHERE + 8, "store access fault: mtval"
    EXPECT_M 1f
    li t0, NOWHERE
    jr t0
1:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_FETCH_ACCESS, "fetch from nowhere"
    MREC s0, REC_EPC
    CHECK s0, NOWHERE, "fetch access fault: mepc = target"
    MREC s0, REC_TVAL
    CHECK s0, NOWHERE, "fetch access fault: mtval = target"

    /* A misaligned load either works or traps with cause 4 and tval = address; one check
       covers both so every conforming hart prints the same line. */
    li t0, 0x1122334455667788
    la a2, scratch
    sd t0, 0(a2)
    sd zero, 8(a2)
    EXPECT_M 1f
    ld s0, 1(a2)
    la t1, m_resume
    sd zero, 0(t1)
    li s1, 0x0011223344556677
    sub s0, s0, s1
    seqz s0, s0
    j 2f
1:  MREC s0, REC_CAUSE
    addi s0, s0, -CAUSE_MISALIGNED_LOAD
    MREC s1, REC_TVAL
    addi a2, a2, 1
    sub s1, s1, a2
    or s0, s0, s1
    seqz s0, s0
2:  CHECK s0, 1, "misaligned load: loads the bytes, or traps with cause 4, tval = address"

    /* With C, a jump to a 2-byte-aligned address is aligned; without C (if misa.C can be
       cleared) it raises a misaligned fetch reported on the jump, tval = target. While C is
       off every instruction must be a 4-byte one. */
    la t0, half_target
    jalr t0
    CHECK a0, 0x77, "jump to a 2-aligned address runs with C"
    .option push
    .option norvc
    .balign 4
    li s0, 1
    li t0, 4
    csrc misa, t0
    csrr t0, misa
    andi t0, t0, 4
    bnez t0, 2f                 /* C stays on: nothing more to see */
    EXPECT_M 1f
    la t0, half_target
fetch_jump:
    jalr t0
    li s0, 0                    /* not reached */
    j 2f
1:  li t0, 4
    csrs misa, t0
    .option pop
    MREC s0, REC_CAUSE
    MREC s1, REC_EPC
    la t0, fetch_jump
    sub s1, s1, t0
    or s0, s0, s1
    MREC s1, REC_TVAL
    la t0, half_target
    sub s1, s1, t0
    or s0, s0, s1
    seqz s0, s0
2:  CHECK s0, 1, "without C (where misa.C clears): misaligned fetch on the jump, tval = target"

    /* --- delegation: medeleg routes U and S exceptions to S, never M's own --- */
    li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL)
    csrw medeleg, t0
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, u_deleg_ecall
u_deleg_ecall:
    ecall
3:  ecall                       /* S handler resumes here, in S */
1:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "delegated U ecall: S handler then ecalls to M"
    CHECK_STRAP CAUSE_ECALL_U, u_deleg_ecall, "delegated U ecall"
    SREC s0, REC_STATUS
    li s1, MSTATUS_SPP
    and s0, s0, s1
    CHECK s0, 0, "delegated from U: SPP=U"
    MREC s0, REC_EPC
    CHECK_ADDR s0, 3b, "the S handler ran in S"

    li t0, MSTATUS_SIE
    csrs mstatus, t0
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_S, s_deleg_ebreak
s_deleg_ebreak:
    ebreak
3:  csrr s3, sstatus
    ecall
1:  CHECK_STRAP CAUSE_BREAKPOINT, s_deleg_ebreak, "delegated S ebreak"
    SREC s0, REC_STATUS
    li s1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    and s0, s0, s1
    CHECK s0, MSTATUS_SPP | MSTATUS_SPIE, "S to S: SPP=S, SPIE=old SIE, SIE=0"

    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, u_deleg_illegal
u_deleg_illegal:
    csrr a0, sstatus
3:  ecall
1:  CHECK_STRAP CAUSE_ILLEGAL, u_deleg_illegal, "delegated illegal instruction"
    SREC s0, REC_TVAL
    li s1, 0x10002573           /* stval holds 0 or the instruction */
    xor s1, s0, s1
    snez s1, s1
    snez s0, s0
    and s0, s0, s1
    CHECK s0, 0, "delegated: stval is 0 or the encoding"

    EXPECT_M 1f
    la t1, s_rec
    sd zero, REC_COUNT(t1)
m_deleg_ebreak:
    ebreak                      /* medeleg never lowers M's own traps */
1:  CHECK_MTRAP CAUSE_BREAKPOINT, m_deleg_ebreak, "delegated cause from M stays in M"
    SREC s0, REC_COUNT
    CHECK s0, 0, "S handler not entered"
    EXPECT_M 1f
    RUN_IN MODE_S, s_undeleg
s_undeleg:
    ecall                       /* ecall from S is not delegated */
1:  CHECK_MTRAP CAUSE_ECALL_S, s_undeleg, "undelegated cause from S goes to M"
    csrw medeleg, zero

    /* --- vectored mtvec: exceptions still go to the base --- */
    la t0, m_vectors + 1
    csrw mtvec, t0
    EXPECT_M 1f
    ecall
1:  la t0, m_trap
    csrw mtvec, t0
    MREC s0, REC_VECTOR
    CHECK s0, 0, "vectored mtvec: exceptions enter at the base"
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_M, "vectored mtvec: cause"
    TEST_END

    .balign 4
    .option push
    .option norvc
    .word 0                     /* padding: half_target is at 4n+2 */
    .option pop
    .balign 4
    .half 0x0001                /* c.nop */
half_target:
    li a0, 0x77
    ret

    .bss
    .balign 16
scratch: .space 16
