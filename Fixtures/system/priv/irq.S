/* priv_irq: every interrupt source and how it is taken: CLINT timer (MTIP) and software
 * (MSIP) interrupts, the supervisor timer of Sstc (stimecmp, STIP), SSIP set by software,
 * external interrupts from the UART through the PLIC (its transmitter-empty interrupt needs
 * no input) to M and to S; global enables per mode, priorities, delegation, vectored
 * mtvec/stvec, and wfi waking up. */
#include "test.h"

#define PLIC_PRIORITY(irq) (PLIC_BASE + 4 * (irq))
#define PLIC_M_ENABLE      (PLIC_BASE + 0x2000)     /* hart 0, M-mode context (0) */
#define PLIC_S_ENABLE      (PLIC_BASE + 0x2080)     /* hart 0, S-mode context (1) */
#define PLIC_M_THRESHOLD   (PLIC_BASE + 0x200000)
#define PLIC_M_CLAIM       (PLIC_BASE + 0x200004)
#define PLIC_S_THRESHOLD   (PLIC_BASE + 0x201000)
#define PLIC_S_CLAIM       (PLIC_BASE + 0x201004)
#define TICKS_SOON 1000                            /* 100 us at 10 MHz */

/* mtimecmp = mtime + \delta (a register or -1 for "never") */
.macro MTIMER_IN delta
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    add t1, t1, \delta
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
.endm
.macro MTIMER_OFF
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
.endm
.macro MIP_BIT reg, irq
    csrr \reg, mip
    srli \reg, \reg, \irq
    andi \reg, \reg, 1
.endm

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_irq: interrupt sources, enables, priorities, delegation, wfi"
    la t0, s_trap
    csrw stvec, t0
    MTIMER_OFF
    csrw mie, zero
    csrw mideleg, zero

    /* --- machine timer --- */
    MIP_BIT s0, IRQ_MTI
    CHECK s0, 0, "mtimecmp in the future: MTIP clear"
    li s2, TICKS_SOON
    MTIMER_IN s2
    li t0, 1 << IRQ_MTI
    csrs mie, t0
    EXPECT_M 1f
    WAIT_MIP IRQ_MTI            /* MIE = 0: MTIP becomes pending but is not taken */
    la t1, m_resume
    sd zero, 0(t1)
1:  MREC s0, REC_CAUSE
    CHECK s0, -1, "MTIP with mstatus.MIE=0: not taken in M"
    MIP_BIT s0, IRQ_MTI
    CHECK s0, 1, "mtime passed mtimecmp: MTIP set"
    EXPECT_M 1f
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    SPIN
1:  MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_MTI, "MIE=1: machine timer interrupt taken"
    MREC s0, REC_STATUS
    li s1, MSTATUS_MIE | MSTATUS_MPIE
    and s0, s0, s1
    CHECK s0, MSTATUS_MPIE, "interrupt entry: MPIE=1, MIE=0"
    MTIMER_OFF
    MIP_BIT s0, IRQ_MTI
    CHECK s0, 0, "writing mtimecmp clears MTIP"

    /* M interrupts are always on in lower modes, whatever MIE says. */
    li s2, TICKS_SOON
    MTIMER_IN s2
    EXPECT_M 1f
    RUN_IN MODE_U, 2f
2:  SPIN
    ecall
1:  MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_MTI, "MTIP taken from U with MIE=0"
    MREC s0, REC_STATUS
    li s1, MSTATUS_MPP
    and s0, s0, s1
    CHECK s0, MPP_U, "interrupt from U: MPP=U"
    MREC s0, REC_EPC
    la s1, 2b
    sub s0, s0, s1
    sltiu s0, s0, 16
    CHECK s0, 1, "interrupt: mepc = an instruction of the interrupted loop"
    MTIMER_OFF

    /* --- machine software interrupt, and MSI beating MTI --- */
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    MIP_BIT s0, IRQ_MSI
    CHECK s0, 1, "CLINT msip=1: MSIP set"
    li s2, 0
    MTIMER_IN s2                /* MTIP pending as well */
    li t0, 1 << IRQ_MSI
    csrs mie, t0
    EXPECT_M 1f
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    SPIN
1:  MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_MSI, "MSIP and MTIP pending: MSI first"
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    MIP_BIT s0, IRQ_MSI
    CHECK s0, 0, "CLINT msip=0: MSIP clear"
    EXPECT_M 1f
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    SPIN
1:  MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_MTI, "then MTI"
    MTIMER_OFF
    csrw mie, zero

    /* --- SSIP written by software, not delegated: taken in M --- */
    li t0, 1 << IRQ_SSI
    csrs mie, t0
    csrs mip, t0
    EXPECT_M 1f
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    SPIN
1:  MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_SSI, "SSIP not delegated: taken in M"
    li t0, 1 << IRQ_SSI
    csrc mip, t0

    /* --- SSIP delegated: never taken in M, taken in S only with SIE, always in U --- */
    csrw mideleg, t0
    csrs mip, t0
    EXPECT_M 1f
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    SPIN 100000
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    la t1, m_resume
    sd zero, 0(t1)
1:  MREC s0, REC_CAUSE
    CHECK s0, -1, "delegated SSIP: not taken in M"
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_S, 2f           /* SIE = 0 */
2:  SPIN 100000
    ecall
3:  ecall
1:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "delegated SSIP in S with SIE=0: not taken"
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_S, 2f
2:  li t0, MSTATUS_SIE
    csrs sstatus, t0
    SPIN
    ecall
3:  ecall
1:  SREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_SSI, "delegated SSIP in S with SIE=1: taken in S"
    SREC s0, REC_STATUS
    li s1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    and s0, s0, s1
    CHECK s0, MSTATUS_SPP | MSTATUS_SPIE, "S interrupt entry: SPP=S, SPIE=1, SIE=0"
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, 2f
2:  SPIN
    ecall
3:  csrwi sip, 0            /* S clears its own SSIP */
    ecall
1:  SREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_SSI, "delegated SSIP in U: taken in S"
    MIP_BIT s0, IRQ_SSI
    CHECK s0, 0, "S cleared SSIP through sip"
    /* vectored stvec: an interrupt enters at base + 4 * cause */
    la t0, s_vectors + 1
    csrw stvec, t0
    li t0, 1 << IRQ_SSI
    csrs mip, t0
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, 2f
2:  SPIN
    ecall
3:  csrwi sip, 0
    ecall
1:  SREC s0, REC_VECTOR
    CHECK s0, IRQ_SSI, "vectored stvec: SSI enters at entry 1"
    la t0, s_trap
    csrw stvec, t0
    csrw mie, zero
    csrw mideleg, zero

    /* --- Sstc: stimecmp raises STIP (S may use it with menvcfg.STCE and mcounteren.TM) --- */
    li t0, 2
    csrw mcounteren, t0
    li t0, 1
    slli t0, t0, 63
    csrs 0x30a, t0              /* menvcfg.STCE */
    csrr t0, time
    li t1, 1
    slli t1, t1, 40
    add t0, t0, t1
    csrw 0x14d, t0              /* stimecmp far ahead */
    MIP_BIT s0, IRQ_STI
    CHECK s0, 0, "stimecmp in the future: STIP clear"
    csrr t1, time
    csrw 0x14d, t1
    MIP_BIT s0, IRQ_STI
    CHECK s0, 1, "time >= stimecmp: STIP set"
    li t0, 1 << IRQ_STI
    csrs mip, t0
    csrc mip, t0
    MIP_BIT s0, IRQ_STI
    CHECK s0, 1, "with STCE, mip.STIP follows stimecmp, not writes"
    li t0, (1 << IRQ_STI) | (1 << IRQ_SSI)
    csrw mideleg, t0
    csrw mie, t0
    li t0, 1 << IRQ_SSI
    csrs mip, t0
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, 2f
2:  SPIN
    ecall
3:  ecall
1:  SREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_SSI, "SSIP and STIP pending: SSI first"
    li t0, 1 << IRQ_SSI
    csrc mip, t0
    la t0, s_vectors + 1
    csrw stvec, t0
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, 2f
2:  SPIN
    ecall
3:  csrr t0, time            /* S acknowledges by moving stimecmp far ahead */
    li t1, 1
    slli t1, t1, 40
    add t0, t0, t1
    csrw 0x14d, t0
    ecall
1:  SREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_STI, "STIP delegated: taken in S"
    SREC s0, REC_VECTOR
    CHECK s0, IRQ_STI, "vectored stvec: STI enters at entry 5"
    MIP_BIT s0, IRQ_STI
    CHECK s0, 0, "stimecmp moved: STIP clear"
    la t0, s_trap
    csrw stvec, t0
    csrw mie, zero
    csrw mideleg, zero

    /* --- external: the UART's transmitter-empty interrupt through the PLIC --- */
    li t0, PLIC_PRIORITY(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_M_ENABLE
    li t1, 1 << UART_IRQ
    sw t1, 0(t0)
    li t0, PLIC_M_THRESHOLD
    sw zero, 0(t0)
    li t0, UART_BASE
    li t1, 0x02                 /* IER: transmitter holding register empty */
    sb t1, UART_IER(t0)
    WAIT_MIP IRQ_MEI
    MIP_BIT s0, IRQ_MEI
    CHECK s0, 1, "UART TX-empty interrupt: MEIP set"
    li t0, 1 << IRQ_MEI
    csrs mie, t0
    la t0, m_vectors + 1        /* vectored: MEI enters at entry 11 */
    csrw mtvec, t0
    EXPECT_M 1f
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    SPIN
1:  la t0, m_trap
    csrw mtvec, t0
    /* claim, quiet the UART, complete; no console output before that, since writing to the
       UART would raise its TX-empty request again */
    li t0, PLIC_M_CLAIM
    lw s3, 0(t0)
    lw s4, 0(t0)
    li t0, UART_BASE
    sb zero, UART_IER(t0)
    li t0, PLIC_M_CLAIM
    sw s3, 0(t0)
    MIP_BIT s5, IRQ_MEI
    MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_MEI, "machine external interrupt taken"
    MREC s0, REC_VECTOR
    CHECK s0, IRQ_MEI, "vectored mtvec: MEI enters at entry 11"
    CHECK s3, UART_IRQ, "PLIC claim names the UART"
    CHECK s4, 0, "claimed: a second claim finds nothing"
    CHECK s5, 0, "completed with the source quiet: MEIP clear"
    csrw mie, zero
    /* the same source routed to S-mode's context instead, delegated */
    li t0, PLIC_M_ENABLE
    sw zero, 0(t0)
    li t0, PLIC_S_ENABLE
    li t1, 1 << UART_IRQ
    sw t1, 0(t0)
    li t0, PLIC_S_THRESHOLD
    sw zero, 0(t0)
    li t0, 1 << IRQ_SEI
    csrw mideleg, t0
    csrw mie, t0
    li t0, UART_BASE
    li t1, 0x02
    sb t1, UART_IER(t0)
    EXPECT_M 1f
    EXPECT_S 3f
    RUN_IN MODE_U, 2f
2:  SPIN
    ecall
3:  li t0, PLIC_S_CLAIM
    lw s3, 0(t0)
    li t0, UART_BASE
    sb zero, UART_IER(t0)
    li t0, PLIC_S_CLAIM
    sw s3, 0(t0)
    ecall
1:  SREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_SEI, "supervisor external interrupt taken in S"
    CHECK s3, UART_IRQ, "S-context claim names the UART"
    MIP_BIT s0, IRQ_SEI
    CHECK s0, 0, "completed: SEIP clear"
    csrw mie, zero
    csrw mideleg, zero

    /* --- wfi wakes on a pending enabled interrupt, taken or not --- */
    li s2, TICKS_SOON
    MTIMER_IN s2
    li t0, 1 << IRQ_MTI
    csrw mie, t0
    EXPECT_M 1f
    li s3, 1000000
2:  wfi                         /* MIE = 0: wakes up and goes on, no trap */
    MIP_BIT t0, IRQ_MTI
    addi s3, s3, -1
    beqz s3, 3f
    beqz t0, 2b                 /* wfi may also return early: wait again */
3:  la t1, m_resume
    sd zero, 0(t1)
1:  MREC s0, REC_CAUSE
    CHECK s0, -1, "wfi with MIE=0 resumes without a trap"
    MIP_BIT s0, IRQ_MTI
    CHECK s0, 1, "... once MTIP is pending"
    MTIMER_OFF
    EXPECT_M 1f
    li t0, MSTATUS_MIE          /* enabled first, armed last: nothing can come before wfi */
    csrs mstatus, t0
    li s2, 100000               /* 10 ms */
    MTIMER_IN s2
m_wfi:
    wfi
    SPIN
1:  MREC s0, REC_CAUSE
    CHECK s0, INTERRUPT | IRQ_MTI, "wfi with MIE=1: the interrupt is taken"
    MREC s0, REC_EPC
    la s1, m_wfi + 4
    sub s0, s0, s1
    sltiu s0, s0, 16
    CHECK s0, 1, "mepc after the wfi (wfi+4, or the spin if wfi returned early)"
    MTIMER_OFF
    csrw mie, zero
    TEST_END
