/* priv_share: loads and stores off one base register that an engine may let share one address
 * translation (a base moved by addi between them, loads and stores mixed), in S-mode under
 * Sv39, must still each reach the page their own address maps:
 *   A  a loop whose accesses straddle two virtual pages mapped to physical pages that are not
 *      neighbours (a page of other data lies between them), loads and a store;
 *   B  a load, store and load on a clean page (the store sets D, by hardware update);
 *   C  a load then a store off a read-only page (store page fault: mepc, mtval, the load done);
 *   D  a load, store and load of a word on a page that holds code run just before (the store
 *      reaches memory; the code still runs);
 *   E  a block's first F/D load (under FS = Initial) and a second F/D load off the same base,
 *      after integer loads off another page in the same block;
 *   F  a loop walking down (loads and a store off a base moved only by a negative addi) from
 *      the second of A's pages into the first, one pass at the boundary exactly;
 *   G  loads off one base around two ifs: the first skips an addi of the base, so the load
 *      after it reaches PAGE(1) on the way that takes the branch and PAGE(2) on the other; the
 *      second skips other work only;
 *   H  a loop entered at its test, whose block (the body, its jump back to the test, the
 *      test) goes round by the test's way not taken: loads and stores walking up by 16 from
 *      PAGE(1) into PAGE(2), twice.
 * The tables are built in M-mode; S runs at the identity 1 GiB page and ends with an ecall. */
#include "test.h"
#include "sv39.h"

#define FS_INITIAL (1 << 13)

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_share: accesses off one base moved by addi, across pages, on clean, read-only and code pages"
    ZERO_TABLES
    /* words of data_a = 1, data_b = 1000, data_c = 3 */
    la t0, data_a
    li t2, 1
    call fill_page
    la t0, data_b
    li t2, 1000
    call fill_page
    la t0, data_c
    li t2, 3
    call fill_page
    la t0, data_d
    li t1, 5
    sd t1, 0(t0)
    la t0, data_e
    li t1, 0x77
    sd t1, 16(t0)

    SPACE root, table1, table0
    MAP table0, 1, data_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 2, data_c, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 3, data_d, PTE_V | PTE_R | PTE_W | PTE_A
    MAP table0, 4, data_e, PTE_V | PTE_R | PTE_A
    USE_ROOT root

    EXPECT_M 2f
    RUN_IN MODE_S, s_share
2:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "the S run ends with its ecall"
    CHECK s1, 28, "A: the loads across the page boundary read both physical pages"
    la t0, data_c
    lw s0, 0(t0)
    CHECK s0, 4, "A: the store past the boundary went to the second page"
    la t0, data_b
    lw s0, 0(t0)
    CHECK s0, 1000, "A: the page between them was not written"
    la t0, data_b - 64
    lw s0, 0(t0)
    CHECK s0, 8, "A: the first store went to the first page"
    CHECK s2, 21, "B: load, store, load on a clean page"
    la t0, table0
    ld s0, 24(t0)
    andi s0, s0, PTE_D
    CHECK s0, PTE_D, "B: the store set D"
    CHECK s6, 78, "D: load, store, load of a word beside code that ran"
    la t0, code_word
    ld s0, 0(t0)
    CHECK s0, 14, "D: the word holds the last store"
    li s0, 0x0000000100000001 * 2
    CHECK_REG s7, s0, "E: the second F/D load reads its own page after the first one's FS check"
    CHECK s10, 31, "F: the loads walking down read both physical pages"
    la t0, data_c
    lw s0, 12(t0)
    CHECK s0, 3, "F: a store before the boundary went to the second page"
    la t0, data_b
    lw s0, -4(t0)
    CHECK s0, 2, "F: a store past the boundary went to the first page"
    CHECK s11, 1020, "G: a load after an if that skipped an addi of its base reads where the base is"
    CHECK s5, 624, "H: a loop entered at its test reads both physical pages, and its own stores"
    la t0, data_b
    lw s0, -8(t0)
    CHECK s0, 201, "H: its stores before the boundary went to the first page"
    la t0, data_c
    lw s0, 40(t0)
    CHECK s0, 203, "H: its stores past the boundary went to the second page"

    /* C, twice: the second time the load's page is known readable */
    li s9, 0
3:  li s3, 0
    EXPECT_M 4f
    RUN_IN MODE_S, s_fault
4:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_STORE_PAGE, "C: the store to the read-only page faults"
    MREC s0, REC_TVAL
    CHECK s0, PAGE(4) + 8, "C: mtval is the store's address"
    MREC s0, REC_EPC
    CHECK_ADDR s0, share_fault, "C: mepc is the store"
    CHECK s3, 0x77, "C: the load before it was done"
    CHECK s4, PAGE(4) + 8, "C: the addi before it was done"
    addi s9, s9, 1
    li t0, 2
    blt s9, t0, 3b
    TEST_END

/* fill_page(t0 = page, t2 = value): every 32-bit word of the page; clobbers t0, t1. */
fill_page:
    li t1, 1024
1:  sw t2, 0(t0)
    addi t0, t0, 4
    addi t1, t1, -1
    bnez t1, 1b
    ret

s_share:
    /* A: pass k (0..7) loads the words at b and b + 4 and stores 8 - k at b + 8, where
       b = PAGE(2) - 72 + 16k; pass 4 straddles the boundary (its loads in PAGE(1), its store
       in PAGE(2)). Loads: 5 passes read 1 + 1, 3 read 3 + 3: 28. */
    li a0, PAGE(2) - 72
    li s1, 0
    li t3, 8
1:  lw t0, 0(a0)
    addi a0, a0, 4
    sw t3, 4(a0)
    lw t1, 0(a0)
    addi a0, a0, 12
    add s1, s1, t0
    add s1, s1, t1
    addi t3, t3, -1
    bnez t3, 1b

    /* B: three passes of load 0, store 8, load 8: 3 * 5 + 3 + 2 + 1 */
    li a1, PAGE(3)
    li s2, 0
    li t3, 3
2:  ld t0, 0(a1)
    sd t3, 8(a1)
    ld t1, 8(a1)
    add s2, s2, t0
    add s2, s2, t1
    addi t3, t3, -1
    bnez t3, 2b

    /* D: code_fn's page holds translated code (when an engine translates) each time the word
       beside it is loaded, stored and loaded: 11 + 12 + 13 + 14 + 4 * 7 */
    la s5, code_word
    li s6, 0
    li s8, 4
3:  call code_fn
    add s6, s6, a0
    ld t0, 0(s5)
    addi t0, t0, 1
    sd t0, 0(s5)
    ld t1, 0(s5)
    add s6, s6, t1
    addi s8, s8, -1
    bnez s8, 3b

    /* F: pass p (0..4) loads the words at b and b + 4 and stores 5 - p at b + 12, where
       b = PAGE(2) + 32 - 16p: passes 0-2 in PAGE(2), 3 and 4 in PAGE(1) (A's stores left
       2 3, 3 3, 4 3, 5 1, 6 1 there: 31). */
    li a2, PAGE(2) + 32
    li s10, 0
    li t4, 5
5:  lw t0, 0(a2)
    lw t1, 4(a2)
    sw t4, 12(a2)
    addi a2, a2, -16
    add s10, s10, t0
    add s10, s10, t1
    addi t4, t4, -1
    bnez t4, 5b

    /* G: pass 1 (t5 = 2) moves the base and loads P2 (4), P2 + 4 (3), P2 + 8 (3); pass 2
       branches over the addi and loads P2 (4), P2 - 4 in PAGE(1) (F's 2), P2 (4), and adds
       1000: 1020. */
    li s11, 0
    li t5, 2
6:  li a4, PAGE(2)
    lw t0, 0(a4)
    andi t6, t5, 1
    bnez t6, 7f
    addi a4, a4, 8
7:  lw t1, -4(a4)
    beqz t6, 8f
    addi s11, s11, 1000
8:  lw t2, 0(a4)
    add s11, s11, t0
    add s11, s11, t1
    add s11, s11, t2
    addi t5, t5, -1
    bnez t5, 6b

    /* E: FS = Initial before each pass, so the block's first F/D load goes through the FS
       check; the integer loads before it share a probe on PAGE(2). */
    li a3, PAGE(1)
    li a4, PAGE(2)
    li s7, 0
    li s8, 2
4:  li t0, MSTATUS_FS
    csrc sstatus, t0
    li t0, FS_INITIAL
    csrs sstatus, t0
    ld t1, 0(a4)
    ld t2, 8(a4)
    fld fa0, 0(a3)
    fld fa1, 8(a3)
    fmv.x.d t0, fa1
    add s7, s7, t0
    addi s8, s8, -1
    bnez s8, 4b

    /* H: pass k (0..5) of the inner loop loads the word at b = PAGE(2) - 40 + 16k, adds it and
       stores it plus 100: PAGE(1)'s words there hold 1 (A and F stored elsewhere), PAGE(2)'s
       3. The exit branch goes back (a forward one would be a side exit the block goes past).
       Sums: 3 * 1 + 3 * 3 = 12, then 3 * 101 + 3 * 103 = 612: 624. */
    li s5, 0
    li t5, 2
13: li a5, PAGE(2) - 40
    li t4, 6
    j 10f
11: j 12f
10: beqz t4, 11b
    lw t0, 0(a5)
    add s5, s5, t0
    addi t0, t0, 100
    sw t0, 0(a5)
    addi a5, a5, 16
    addi t4, t4, -1
    j 10b
12: addi t5, t5, -1
    bnez t5, 13b
    ecall

/* C: a load off the read-only PAGE(4), the base moved, a store off it (s registers survive
   the M-mode recorder). */
s_fault:
    li s4, PAGE(4)
    ld s3, 16(s4)
    addi s4, s4, 8
share_fault:
    sd s3, 0(s4)
    ecall

/* A page of code with a data word after it (D). */
    .section .text.share_code, "ax"
    .balign 4096
code_fn:
    li a0, 7
    ret
    .balign 8
code_word:
    .dword 10
    .balign 4096

    ONE_SPACE_TABLES
    PAGES data_a, data_b, data_c, data_d, data_e
