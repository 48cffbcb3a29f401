/* Page-table entries and Sv39 page-table building shared by the privileged tests that set up
 * translation (vm, cbo, chain, share, switch). Include after test.h. */
#ifndef SV39_H
#define SV39_H

#include "../common/pte.h"
#define SATP_SV39 (8 << 60)
#define PAGE(i)   (0x40000000 + (i) * 0x1000)   /* the 4 KiB test pages */

/* table[index] = leaf or pointer to the physical address in t1 with \flags */
.macro SET_PTE table, index, flags
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, \flags
    la t0, \table
    sd t1, (8 * \index)(t0)
.endm
.macro MAP table, index, target, flags
    la t1, \target
    SET_PTE \table, \index, \flags
.endm
.macro MAP_PA table, index, pa, flags
    li t1, \pa
    SET_PTE \table, \index, \flags
.endm

/* The tables live in a .pages section that is not loaded: zero tables_start..tables_end. */
.macro ZERO_TABLES
    la t0, tables_start
    la t1, tables_end
9001: sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 9001b
.endm
/* \dst = the satp value for the root table \root; \mode holds the MODE field and any ASID */
.macro SATP_OF dst, root, mode
    la t0, \root
    srli t0, t0, 12
    li t1, \mode
    or \dst, t0, t1
.endm
/* Translation through \root from now on (no ASID), every old translation fenced */
.macro USE_ROOT root, mode=SATP_SV39
    SATP_OF t0, \root, \mode
    csrw satp, t0
    sfence.vma
.endm
/* Virtual 0x8000_0000 maps RAM one to one as a 1 GiB page (all permissions, accessed, dirty), so
 * code and data keep their addresses once translation is on. */
.macro MAP_RAM_GIGA root
    MAP_PA \root, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
.endm
/* An address space whose leaf table maps 4 KiB pages at PAGE(i): \root[1] -> \mid[0] -> \leaf,
 * with RAM at its own address (MAP_RAM_GIGA); the caller maps the leaves. */
.macro SPACE root, mid, leaf
    MAP \root, 1, \mid, PTE_V
    MAP_RAM_GIGA \root
    MAP \mid, 0, \leaf, PTE_V
.endm
/* Two address spaces with different ASIDs, as Linux uses them: s3 = satp of root1 (ASID 1),
 * s4 = of root2 (ASID 2); translation through s3 from now on. */
#define ASID1 (1 << 44)
#define ASID2 (2 << 44)
.macro TWO_SPACES_ON
    SATP_OF s3, root1, SATP_SV39 | ASID1
    SATP_OF s4, root2, SATP_SV39 | ASID2
    csrw satp, s3
    sfence.vma
.endm
/* Zeroed pages, one per name, in the .pages section. */
.macro PAGES name, rest:vararg
\name: .space 4096
.ifnb \rest
    PAGES \rest
.endif
.endm
/* Three table pages, one per level: \root, \mid, \leaf */
.macro TABLES root, mid, leaf
    PAGES \root, \mid, \leaf
.endm
/* Opens the .pages section (page-aligned, not loaded) at tables_start; the table pages follow,
 * up to tables_end, which ZERO_TABLES clears. */
.macro PAGES_SECTION
    .section .pages, "aw", @nobits
    .balign 4096
tables_start:
.endm
/* The tables of SPACE root, table1, table0; data pages (PAGES) may follow. */
.macro ONE_SPACE_TABLES
    PAGES_SECTION
    TABLES root, table1, table0
tables_end:
.endm
/* The tables of two SPACEs, root1 (table1a, table0a) and root2 (table1b, table0b), for TWO_SPACES_ON. */
.macro TWO_SPACE_TABLES
    PAGES_SECTION
    TABLES root1, table1a, table0a
    TABLES root2, table1b, table0b
tables_end:
.endm

#endif
