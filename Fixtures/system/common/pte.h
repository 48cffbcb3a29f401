/* RISC-V page-table entry bits, for every fixture that builds page tables (C and assembly). */
#ifndef PTE_H
#define PTE_H

#ifdef __ASSEMBLER__
#define PTE_BIT(n) (1 << (n))
#else
#define PTE_BIT(n) (1ul << (n))
#endif

#define PTE_V PTE_BIT(0)
#define PTE_R PTE_BIT(1)
#define PTE_W PTE_BIT(2)
#define PTE_X PTE_BIT(3)
#define PTE_U PTE_BIT(4)
#define PTE_G PTE_BIT(5)
#define PTE_A PTE_BIT(6)
#define PTE_D PTE_BIT(7)

#endif
