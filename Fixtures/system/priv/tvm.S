/* priv_tvm: the traps M-mode can set on S-mode (mstatus.TVM, TW, TSR) and the counter
 * enables: cycle, time and instret are readable in S only with the mcounteren bit and in U
 * only with both the mcounteren and scounteren bits; stimecmp needs menvcfg.STCE and
 * mcounteren.TM. */
#include "test.h"

/* Runs \snippet in \mode; s0 = cause of the trap that ended it (ecall = it worked), s5 = a4
   (what the snippet read). */
.macro TRY mode, snippet
    EXPECT_M 9040f
    RUN_IN \mode, \snippet
9040: mv s5, a4
    MREC s0, REC_CAUSE
.endm

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_tvm: TVM, TW, TSR and the counter enables"
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    csrw mie, zero

    /* --- TVM: satp and sfence.vma trap in S --- */
    TRY MODE_S, s_satp
    CHECK s0, CAUSE_ECALL_S, "TVM=0: S reads and writes satp"
    TRY MODE_S, s_sfence
    CHECK s0, CAUSE_ECALL_S, "TVM=0: S runs sfence.vma"
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    TRY MODE_S, s_satp
    CHECK s0, CAUSE_ILLEGAL, "TVM=1: S satp access is illegal"
    TRY MODE_S, s_sfence
    CHECK s0, CAUSE_ILLEGAL, "TVM=1: S sfence.vma is illegal"
    csrr s0, satp
    CHECK s0, 0, "TVM=1: M still reads satp"
    li t0, MSTATUS_TVM
    csrc mstatus, t0

    /* --- TW: wfi in S. Without TW it waits for an interrupt that is enabled in mie, even
       one masked by SIE = 0: a delegated SSIP is already pending, so it returns at once. --- */
    li t0, 1 << IRQ_SSI
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    TRY MODE_S, s_wfi
    CHECK s0, CAUSE_ECALL_S, "TW=0: S wfi returns on a pending (masked) interrupt"
    li t0, 1 << IRQ_SSI
    csrc mip, t0
    csrw mie, zero
    csrw mideleg, zero
    li t0, MSTATUS_TW
    csrs mstatus, t0
    TRY MODE_S, s_wfi
    CHECK s0, CAUSE_ILLEGAL, "TW=1: S wfi with nothing pending is illegal"
    TRY MODE_U, s_wfi
    CHECK s0, CAUSE_ILLEGAL, "TW=1: U wfi is illegal"
    li t0, MSTATUS_TW
    csrc mstatus, t0

    /* --- TSR: sret traps in S --- */
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    TRY MODE_S, s_sret
    CHECK s0, CAUSE_ILLEGAL, "TSR=1: S sret is illegal"
    li t0, MSTATUS_TSR
    csrc mstatus, t0
    TRY MODE_S, s_sret
    CHECK s0, CAUSE_ECALL_S, "TSR=0: S sret works"

    /* --- counters --- */
    csrr s2, cycle
    csrr s3, instret
    csrr s4, time
    nop
    csrr s0, instret
    sltu s0, s3, s0
    CHECK s0, 1, "M: instret counts up"
    csrr s0, cycle
    sltu s0, s2, s0
    CHECK s0, 1, "M: cycle counts up"
    csrw mcounteren, zero
    csrw scounteren, zero
    TRY MODE_S, s_cycle
    CHECK s0, CAUSE_ILLEGAL, "mcounteren.CY=0: S cycle is illegal"
    TRY MODE_S, s_time
    CHECK s0, CAUSE_ILLEGAL, "mcounteren.TM=0: S time is illegal"
    TRY MODE_S, s_instret
    CHECK s0, CAUSE_ILLEGAL, "mcounteren.IR=0: S instret is illegal"
    li t0, 7
    csrw mcounteren, t0
    TRY MODE_S, s_cycle
    CHECK s0, CAUSE_ECALL_S, "mcounteren.CY=1: S reads cycle"
    TRY MODE_S, s_time
    CHECK s0, CAUSE_ECALL_S, "mcounteren.TM=1: S reads time"
    sltu s0, s4, s5
    CHECK s0, 1, "time counts up"
    TRY MODE_S, s_instret
    CHECK s0, CAUSE_ECALL_S, "mcounteren.IR=1: S reads instret"
    TRY MODE_U, s_cycle
    CHECK s0, CAUSE_ILLEGAL, "scounteren.CY=0: U cycle is illegal"
    TRY MODE_U, s_time
    CHECK s0, CAUSE_ILLEGAL, "scounteren.TM=0: U time is illegal"
    li t0, 7
    csrw scounteren, t0
    TRY MODE_U, s_cycle
    CHECK s0, CAUSE_ECALL_U, "both bits: U reads cycle"
    TRY MODE_U, s_time
    CHECK s0, CAUSE_ECALL_U, "both bits: U reads time"
    TRY MODE_U, s_instret
    CHECK s0, CAUSE_ECALL_U, "both bits: U reads instret"
    li t0, 2
    csrw mcounteren, t0
    TRY MODE_U, s_cycle
    CHECK s0, CAUSE_ILLEGAL, "scounteren.CY=1 but mcounteren.CY=0: U cycle is illegal"

    /* --- stimecmp from S: needs STCE and TM --- */
    li t0, 1
    slli t0, t0, 63
    csrc 0x30a, t0              /* menvcfg.STCE = 0 */
    TRY MODE_S, s_stimecmp
    CHECK s0, CAUSE_ILLEGAL, "menvcfg.STCE=0: S stimecmp is illegal"
    li t0, 1
    slli t0, t0, 63
    csrs 0x30a, t0
    TRY MODE_S, s_stimecmp
    CHECK s0, CAUSE_ECALL_S, "STCE=1, TM=1: S reads stimecmp"
    csrw mcounteren, zero
    TRY MODE_S, s_stimecmp
    CHECK s0, CAUSE_ILLEGAL, "STCE=1, TM=0: S stimecmp is illegal"
    TEST_END

s_satp:
    csrr a4, satp
    csrw satp, zero
    ecall
s_sfence:
    sfence.vma
    ecall
s_wfi:
    wfi
    ecall
s_sret:
    li t0, MSTATUS_SPP          /* sret to S, right at the ecall */
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
s_cycle:
    csrr a4, cycle
    ecall
s_time:
    csrr a4, time
    ecall
s_instret:
    csrr a4, instret
    ecall
s_stimecmp:
    csrr a4, 0x14d
    ecall
