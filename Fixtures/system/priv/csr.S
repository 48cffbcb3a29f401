/* priv_csr: the WARL behaviour of the machine and supervisor CSRs, checked from M-mode.
 * Only what the privileged spec requires is checked, so any conforming hart passes: e.g. a
 * reserved mtvec mode must read back as some legal mode, not as one particular value. */
#include "test.h"

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_csr: CSR WARL behaviour"

    /* --- mstatus.MPP / SPP hold every implemented mode --- */
    li s1, MSTATUS_MPP
    csrc mstatus, s1
    li s2, MPP_S
    csrs mstatus, s2
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, MPP_S, "mstatus.MPP holds S"
    csrc mstatus, s1
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, MPP_U, "mstatus.MPP holds U"
    csrs mstatus, s1
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, MPP_M, "mstatus.MPP holds M"
    li s1, MSTATUS_SPP
    csrs mstatus, s1
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, MSTATUS_SPP, "mstatus.SPP holds S"
    csrc mstatus, s1
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, 0, "mstatus.SPP holds U"

    /* --- sstatus is a restricted view of mstatus --- */
    li s1, MSTATUS_SIE
    csrs sstatus, s1
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, MSTATUS_SIE, "sstatus.SIE writes mstatus.SIE"
    csrc mstatus, s1
    csrr s0, sstatus
    and s0, s0, s1
    CHECK s0, 0, "mstatus.SIE clear shows in sstatus"
    li s1, MSTATUS_MIE | MSTATUS_MPP
    csrc mstatus, s1
    csrs sstatus, s1
    csrr s0, mstatus
    and s0, s0, s1
    CHECK s0, 0, "sstatus cannot set MIE or MPP"
    csrr s0, sstatus
    li s1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
    and s0, s0, s1
    CHECK s0, 0, "sstatus hides the M-only fields"

    /* --- FS: Off makes FP illegal, a write makes it Dirty and sets SD --- */
    li s1, MSTATUS_FS
    csrc mstatus, s1
    TRY_M csrr s0, fcsr
    CHECK s11, 1, "FS=Off: fcsr access traps"
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ILLEGAL, "FS=Off: cause illegal instruction"
    TRY_M fmv.d.x f1, zero
    CHECK s11, 1, "FS=Off: FP instruction traps"
    li s2, 1 << 13
    csrs mstatus, s2            /* Initial */
    csrr s0, mstatus
    srli s0, s0, 63
    CHECK s0, 0, "FS=Initial: SD clear"
    fmv.d.x f1, zero
    csrr s0, mstatus
    and s3, s0, s1
    CHECK s3, MSTATUS_FS, "FP write makes FS Dirty"
    srli s0, s0, 63
    CHECK s0, 1, "FS=Dirty: SD set"
    csrr s0, sstatus
    srli s0, s0, 63
    CHECK s0, 1, "sstatus.SD mirrors it"
    csrc mstatus, s1
    li s2, 2 << 13
    csrs mstatus, s2            /* Clean */
    csrr s0, mstatus
    srli s0, s0, 63
    CHECK s0, 0, "FS=Clean: SD clear"

    /* --- misa: RV64 with I M A F D C S U --- */
    csrr s0, misa
    srli s1, s0, 62
    CHECK s1, 2, "misa.MXL = 64"
    li s1, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
    and s0, s0, s1
    CHECK_REG s0, s1, "misa has IMAFDC S U"

    /* --- mtvec / stvec modes --- */
    la s1, m_vectors
    csrw mtvec, s1
    csrr s0, mtvec
    CHECK_REG s0, s1, "mtvec direct round trip"
    ori s1, s1, 1
    csrw mtvec, s1
    csrr s0, mtvec
    CHECK_REG s0, s1, "mtvec vectored round trip"
    la s1, m_vectors + 2
    csrw mtvec, s1
    csrr s0, mtvec
    andi s0, s0, 3
    sltiu s0, s0, 2
    CHECK s0, 1, "mtvec reserved mode 2 reads a legal mode"
    la s1, m_vectors + 3
    csrw mtvec, s1
    csrr s0, mtvec
    andi s0, s0, 3
    sltiu s0, s0, 2
    CHECK s0, 1, "mtvec reserved mode 3 reads a legal mode"
    la s1, m_trap
    csrw mtvec, s1
    la s1, s_vectors + 1
    csrw stvec, s1
    csrr s0, stvec
    CHECK_REG s0, s1, "stvec vectored round trip"
    la s1, s_trap
    csrw stvec, s1
    csrr s0, stvec
    CHECK_REG s0, s1, "stvec direct round trip"
    la s1, s_trap + 2
    csrw stvec, s1
    csrr s0, stvec
    andi s0, s0, 3
    sltiu s0, s0, 2
    CHECK s0, 1, "stvec reserved mode reads a legal mode"

    /* --- satp: Bare, Sv39, Sv48, Sv57 accepted; unsupported modes leave it unchanged --- */
    csrw satp, zero
    csrr s0, satp
    CHECK s0, 0, "satp Bare"
    li s1, (8 << 60) | 0x80123
    csrw satp, s1
    csrr s0, satp
    CHECK_REG s0, s1, "satp Sv39 with a PPN"
    li s1, (9 << 60) | 0x80123
    csrw satp, s1
    csrr s0, satp
    CHECK_REG s0, s1, "satp Sv48"
    li s1, (10 << 60) | 0x80123
    csrw satp, s1
    csrr s0, satp
    CHECK_REG s0, s1, "satp Sv57"
    li s1, (8 << 60) | 0x80456
    csrw satp, s1
    li s2, (11 << 60) | 0x80789
    csrw satp, s2
    csrr s0, satp
    CHECK_REG s0, s1, "satp mode 11 (Sv64, reserved) ignored"
    li s2, (1 << 60) | 0x80789
    csrw satp, s2
    csrr s0, satp
    CHECK_REG s0, s1, "satp mode 1 (reserved) ignored"
    li s2, (15 << 60)
    csrw satp, s2
    csrr s0, satp
    CHECK_REG s0, s1, "satp mode 15 (custom, unsupported) ignored"
    csrw satp, zero

    /* --- delegation registers: the bits the spec lets S-mode handle are writable --- */
    li s1, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    li s2, -1
    csrw medeleg, s2
    csrr s0, medeleg
    and s0, s0, s1
    CHECK_REG s0, s1, "medeleg: U/S exceptions delegable"
    csrw medeleg, zero
    csrr s0, medeleg
    CHECK s0, 0, "medeleg clears"
    li s1, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
    csrw mideleg, s2
    csrr s0, mideleg
    and s0, s0, s1
    CHECK_REG s0, s1, "mideleg: S interrupts delegable"
    csrw mideleg, zero
    csrr s0, mideleg
    and s0, s0, s1
    CHECK s0, 0, "mideleg clears"

    /* --- mie / mip / sie / sip --- */
    li s1, (1 << IRQ_SSI) | (1 << IRQ_MSI) | (1 << IRQ_STI) | (1 << IRQ_MTI) | (1 << IRQ_SEI) | (1 << IRQ_MEI)
    csrw mie, s2
    csrr s0, mie
    and s0, s0, s1
    CHECK_REG s0, s1, "mie: all six enables writable"
    csrw mie, zero
    li t0, CLINT_MTIMECMP       /* no timer interrupt pending */
    li t1, -1
    sd t1, 0(t0)
    li s1, 1 << IRQ_SSI
    csrs mip, s1
    csrr s0, mip
    and s0, s0, s1
    CHECK_REG s0, s1, "mip.SSIP writable by M"
    csrr s0, sip
    and s0, s0, s1
    CHECK s0, 0, "sip hides SSIP while not delegated"
    csrs mideleg, s1
    csrr s0, sip
    and s0, s0, s1
    CHECK_REG s0, s1, "sip shows SSIP once delegated"
    csrw mideleg, zero
    csrc mip, s1
    csrr s0, mip
    and s0, s0, s1
    CHECK s0, 0, "mip.SSIP clears"
    li s1, 1 << IRQ_MTI
    csrs mip, s1
    csrr s0, mip
    and s0, s0, s1
    CHECK s0, 0, "mip.MTIP is read-only"
    li s1, 1 << IRQ_MSI
    csrs mip, s1
    csrr s0, mip
    and s0, s0, s1
    CHECK s0, 0, "mip.MSIP is read-only"

    /* --- counter enables: CY, TM, IR --- */
    csrw mcounteren, s2
    csrr s0, mcounteren
    andi s0, s0, 7
    CHECK s0, 7, "mcounteren CY TM IR writable"
    csrw mcounteren, zero
    csrr s0, mcounteren
    CHECK s0, 0, "mcounteren clears"
    csrw scounteren, s2
    csrr s0, scounteren
    andi s0, s0, 7
    CHECK s0, 7, "scounteren CY TM IR writable"
    csrw scounteren, zero

    /* --- PMP configuration (entry 0 stays the runtime's allow-all) --- */
    li s1, 0x0f00               /* entry 1: TOR, RWX */
    li s3, 0x1f
    or s1, s1, s3
    csrw pmpcfg0, s1
    csrr s0, pmpcfg0
    CHECK_REG s0, s1, "pmpcfg0 entry 1 TOR RWX"
    li s1, 0x20000000
    csrw pmpaddr1, s1
    csrr s0, pmpaddr1
    CHECK_REG s0, s1, "pmpaddr1 round trip"
    li s1, 0x1f
    csrw pmpcfg0, s1
    TRY_M csrr s0, pmpcfg1
    CHECK s11, 1, "pmpcfg1 does not exist on RV64"
    li s1, 0x80 << 56           /* entry 15: locked, OFF */
    csrw pmpcfg2, s1
    li s3, 0x1234
    csrw pmpaddr15, s3
    csrr s0, pmpaddr15
    CHECK s0, 0, "locked pmpaddr15 ignores writes"
    li s3, 0x1f << 56
    csrw pmpcfg2, s3
    csrr s0, pmpcfg2
    CHECK_REG s0, s1, "locked pmp15cfg ignores writes"

    /* --- identification, read-only CSRs --- */
    csrr s0, mhartid
    CHECK s0, 0, "mhartid = 0"
    TRY_M csrw mhartid, zero
    CHECK s11, 1, "writing mhartid traps"
    TRY_M csrw mvendorid, zero
    CHECK s11, 1, "writing mvendorid traps"
    TRY_M csrr s0, 0x7ff        /* an unassigned M CSR number */
    CHECK s11, 1, "unassigned CSR traps"
    TRY_M csrsi cycle, 1
    CHECK s11, 1, "csrsi on read-only cycle traps"
    TRY_M csrs cycle, zero
    CHECK s11, 0, "csrs x0 on cycle reads only"
    TEST_END
