/* priv_cbo: cbo.zero (Zicboz) in M and S: the 64-byte block holding the address is zeroed and
 * nothing else, again and in a loop over a page; menvcfg.CBZE off makes it illegal below M; a
 * read-only page gives a store page fault with the address; a clean page becomes dirty.
 * (noqemu: QEMU 7.2 has no Zicboz.) Faults are not delegated: M records them. */
#include "test.h"
#include "sv39.h"

#define MENVCFG   0x30a
#define CBZE      (1 << 7)
#define ONES      -1

/* cbo.zero (\reg): MISC-MEM, funct3 2, rd 0, imm 4 */
.macro CBO_ZERO reg
    .insn i 0x0f, 2, x0, \reg, 4
.endm

/* Fills page_p and page_q with ones. */
.macro FILL_ONES
    la t0, page_p
    li t2, 2 * 4096
    add t2, t2, t0
    li t1, ONES
9010: sd t1, 0(t0)
    addi t0, t0, 8
    bltu t0, t2, 9010b
.endm

/* s0 = number of zero doublewords in page_p, s1 = in page_q */
.macro COUNT_ZEROS
    la t0, page_p
    li s0, 0
    li t2, 4096
    add t2, t2, t0
9011: ld t1, 0(t0)
    seqz t1, t1
    add s0, s0, t1
    addi t0, t0, 8
    bltu t0, t2, 9011b
    li s1, 0
    li t2, 4096
    add t2, t2, t0
9012: ld t1, 0(t0)
    seqz t1, t1
    add s1, s1, t1
    addi t0, t0, 8
    bltu t0, t2, 9012b
.endm

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_cbo: cbo.zero in M and S, menvcfg.CBZE, faults, dirty bits"
    ZERO_TABLES

    /* M: one block, from an address inside it */
    FILL_ONES
    la a2, page_p
    addi a2, a2, 64 + 24
    CBO_ZERO a2
    COUNT_ZEROS
    CHECK s0, 8, "M: cbo.zero zeroes 8 doublewords"
    CHECK s1, 0, "M: the next page untouched"
    la t0, page_p
    ld s0, 56(t0)
    CHECK s0, ONES, "M: the doubleword before the block untouched"
    la t0, page_p
    ld s0, 128(t0)
    CHECK s0, ONES, "M: the doubleword after the block untouched"
    la t0, page_p
    ld s0, 64(t0)
    CHECK s0, 0, "M: the block's first doubleword zeroed"

    MAP_RAM_GIGA root
    MAP root, 1, table1, PTE_V
    MAP table1, 0, table0, PTE_V
    MAP table0, 0, page_p, PTE_V | PTE_R | PTE_A
    MAP table0, 1, page_p, PTE_V | PTE_R | PTE_W | PTE_A
    USE_ROOT root

    /* S with CBZE: a whole page through the identity mapping, 64 blocks, twice over */
    li t0, CBZE
    csrs MENVCFG, t0
    FILL_ONES
    EXPECT_M 2f
    la a2, page_p
    RUN_IN MODE_S, s_page
2:  MREC s2, REC_CAUSE
    CHECK s2, CAUSE_ECALL_S, "S: the page loop ends with its ecall"
    COUNT_ZEROS
    CHECK s0, 512, "S: 64 cbo.zero clear the page"
    CHECK s1, 0, "S: the next page untouched"

    /* S: one block, then the same block again */
    FILL_ONES
    EXPECT_M 3f
    la a2, page_q
    li t0, 4096 - 64 + 8
    add a2, a2, t0
    RUN_IN MODE_S, s_twice
3:  COUNT_ZEROS
    CHECK s0, 0, "S: page_p untouched"
    CHECK s1, 8, "S: page_q's last block zeroed"

    /* S without CBZE: illegal instruction */
    li t0, CBZE
    csrc MENVCFG, t0
    FILL_ONES
    EXPECT_M 4f
    la a2, page_p
    RUN_IN MODE_S, s_one
4:  MREC s2, REC_CAUSE
    CHECK s2, CAUSE_ILLEGAL, "S, menvcfg.CBZE clear: illegal instruction"
    MREC s2, REC_EPC
    CHECK_ADDR s2, s_one, "illegal instruction: mepc = the cbo.zero"
    COUNT_ZEROS
    CHECK s0, 0, "S, CBZE clear: nothing zeroed"
    li t0, CBZE
    csrs MENVCFG, t0

    /* S through a read-only page: store page fault with the address */
    EXPECT_M 5f
    li a2, PAGE(0) + 128
    RUN_IN MODE_S, s_one
5:  MREC s2, REC_CAUSE
    CHECK s2, CAUSE_STORE_PAGE, "S, read-only page: store page fault"
    MREC s2, REC_TVAL
    CHECK s2, PAGE(0) + 128, "store page fault: mtval = the address"
    COUNT_ZEROS
    CHECK s0, 0, "S, read-only page: nothing zeroed"

    /* S through a writable page with D clear: zeroed, D set */
    EXPECT_M 6f
    li a2, PAGE(1) + 192
    RUN_IN MODE_S, s_one
6:  MREC s2, REC_CAUSE
    CHECK s2, CAUSE_ECALL_S, "S, clean writable page: no fault"
    COUNT_ZEROS
    CHECK s0, 8, "S, clean writable page: the block zeroed"
    la t0, table0
    ld s2, 8(t0)
    andi s2, s2, PTE_D
    CHECK s2, PTE_D, "the page became dirty"
    csrw satp, zero
    sfence.vma
    TEST_END

/* S runs: a2 = address */
s_page:
    li t3, 2
1:  mv t4, a2
    li t5, 64
2:  CBO_ZERO t4
    addi t4, t4, 64
    addi t5, t5, -1
    bnez t5, 2b
    addi t3, t3, -1
    bnez t3, 1b
    ecall
s_twice:
    CBO_ZERO a2
    CBO_ZERO a2
    ecall
s_one:
    CBO_ZERO a2
    ecall

    ONE_SPACE_TABLES
    PAGES page_p, page_q
