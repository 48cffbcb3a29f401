/* Page-table entries and Sv39 page-table building shared by the privileged tests that set up
 * translation (vm, cbo, switch). Include after test.h. */
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

#endif
