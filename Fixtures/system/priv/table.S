/* priv_table: table lookups (`andi t, i, 0xff; slli t, t, 2; add t, t, base; lw d, 0(t)`) whose
 * addresses an engine may translate with one probe of the table's base for all its entries, in
 * S-mode under Sv39, must each reach the page their own address maps:
 *   A  a table of 256 words straddling two virtual pages mapped to physical pages that are not
 *      neighbours (a page of other data lies between them), every entry loaded once;
 *   B  a table on a clean page: each entry loaded, incremented and stored back through the
 *      index, and a word off the base itself loaded after each store (the store sets D);
 *   C  a lookup then a store through the index into a read-only page (store page fault:
 *      mepc, mtval, the load done), twice;
 *   D  two lookups in one table reaching across into an unmapped page: the first is done, the
 *      second faults (load page fault with the entry's address in mtval);
 *   E  a block's first F/D load (under FS = Initial) through an index, then an integer load
 *      off the table's base;
 *   F  a table of 256 words straddling two virtual pages mapped to physical pages that are
 *      neighbours (an engine may then reach both through one addend), two lookups each time
 *      round, every entry loaded once;
 *   G  the same across the second of those pages and a clean neighbour: each entry loaded,
 *      incremented and stored back through the index (the first store to the clean page sets
 *      D; until then only a load may reach it);
 *   H  a register related to a table's base (`addi a4, a3, 16`) before an if and loaded
 *      through after it, where it is that on both ways; then where the way falling through
 *      moved it onto another page that is not the next one in physical memory;
 *   I  loads and a store at addresses the code sets (`li`) through three registers, on one
 *      page, before and after an if.
 * Each page's words count up from its own start value (word k of a page holds start + k), so
 * every entry read shows which word of which page it came from. The tables are built in M-mode;
 * S runs at the identity 1 GiB page and ends with an ecall. */
#include "test.h"
#include "sv39.h"

#define FS_INITIAL (1 << 13)

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_table: table lookups through an index across pages, on clean, read-only and unmapped pages"
    ZERO_TABLES
    la t0, data_a
    li t2, 0
    call fill_page
    la t0, data_gap
    li t2, 50000
    call fill_page
    la t0, data_b
    li t2, 10000
    call fill_page
    la t0, data_c
    li t2, 20000
    call fill_page
    la t0, data_d
    li t2, 30000
    call fill_page

    SPACE root, table1, table0
    MAP table0, 1, data_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 2, data_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 3, data_c, PTE_V | PTE_R | PTE_W | PTE_A
    MAP table0, 4, data_d, PTE_V | PTE_R | PTE_A
    la t0, data_e
    li t2, 60000
    call fill_page
    la t0, data_f
    li t2, 70000
    call fill_page
    la t0, data_g
    li t2, 80000
    call fill_page
    MAP table0, 6, data_e, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 7, data_f, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    MAP table0, 8, data_g, PTE_V | PTE_R | PTE_W | PTE_A
    USE_ROOT root

    EXPECT_M 2f
    RUN_IN MODE_S, s_table
2:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "the S run ends with its ecall"
    /* words 896..1023 of data_a, then words 0..127 of data_b */
    CHECK s1, 1410944, "A: the lookups across the page boundary read both physical pages"
    /* word 2 of data_c, incremented by the first pass (index 0) */
    CHECK s2, 256 * 20003, "B: the load off the base sees the store through the index"
    la t0, data_c
    li t1, 0
    li t2, 256
3:  lw t3, 8(t0)
    add t1, t1, t3
    addi t0, t0, 4
    addi t2, t2, -1
    bnez t2, 3b
    CHECK t1, 256 * 20000 + (2 + 257) * 128 + 256, "B: every entry was incremented once, in its own word"
    la t0, table0
    ld s0, 24(t0)
    andi s0, s0, PTE_D
    CHECK s0, PTE_D, "B: the store set D"
    la t0, data_b - 4096
    lw s0, 0(t0)
    CHECK s0, 50000, "A, B: the page between the table's pages was not written"
    /* two passes of word 3 (index 1 off data_a + 8) plus word 4 of data_a */
    CHECK s7, 2 * (3 + 4), "E: the F/D lookup under FS = Initial and the load off its base"
    /* words 896..1023 of data_e, then words 0..127 of data_f */
    CHECK s10, 16770944, "F: the lookups across neighbouring physical pages read both"
    /* words 896..1023 of data_f, then words 0..127 of data_g, before the increments */
    CHECK s11, 19330944, "G: the loads across a dirty and a clean page read both"
    la t0, data_f + 896 * 4
    li t1, 0
    li t2, 256
7:  lw t3, 0(t0)
    add t1, t1, t3
    addi t0, t0, 4
    addi t2, t2, -1
    bnez t2, 7b
    CHECK t1, 19330944 + 256, "G: every entry was incremented once, in its own word"
    la t0, table0
    ld s0, 64(t0)
    andi s0, s0, PTE_D
    CHECK s0, PTE_D, "G: the store set D"
    /* words 16, 17, 20 of data_e, then 16 and 20 */
    CHECK s9, 300089, "H: a load through a register related to the base on both ways of an if"
    /* word 1008 of data_a and word 484 of data_b, then words 1008 and 1012 of data_a */
    CHECK s8, 13512, "H: a load through a register one way of an if moved to another page"
    /* words 2, 101, 50, 4 of data_e, and word 103 after the store of word 101 there */
    CHECK s5, 300258, "I: loads and a store at known addresses through three registers"
    la t0, data_e + 103 * 4
    lw s0, 0(t0)
    CHECK s0, 60101, "I: the store at a known address went to its own word"

    /* C, twice: the second time the load's page is known readable */
    li s9, 0
4:  li s3, 0
    EXPECT_M 5f
    RUN_IN MODE_S, s_store_fault
5:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_STORE_PAGE, "C: the store through the index to the read-only page faults"
    MREC s0, REC_TVAL
    CHECK s0, PAGE(4) + 792, "C: mtval is the store's address"
    MREC s0, REC_EPC
    CHECK_ADDR s0, table_store_fault, "C: mepc is the store"
    CHECK s3, 30197, "C: the lookup before it was done"
    addi s9, s9, 1
    li t0, 2
    blt s9, t0, 4b

    li s3, 0
    li s6, 0
    EXPECT_M 6f
    RUN_IN MODE_S, s_load_fault
6:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_LOAD_PAGE, "D: the lookup in the unmapped page faults"
    MREC s0, REC_TVAL
    CHECK s0, PAGE(5) + 4, "D: mtval is the entry's address"
    MREC s0, REC_EPC
    CHECK_ADDR s0, table_load_fault, "D: mepc is the second lookup"
    CHECK s3, 31023, "D: the first lookup, in the mapped page, was done"
    CHECK s6, 0, "D: the second lookup wrote nothing"
    TEST_END

/* fill_page(t0 = page, t2 = start): word k of the page = start + k; clobbers t0, t1, t2. */
fill_page:
    li t1, 1024
1:  sw t2, 0(t0)
    addi t0, t0, 4
    addi t2, t2, 1
    addi t1, t1, -1
    bnez t1, 1b
    ret

s_table:
    /* A: index 37k & 0xff for k = 0..255 (every index once) off PAGE(2) - 512 */
    li a0, PAGE(2) - 512
    li s1, 0
    li t3, 0
    li t4, 256
1:  andi t0, t3, 0xff
    slli t0, t0, 2
    add t0, t0, a0
    lw t1, 0(t0)
    add s1, s1, t1
    addi t3, t3, 37
    addi t4, t4, -1
    bnez t4, 1b

    /* B: index 91k & 0xff off PAGE(3) + 8: load, increment, store back; then word 2 */
    li a1, PAGE(3) + 8
    li s2, 0
    li t3, 0
    li t4, 256
2:  andi t0, t3, 0xff
    slli t0, t0, 2
    add t0, t0, a1
    lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    lw t2, 0(a1)
    add s2, s2, t2
    addi t3, t3, 91
    addi t4, t4, -1
    bnez t4, 2b

    /* E: FS = Initial before each pass, so the block's first F/D instruction, a lookup at
       index 1 off PAGE(1) + 8, goes through the FS check; then word 4 off the same base. */
    li a3, PAGE(1) + 8
    li s7, 0
    li s8, 2
3:  li t0, MSTATUS_FS
    csrc sstatus, t0
    li t0, FS_INITIAL
    csrs sstatus, t0
    li t1, 1
    andi t0, t1, 0xff
    slli t0, t0, 2
    add t0, t0, a3
    flw fa0, 0(t0)
    lw t2, 8(a3)
    fmv.x.w t0, fa0
    add s7, s7, t0
    add s7, s7, t2
    addi s8, s8, -1
    bnez s8, 3b

    /* F: indexes 2k and 2k + 1 (k = 0..127) off PAGE(7) - 512 */
    li a4, PAGE(7) - 512
    li s10, 0
    li t3, 0
    li t4, 128
4:  andi t0, t3, 0xff
    slli t0, t0, 2
    add t0, t0, a4
    lw t1, 0(t0)
    addi t2, t3, 1
    andi t2, t2, 0xff
    slli t2, t2, 2
    add t2, t2, a4
    lw t5, 0(t2)
    add s10, s10, t1
    add s10, s10, t5
    addi t3, t3, 2
    addi t4, t4, -1
    bnez t4, 4b

    /* G: index 37k & 0xff off PAGE(8) - 512: load, increment, store back */
    li a5, PAGE(8) - 512
    li s11, 0
    li t3, 0
    li t4, 256
5:  andi t0, t3, 0xff
    slli t0, t0, 2
    add t0, t0, a5
    lw t1, 0(t0)
    add s11, s11, t1
    addi t1, t1, 1
    sw t1, 0(t0)
    addi t3, t3, 37
    addi t4, t4, -1
    bnez t4, 5b

    /* H: pass 1 (t5 = 2) falls through the if, pass 2 branches over its body. */
    li s9, 0
    li t5, 2
    li a3, PAGE(6) + 64
6:  lw t0, 0(a3)
    addi a4, a3, 16
    andi t6, t5, 1
    bnez t6, 7f
    lw t1, 4(a3)
    add s9, s9, t1
7:  lw t2, 0(a4)
    add s9, s9, t0
    add s9, s9, t2
    addi t5, t5, -1
    bnez t5, 6b
    /* ... and pass 1 moves a4 from the last words of PAGE(1) into PAGE(2). */
    li s8, 0
    li t5, 2
    li a3, PAGE(2) - 64
8:  lw t0, 0(a3)
    addi a4, a3, 16
    andi t6, t5, 1
    bnez t6, 9f
    addi a4, a3, 2000
9:  lw t2, 0(a4)
    add s8, s8, t0
    add s8, s8, t2
    addi t5, t5, -1
    bnez t5, 8b

    /* I: a3, a4 and a5 set to addresses on PAGE(6); the if is not taken (word 2 is even). */
    li a3, PAGE(6) + 8
    li a4, PAGE(6) + 400
    lw t0, 0(a3)
    lw t1, 4(a4)
    sw t1, 12(a4)
    andi t6, t0, 1
    bnez t6, 10f
    li a5, PAGE(6) + 200
    lw t2, 0(a5)
    add s5, t0, t2
10: lw t3, 8(a3)
    lw t4, 12(a4)
    add s5, s5, t1
    add s5, s5, t3
    add s5, s5, t4
    ecall

/* C: a lookup at index 197 off the read-only PAGE(4), then a store to the next entry (s
   registers survive the M-mode recorder). */
s_store_fault:
    li s4, PAGE(4)
    li s5, 0x2c5
    andi s5, s5, 0xff
    slli s5, s5, 2
    add s5, s5, s4
    lw s3, 0(s5)
table_store_fault:
    sw s3, 4(s5)
    ecall

/* D: a table at PAGE(5) - 16 (PAGE(5) is not mapped): index 3 is the last word of PAGE(4),
   index 5 the second word of PAGE(5). */
s_load_fault:
    li s4, PAGE(5) - 16
    li t0, 3
    andi t0, t0, 0xff
    slli t0, t0, 2
    add t0, t0, s4
    lw s3, 0(t0)
    li t1, 5
    andi t1, t1, 0xff
    slli t1, t1, 2
    add t1, t1, s4
table_load_fault:
    lw s6, 0(t1)
    ecall

    ONE_SPACE_TABLES
    PAGES data_a, data_gap, data_b, data_c, data_d, data_e, data_f, data_g
