/* priv_switch: what an address-space switch (a satp write with no sfence.vma) must change for
 * code, and sstatus read and changed by S-mode the way a kernel does around its critical
 * sections.
 *
 * Two Sv39 address spaces share the identity 1 GiB page the test runs from. At PAGE(2) the
 * first maps code_a, the second code_b; at PAGE(3) both map code_a, the second with A clear.
 * One S-mode run calls through PAGE(2) and PAGE(3) in a loop, switches satp between the two
 * and calls again: each call must run the code the current tables map (a satp write leaves
 * nothing cached for an engine to reuse unless the new tables give the same), and the call
 * through PAGE(3) in the second space must set its A bit (the walk happens). Then S changes
 * its own PAGE(2) entry and fences it with `sfence.vma x0, asid` of the current space.
 *
 * Faults are not delegated: the S run ends with an ecall that M records. */
#include "test.h"
#include "sv39.h"

#define SSTATUS_SD  (1 << 63)
#define SSTATUS_UXL (3 << 32)

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_switch: code after satp writes without sfence.vma, sstatus from S"
    ZERO_TABLES

    SPACE root1, table1a, table0a
    MAP table0a, 2, code_a, PTE_V | PTE_X | PTE_A
    MAP table0a, 3, code_a, PTE_V | PTE_X | PTE_A
    SPACE root2, table1b, table0b
    MAP table0b, 2, code_b, PTE_V | PTE_X | PTE_A
    MAP table0b, 3, code_a, PTE_V | PTE_X

    TWO_SPACES_ON

    EXPECT_M 2f
    mv a3, s3
    mv a6, s4
    RUN_IN MODE_S, s_switch
2:  mv s1, a5
    mv s2, a7
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "the S run ends with its ecall"
    CHECK s1, 0xa * 16, "space 1: PAGE(2) runs code_a, 16 calls"
    CHECK s2, 0xb * 16, "space 2 (satp written, no sfence): PAGE(2) runs code_b, 16 calls"
    CHECK s5, 0xa * 16, "back in space 1: PAGE(2) runs code_a again"
    CHECK s6, 0xa * 16, "PAGE(3) runs code_a in both spaces"
    CHECK s7, 0xb * 16, "space 2 again: PAGE(2) runs code_b"
    la t0, table0b
    ld s0, 24(t0)
    andi s0, s0, PTE_A
    CHECK s0, PTE_A, "the call through PAGE(3) in space 2 set its A bit"

    /* S remaps space 1's PAGE(2) to code_b itself, then sfence.vma x0, asid 1 */
    EXPECT_M 3f
    la a2, table0a
    addi a2, a2, 16
    la t1, code_b
    srli t1, t1, 12
    slli t1, t1, 10
    ori a6, t1, PTE_V | PTE_X | PTE_A
    RUN_IN MODE_S, s_asid
3:  mv s1, a5
    mv s2, a7
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "the second S run ends with its ecall"
    CHECK s1, 0xa * 16, "before the remap: code_a"
    CHECK s2, 0xb * 16, "after the remap and sfence.vma x0, asid: code_b"

    /* sstatus from S: the old value, SIE cleared, bits set and cleared, SD and UXL shown */
    li t0, MSTATUS_FS | MSTATUS_SIE | MSTATUS_SUM
    csrs mstatus, t0
    EXPECT_M 4f
    RUN_IN MODE_S, s_status
4:  mv s1, a4
    mv s2, a5
    mv s11, a6
    MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "the sstatus run ends with its ecall"
    li t0, SSTATUS_SD | SSTATUS_UXL | MSTATUS_FS | MSTATUS_SIE | MSTATUS_SUM
    and s0, s1, t0
    li s3, (2 << 32) | SSTATUS_SD | MSTATUS_FS | MSTATUS_SIE | MSTATUS_SUM
    CHECK_REG s0, s3, "csrrci rd, sstatus, SIE: the old value, with SD and UXL = 2"
    andi s0, s2, MSTATUS_SIE
    CHECK s0, 0, "then SIE reads clear"
    CHECK_REG s11, s2, "csrrs rd, sstatus, x0 reads the same"
    li s3, MSTATUS_SUM
    and s0, s8, s3
    CHECK s0, 0, "csrrc with SUM cleared SUM"
    and s0, s9, s3
    CHECK_REG s0, s3, "csrrs with SUM set it again"
    andi s0, s10, MSTATUS_SIE
    CHECK s0, MSTATUS_SIE, "csrrsi sstatus, SIE set SIE"
    csrr s0, mstatus
    andi s0, s0, MSTATUS_SIE
    CHECK s0, 0, "csrci at the end: M sees SIE clear"
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS / 3
    csrs mstatus, t0            /* FS = initial: no SD */
    EXPECT_M 5f
    RUN_IN MODE_S, s_status
5:  li t0, SSTATUS_SD
    and s0, a4, t0
    CHECK s0, 0, "FS not dirty: SD reads clear"
    csrw satp, zero
    sfence.vma
    TEST_END

/* S-mode runs (at their own addresses through the identity 1 GiB page); a3 = satp 1, a6 = satp 2.
   Sums of 16 calls through each page: a5 (space 1), a7 (space 2), s5 (space 1 again),
   s6 (PAGE(3) in space 1 and then 2, halved), s7 (space 2 again). */
s_switch:
    li s1, PAGE(2)
    li s2, PAGE(3)
    li a5, 0
    li t3, 16
1:  jalr s1
    add a5, a5, a4
    addi t3, t3, -1
    bnez t3, 1b
    li s6, 0
    li t3, 8
1:  jalr s2
    add s6, s6, a4
    addi t3, t3, -1
    bnez t3, 1b
    csrw satp, a6
    li a7, 0
    li t3, 16
1:  jalr s1
    add a7, a7, a4
    addi t3, t3, -1
    bnez t3, 1b
    li t3, 8
1:  jalr s2
    add s6, s6, a4
    addi t3, t3, -1
    bnez t3, 1b
    csrw satp, a3
    li s5, 0
    li t3, 16
1:  jalr s1
    add s5, s5, a4
    addi t3, t3, -1
    bnez t3, 1b
    csrw satp, a6
    li s7, 0
    li t3, 16
1:  jalr s1
    add s7, s7, a4
    addi t3, t3, -1
    bnez t3, 1b
    csrw satp, a3
    ecall

/* In space 1: 16 calls through PAGE(2) (a5), then the store of PTE a6 to a2 (its PAGE(2)
   entry), sfence.vma x0 with its ASID, 16 calls again (a7). */
s_asid:
    li s1, PAGE(2)
    li a5, 0
    li t3, 16
1:  jalr s1
    add a5, a5, a4
    addi t3, t3, -1
    bnez t3, 1b
    sd a6, 0(a2)
    li t0, 1
    sfence.vma x0, t0
    li a7, 0
    li t3, 16
1:  jalr s1
    add a7, a7, a4
    addi t3, t3, -1
    bnez t3, 1b
    ecall

/* a4 = old sstatus with SIE cleared, a5 = sstatus after, a6 = csrrs x0 read, s8 after
   clearing SUM, s9 after setting it, s10 after setting SIE; SIE cleared again at the end. */
s_status:
    csrrci a4, sstatus, MSTATUS_SIE
    csrr a5, sstatus
    csrrs a6, sstatus, x0
    li t0, MSTATUS_SUM
    csrrc x0, sstatus, t0
    csrr s8, sstatus
    csrrs x0, sstatus, t0
    csrr s9, sstatus
    csrrs x0, sstatus, t0       /* set again: nothing changes */
    csrsi sstatus, MSTATUS_SIE
    csrr s10, sstatus
    csrci sstatus, MSTATUS_SIE
    ecall

/* The code pages: each returns its letter in a4. */
    .section .text.code_a, "ax"
    .balign 4096
code_a:
    li a4, 0xa
    ret
    .balign 4096
code_b:
    li a4, 0xb
    ret
    .balign 4096

    TWO_SPACE_TABLES
