/* priv_vm: Sv39 translation seen from S, U and M with MPRV: every permission and fault case
 * at each level and page size (4 KiB, 2 MiB, 1 GiB; misaligned superpages; R=0,W=1 reserved;
 * invalid entries; a non-leaf entry at the last level; X-only pages and MXR; U pages from S
 * with and without SUM, and never executable from S; non-canonical addresses), hardware A/D
 * updates, sfence.vma, MPRV, and the same tables under Sv48 and Sv57.
 *
 * The tables are built in M-mode (translation off). Faults are not delegated, so each one is
 * recorded by M: mcause and mtval (the faulting virtual address). An access that works ends
 * in an ecall instead (cause 9 from S, 8 from U), with the loaded value in a4. */
#include "test.h"
#include "sv39.h"

#define SATP_SV48 (9 << 60)
#define SATP_SV57 (10 << 60)
#define UCODE_VA  PAGE(7)                        /* where U runs the .user.text snippets */
#define MEGA      0x40200000                     /* 2 MiB page onto 0x8000_0000 */
#define MEGA_BAD  0x40400000                     /* 2 MiB page with a misaligned PPN */
#define GIGA      0xc0000000                     /* 1 GiB page onto 0x8000_0000 */
#define GIGA_BAD  0x100000000                    /* 1 GiB page with a misaligned PPN */
#define P_VALUE   0x1122334455667788
#define Q_VALUE   0x99

/* Runs S snippet \snippet with a2 = \va; s0 = cause, s1 = tval, s2 = a4 afterwards. */
.macro TRY_S snippet, va
    li a2, \va
    li a3, 0x5a5a
    li a4, 0
    EXPECT_M 9020f
    RUN_IN MODE_S, \snippet
9020: MREC s0, REC_CAUSE
    MREC s1, REC_TVAL
    mv s2, a4
.endm
/* The same in U-mode, running the .user.text snippet through its U=1 alias UCODE_VA. */
.macro TRY_U snippet, va
    li a2, \va
    li a3, 0x5a5a
    li a4, 0
    EXPECT_M 9021f
    la a1, \snippet
    la t0, __user_start
    sub a1, a1, t0
    li t0, UCODE_VA
    add a1, a1, t0
    li a0, MODE_U
    call enter_mode
9021: MREC s0, REC_CAUSE
    MREC s1, REC_TVAL
    mv s2, a4
.endm

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_vm: Sv39 permissions, page sizes, faults, A/D, MPRV, Sv48/Sv57"
    ZERO_TABLES
    la t0, page_p
    li t1, P_VALUE
    sd t1, 0(t0)
    la t0, page_q
    li t1, Q_VALUE
    sd t1, 0(t0)

    MAP root, 1, table1, PTE_V
    MAP_RAM_GIGA root
    MAP_PA root, 3, 0x80000000, PTE_V | PTE_R | PTE_A
    MAP_PA root, 4, 0x80200000, PTE_V | PTE_R | PTE_A
    MAP table1, 0, table0, PTE_V
    MAP_PA table1, 1, 0x80000000, PTE_V | PTE_R | PTE_A
    MAP_PA table1, 2, 0x80001000, PTE_V | PTE_R | PTE_A
    MAP table0, 0, page_p, PTE_V | PTE_R | PTE_A
    MAP table0, 1, page_p, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 2, __user_start, PTE_V | PTE_X | PTE_A
    MAP table0, 3, page_p, PTE_V | PTE_W | PTE_A | PTE_D
    MAP table0, 5, page_p, PTE_V | PTE_R | PTE_U | PTE_A
    MAP table0, 6, page_p, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
    MAP table0, 7, __user_start, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
    MAP table0, 8, page_p, PTE_V | PTE_R
    MAP table0, 9, page_p, PTE_V | PTE_R | PTE_W | PTE_A
    MAP table0, 10, __user_start, PTE_V | PTE_R | PTE_X | PTE_A
    MAP table0, 15, page_p, PTE_V
    MAP root48, 0, root, PTE_V
    MAP root57, 0, root48, PTE_V
    USE_ROOT root

    /* --- 4 KiB pages from S --- */
    TRY_S s_load, PAGE(0)
    CHECK s0, CAUSE_ECALL_S, "S load from R page"
    li t0, P_VALUE
    CHECK_REG s2, t0, "S load reads the mapped page"
    TRY_S s_store, PAGE(0)
    CHECK s0, CAUSE_STORE_PAGE, "S store to R page: store page fault"
    CHECK s1, PAGE(0), "store page fault: mtval = address"
    TRY_S s_store8, PAGE(1)
    CHECK s0, CAUSE_ECALL_S, "S store to RW page"
    la t0, page_p
    ld s0, 8(t0)
    CHECK s0, 0x5a5a, "the store reached the mapped page"
    TRY_S s_load, PAGE(2)
    CHECK s0, CAUSE_LOAD_PAGE, "S load from X-only page: load page fault"
    CHECK s1, PAGE(2), "load page fault: mtval = address"
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    TRY_S s_load, PAGE(2)
    CHECK s0, CAUSE_ECALL_S, "S load from X-only page with MXR"
    li t0, MSTATUS_MXR
    csrc mstatus, t0
    TRY_S s_load, PAGE(3)
    CHECK s0, CAUSE_LOAD_PAGE, "R=0,W=1 (reserved): load page fault"
    TRY_S s_store, PAGE(3)
    CHECK s0, CAUSE_STORE_PAGE, "R=0,W=1 (reserved): store page fault"
    TRY_S s_load, PAGE(4)
    CHECK s0, CAUSE_LOAD_PAGE, "invalid PTE: load page fault"
    TRY_S s_jump, PAGE(4)
    CHECK s0, CAUSE_FETCH_PAGE, "invalid PTE: instruction page fault"
    CHECK s1, PAGE(4), "instruction page fault: mtval = target"
    MREC s0, REC_EPC
    CHECK s0, PAGE(4), "instruction page fault: mepc = target"
    TRY_S s_jump, PAGE(0)
    CHECK s0, CAUSE_FETCH_PAGE, "fetch from non-X page: instruction page fault"
    la t0, x_ecall
    la t1, __user_start
    sub t0, t0, t1
    li a5, PAGE(10)
    add a5, a5, t0
    TRY_S s_jump_a5, 0
    CHECK s0, CAUSE_ECALL_S, "S runs code on an X page (U=0)"
    TRY_S s_load, PAGE(15)
    CHECK s0, CAUSE_LOAD_PAGE, "non-leaf PTE at the last level: load page fault"

    /* --- U pages and S: SUM for data, never for instructions --- */
    TRY_S s_load, PAGE(5)
    CHECK s0, CAUSE_LOAD_PAGE, "S load from U page without SUM: page fault"
    li t0, MSTATUS_SUM
    csrs mstatus, t0
    TRY_S s_load, PAGE(5)
    CHECK s0, CAUSE_ECALL_S, "S load from U page with SUM"
    TRY_S s_store, PAGE(5)
    CHECK s0, CAUSE_STORE_PAGE, "S store to read-only U page with SUM: page fault"
    la t0, x_ecall
    la t1, __user_start
    sub t0, t0, t1
    li a5, UCODE_VA
    add a5, a5, t0
    TRY_S s_jump_a5, 0
    CHECK s0, CAUSE_FETCH_PAGE, "S fetch from U page, even with SUM: page fault"
    li t0, MSTATUS_SUM
    csrc mstatus, t0

    /* --- U-mode --- */
    TRY_U u_load, PAGE(5)
    CHECK s0, CAUSE_ECALL_U, "U load from U page (code on a U page)"
    li t0, P_VALUE
    CHECK_REG s2, t0, "U load reads the mapped page"
    TRY_U u_load, PAGE(0)
    CHECK s0, CAUSE_LOAD_PAGE, "U load from S page: page fault"
    TRY_U u_store, PAGE(5)
    CHECK s0, CAUSE_STORE_PAGE, "U store to read-only U page: page fault"
    TRY_U u_store, PAGE(6) + 16
    CHECK s0, CAUSE_ECALL_U, "U store to RW U page"
    la t0, x_ecall
    la t1, __user_start
    sub t0, t0, t1
    li a5, PAGE(10)
    add a5, a5, t0
    mv s3, a5
    TRY_U u_jump_a5, 0
    CHECK s0, CAUSE_FETCH_PAGE, "U fetch from S page: instruction page fault"
    CHECK_REG s1, s3, "mtval = target"

    /* --- A and D: set by the hardware on first access / first write --- */
    TRY_S s_load, PAGE(8)
    CHECK s0, CAUSE_ECALL_S, "load through a PTE with A=0 works"
    la t0, table0
    ld s0, 8 * 8(t0)
    andi s0, s0, PTE_A | PTE_D
    CHECK s0, PTE_A, "... and the hardware set A (not D)"
    TRY_S s_store8, PAGE(9)
    CHECK s0, CAUSE_ECALL_S, "store through a PTE with D=0 works"
    la t0, table0
    ld s0, 9 * 8(t0)
    andi s0, s0, PTE_A | PTE_D
    CHECK s0, PTE_A | PTE_D, "... and the hardware set D"

    /* --- superpages --- */
    la t0, page_p
    li t1, 0x80000000
    sub t0, t0, t1
    li a2, MEGA
    add a2, a2, t0
    li a4, 0
    EXPECT_M 1f
    RUN_IN MODE_S, s_load_a2
1:  mv s2, a4
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "2 MiB page: load"
    li t0, P_VALUE
    CHECK_REG s2, t0, "2 MiB page: offset within the page kept"
    TRY_S s_load, MEGA_BAD
    CHECK s0, CAUSE_LOAD_PAGE, "2 MiB page with misaligned PPN: page fault"
    la t0, page_p
    li t1, 0x80000000
    sub t0, t0, t1
    li a2, GIGA
    add a2, a2, t0
    li a4, 0
    EXPECT_M 1f
    RUN_IN MODE_S, s_load_a2
1:  mv s2, a4
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "1 GiB page: load"
    li t0, P_VALUE
    CHECK_REG s2, t0, "1 GiB page: offset within the page kept"
    TRY_S s_load, GIGA_BAD
    CHECK s0, CAUSE_LOAD_PAGE, "1 GiB page with misaligned PPN: page fault"
    TRY_S s_store, MEGA
    CHECK s0, CAUSE_STORE_PAGE, "store to a read-only 2 MiB page: page fault"
    TRY_U u_load, GIGA
    CHECK s0, CAUSE_LOAD_PAGE, "U load from an S 1 GiB page: page fault"
    TRY_S s_load, 0x40a00000
    CHECK s0, CAUSE_LOAD_PAGE, "invalid PTE at level 1: page fault"
    TRY_S s_load, 0x140000000
    CHECK s0, CAUSE_LOAD_PAGE, "invalid PTE at level 2 (root): page fault"
    TRY_S s_load, 0x4000000000
    CHECK s0, CAUSE_LOAD_PAGE, "non-canonical address: page fault"
    CHECK s1, 0x4000000000, "non-canonical address: mtval = address"

    /* --- sfence.vma makes a changed PTE visible --- */
    MAP table0, 0, page_q, PTE_V | PTE_R | PTE_A
    TRY_S s_sfence_load, PAGE(0)
    CHECK s2, Q_VALUE, "after sfence.vma the new mapping is used"
    MAP table0, 0, page_p, PTE_V | PTE_R | PTE_A
    sfence.vma

    /* --- MPRV: M-mode loads and stores translated as MPP --- */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MPP_S
    csrs mstatus, t0
    li a2, PAGE(0)
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ld s2, 0(a2)
    csrc mstatus, t0
    li t0, P_VALUE
    CHECK_REG s2, t0, "MPRV with MPP=S: M load translated"
    li t0, MSTATUS_MPP
    csrc mstatus, t0            /* MPP = U */
    EXPECT_M 1f
    li a2, PAGE(0)
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
m_mprv_load:
    ld s2, 0(a2)
1:  li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_MTRAP CAUSE_LOAD_PAGE, m_mprv_load, "MPRV with MPP=U, S page"
    MREC s0, REC_STATUS
    li s1, MSTATUS_MPP
    and s0, s0, s1
    CHECK s0, MPP_M, "the fault is M's own: MPP=M"

    /* --- Sv48 and Sv57: one more level on top of the same tables --- */
    USE_ROOT root48, SATP_SV48
    TRY_S s_load, PAGE(0)
    CHECK s0, CAUSE_ECALL_S, "Sv48: load through four levels"
    li t0, P_VALUE
    CHECK_REG s2, t0, "Sv48: the same page"
    TRY_S s_load, 0x800000000000
    CHECK s0, CAUSE_LOAD_PAGE, "Sv48: non-canonical address"
    USE_ROOT root57, SATP_SV57
    TRY_S s_load, PAGE(0)
    CHECK s0, CAUSE_ECALL_S, "Sv57: load through five levels"
    li t0, P_VALUE
    CHECK_REG s2, t0, "Sv57: the same page"
    csrw satp, zero
    sfence.vma
    TEST_END

/* S-mode snippets (run at their own addresses through the identity 1 GiB page). */
s_load:
    ld a4, 0(a2)
    ecall
s_load_a2:
    ld a4, 0(a2)
    ecall
s_store:
    sd a3, 0(a2)
    ecall
s_store8:
    sd a3, 8(a2)
    ecall
s_jump:
    jr a2
s_jump_a5:
    jr a5
s_sfence_load:
    sfence.vma
    ld a4, 0(a2)
    ecall

/* U-mode snippets: on the page mapped U=1 at UCODE_VA (and X-only, or S-only, elsewhere). */
    .section .user.text, "ax"
u_load:
    ld a4, 0(a2)
    ecall
u_store:
    sd a3, 0(a2)
    ecall
u_jump_a5:
    jr a5
x_ecall:
    ecall

    PAGES_SECTION
    TABLES root, table1, table0
    TABLES root48, root57, page_p
    PAGES page_q
tables_end:
