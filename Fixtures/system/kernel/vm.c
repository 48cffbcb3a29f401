/* Sv39 page tables: a three-level tree translating 39-bit virtual addresses.
 *
 * Every address space (one per task) maps the kernel the same way, with U=0 so the task cannot
 * touch it, and the task's own pages with U=1. Because the kernel is in every address space,
 * switching tasks is one write to satp and the kernel keeps running across it. The kernel's
 * part uses all three page sizes Sv39 has:
 *   0x0000_0000 - 0x3fff_ffff  devices, one 1 GiB page (read/write)
 *   0x8000_0000 - 0x801f_ffff  the kernel image, 4 KiB pages: text read/execute, rodata read,
 *                              user.c's code read/execute *with U=1* (shared by all tasks),
 *                              data, stacks and page pool read/write
 *   0x8020_0000 - 0x87ff_ffff  the rest of RAM, 2 MiB pages (read/write)
 * Virtual addresses equal physical ones there, so the kernel reaches any page it allocated
 * through its own address. Each task's private pages live at USER_DATA (see task.c). */
#include "kernel.h"
#include "pte.h"

/* A and D are set up front: hardware may either set them itself or fault when they are
   clear (the spec allows both), and this kernel does not track accessed or dirty pages. */
#define LEAF_AD (PTE_V | PTE_A | PTE_D)
#define RAM_END 0x88000000ul   /* the virt board's default 128 MiB */

extern char __text_end[], __user_start[], __user_end[];

#define POOL_PAGES 32
static char pool[POOL_PAGES][PAGE_SIZE] __attribute__((section(".pages"), aligned(PAGE_SIZE)));
static int pool_used;

/* One zeroed page from the pool (the pool is not loaded, so nothing clears it for us). */
u64 page_alloc(void) {
    if (pool_used == POOL_PAGES) {
        console_panic_puts("kernel: out of pages\n");
        shutdown(4);
    }
    u64 *p = (u64 *)pool[pool_used++];
    for (int i = 0; i < PAGE_SIZE / 8; i++) p[i] = 0;
    return (u64)p;
}

static u64 pte_to_pa(u64 pte) { return (pte >> 10) << 12; }
static u64 pa_to_pte(u64 pa) { return (pa >> 12) << 10; }
static u64 vpn(u64 va, int level) { return (va >> (12 + 9 * level)) & 511; }

/* The entry for va at `level` (2 = root), creating the tables above it as needed. */
static u64 *walk(u64 *root, u64 va, int level) {
    u64 *table = root;
    for (int l = 2; l > level; l--) {
        u64 *pte = &table[vpn(va, l)];
        if (!(*pte & PTE_V)) *pte = pa_to_pte(page_alloc()) | PTE_V;  /* non-leaf: no R/W/X */
        table = (u64 *)pte_to_pa(*pte);
    }
    return &table[vpn(va, level)];
}

static u64 *kernel_root;       /* the kernel's part, copied into every address space */

static void build_kernel_map(void) {
    kernel_root = (u64 *)page_alloc();
    *walk(kernel_root, 0, 2) = pa_to_pte(0) | PTE_R | PTE_W | PTE_G | LEAF_AD;
    for (u64 pa = DRAM_BASE; pa < DRAM_BASE + 0x200000; pa += PAGE_SIZE) {
        u64 flags = PTE_R | PTE_W | PTE_G;
        if (pa < (u64)__text_end) flags = PTE_R | PTE_X | PTE_G;
        else if (pa < (u64)__user_start) flags = PTE_R | PTE_G;
        else if (pa < (u64)__user_end) flags = PTE_R | PTE_X | PTE_U;
        *walk(kernel_root, pa, 0) = pa_to_pte(pa) | flags | LEAF_AD;
    }
    for (u64 pa = DRAM_BASE + 0x200000; pa < RAM_END; pa += 0x200000)
        *walk(kernel_root, pa, 1) = pa_to_pte(pa) | PTE_R | PTE_W | PTE_G | LEAF_AD;
}

/* A new root sharing the kernel's tables: only root entries are copied, so the kernel part
   exists once. A task's own pages go under other root entries. */
u64 *vm_new_address_space(void) {
    if (!kernel_root) build_kernel_map();
    u64 *root = (u64 *)page_alloc();
    for (int i = 0; i < 512; i++) root[i] = kernel_root[i];
    return root;
}

void vm_map_user_page(u64 *root, u64 va, u64 pa, int writable) {
    *walk(root, va, 0) = pa_to_pte(pa) | PTE_R | PTE_U | (writable ? PTE_W : 0) | LEAF_AD;
}

/* Where the task's va lives in RAM, or 0 if the task may not read (or write) it: this is how
   a system call checks a pointer it was handed before touching the memory behind it. */
u64 vm_user_to_physical(u64 *root, u64 va, int need_write) {
    if (va >> 38) return 0;                      /* Sv39: the upper half is not user space */
    u64 *table = root;
    for (int level = 2; level >= 0; level--) {
        u64 pte = table[vpn(va, level)];
        if (!(pte & PTE_V)) return 0;
        if (pte & (PTE_R | PTE_X)) {             /* a leaf, possibly a superpage */
            if (!(pte & PTE_U) || !(pte & PTE_R) || (need_write && !(pte & PTE_W))) return 0;
            u64 offset_mask = (1ul << (12 + 9 * level)) - 1;
            return (pte_to_pa(pte) & ~offset_mask) | (va & offset_mask);
        }
        table = (u64 *)pte_to_pa(pte);
    }
    return 0;
}

/* satp for this root: MODE = 8 (Sv39), no ASID, the root's physical page number. */
u64 vm_satp(u64 *root) { return (8ul << 60) | ((u64)root >> 12); }
