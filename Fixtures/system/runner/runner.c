/* The runner: a small S-mode kernel that runs one static riscv64 Linux program (linked into the
 * image as `payload_elf`, with its arguments in `payload_args`) as a U-mode process under Sv39,
 * so the same compute kernels that `tools/bench` runs as Linux programs can be timed as a
 * guest OS's user task (`tools/bench --system`).
 *
 * Memory: the program's segments, its stack and everything it asks for (brk, anonymous mmap)
 * are 4 KiB pages with U=1 and the segment's permissions, allocated from the RAM above the
 * image and mapped up front (A and D set, so hardware never has to). The kernel reaches RAM
 * through one 1 GiB page mapped to itself (0x8000_0000) and the devices through one at
 * IO_VA; both are supervisor-only, so the program's own addresses (below 0x40_0000_0000) and
 * the kernel's never meet. munmap gives pages back (with an sfence.vma); nothing else changes
 * a mapping while the program runs.
 *
 * System calls: the handful a static glibc program makes (write, exit_group, brk, mmap,
 * munmap, mprotect, newfstatat, prlimit64, getrandom, sysinfo, clock_gettime, ...), answered
 * just well enough for a program that computes and prints: stdout is a pipe, randomness is a
 * fixed sequence, anything else is ENOSYS. Output goes to the UART, polled; the exit status to
 * the test finisher (0: pass; n: fail with code n), so the emulator exits with the program's
 * status.
 *
 * With Sstc, a 250 Hz timer tick (stimecmp) interrupts the program as a real kernel's would. */
#include <stdint.h>
#include "machine.h"
#include "pte.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;

#define PAGE 4096ul
#define RAM_SIZE (512ul << 20)              /* run with -m 512M / --memory 512M */
#define POOL_END (DRAM_BASE + RAM_SIZE - (8ul << 20))  /* the top 8 MiB: device tree, firmware data */
#define IO_VA 0xFFFFFFC000000000ul          /* physical 0..1 GiB: the devices */
#define STACK_TOP 0x3FFFFFF000ul
#define STACK_PAGES 512                      /* 2 MiB */
#define MMAP_TOP 0x2000000000ul
#define BRK_LIMIT 0x40000000ul
#define TICK 40000                           /* 4 ms of the 10 MHz timer */

#define ENOENT 2
#define EBADF 9
#define ENOMEM 12
#define EINVAL 22
#define ENOSYS 38

#define csr_read(name) ({ u64 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((u64)(v)))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" ::"r"((u64)(v)))

struct frame {
    u64 regs[32];
    u64 pc;
};

extern char __image_end[];
extern const u8 payload_elf[];
extern const char payload_args[];
extern struct frame frame;
void user_resume(void) __attribute__((noreturn));
void s_trap(void);

static u64 *root;
static u64 pool_next, free_pages;   /* free_pages: a list linked through each page's first word */
static u64 brk_start, brk_now, mmap_next, random_state = 0x9E3779B97F4A7C15ul;

/* ------------------------------------------------------------------------- console, exit */

static void putc_uart(char c) {
    volatile u8 *uart = (volatile u8 *)(IO_VA + UART_BASE);
    while (!(uart[UART_LSR] & 0x20)) {}
    uart[UART_THR] = (u8)c;
}

static void puts_uart(const char *s) {
    for (; *s; s++) putc_uart(*s);
}

static void put_hex(u64 v) {
    puts_uart("0x");
    for (int shift = 60; shift >= 0; shift -= 4) putc_uart("0123456789abcdef"[(v >> shift) & 15]);
}

static void __attribute__((noreturn)) finish(u64 status) {
    volatile u32 *finisher = (volatile u32 *)(IO_VA + FINISHER_BASE);
    *finisher = status == 0 ? FINISHER_PASS : (u32)((status & 0xFF) << 16) | FINISHER_FAIL;
    for (;;) __asm__ volatile("wfi");
}

static void __attribute__((noreturn)) panic(const char *why, u64 value) {
    puts_uart("runner: ");
    puts_uart(why);
    putc_uart(' ');
    put_hex(value);
    putc_uart('\n');
    finish(127);
}

/* ---------------------------------------------------------------------------- memory */

static void zero_page(u64 pa) {
    u64 *p = (u64 *)pa;
    for (unsigned i = 0; i < PAGE / 8; i++) p[i] = 0;
}

static u64 page_alloc(void) {
    u64 pa;
    if (free_pages) {
        pa = free_pages;
        free_pages = *(u64 *)pa;
    } else {
        if (pool_next >= POOL_END) panic("out of memory at page", pool_next);
        pa = pool_next;
        pool_next += PAGE;
    }
    zero_page(pa);
    return pa;
}

/* The leaf entry for va, creating the tables above it when `create`; 0 if there is none. */
static u64 *leaf(u64 va, int create) {
    u64 *table = root;
    for (int level = 2; level > 0; level--) {
        u64 *e = &table[(va >> (12 + 9 * level)) & 511];
        if (!(*e & PTE_V)) {
            if (!create) return 0;
            *e = (page_alloc() >> 12) << 10 | PTE_V;
        }
        table = (u64 *)((*e >> 10) << 12);
    }
    return &table[(va >> 12) & 511];
}

/* Maps a zeroed page at va for U-mode with `perm` (R/W/X), or adds `perm` to the page there. */
static u64 map_user(u64 va, u64 perm) {
    u64 *e = leaf(va, 1);
    if (!(*e & PTE_V)) *e = (page_alloc() >> 12) << 10 | PTE_V | PTE_U | PTE_A | PTE_D;
    *e |= perm;
    return (*e >> 10) << 12;
}

static void map_range(u64 start, u64 end, u64 perm) {
    for (u64 va = start & ~(PAGE - 1); va < end; va += PAGE) map_user(va, perm);
}

/* The kernel's address of the program's byte at va (a page it mapped), or 0. */
static u8 *user_byte(u64 va) {
    u64 *e = leaf(va, 0);
    if (!e || !(*e & PTE_V)) return 0;
    return (u8 *)(((*e >> 10) << 12) + (va & (PAGE - 1)));
}

static void copy_to_user(u64 va, const u8 *from, u64 n) {
    while (n) {
        u8 *to = user_byte(va);
        if (!to) panic("copy to an unmapped page", va);
        u64 chunk = PAGE - (va & (PAGE - 1));
        if (chunk > n) chunk = n;
        for (u64 i = 0; i < chunk; i++) to[i] = from[i];
        va += chunk;
        from += chunk;
        n -= chunk;
    }
}

static void put_user64(u64 va, u64 v) {
    copy_to_user(va, (const u8 *)&v, 8);
}

/* ---------------------------------------------------------------------------- the program */

struct ehdr {
    u8 ident[16];
    uint16_t type, machine;
    u32 version;
    u64 entry, phoff, shoff;
    u32 flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
    u32 type, flags;
    u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25

/* Loads the ELF, builds the stack (argc, argv, an empty environment, the auxiliary vector) and
   returns the initial sp; the entry point goes to *entry. */
static u64 load_program(u64 *entry) {
    const struct ehdr *eh = (const struct ehdr *)payload_elf;
    if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->machine != 243 || eh->type != 2)
        panic("payload is not a static riscv64 executable, type", eh->type);
    u64 phdr_va = 0, end = 0;
    for (int i = 0; i < eh->phnum; i++) {
        const struct phdr *ph = (const struct phdr *)(payload_elf + eh->phoff + (u64)i * eh->phentsize);
        if (ph->type != PT_LOAD) continue;
        u64 perm = (ph->flags & 4 ? PTE_R : 0) | (ph->flags & 2 ? PTE_W : 0) | (ph->flags & 1 ? PTE_X : 0);
        map_range(ph->vaddr, ph->vaddr + ph->memsz, perm);
        copy_to_user(ph->vaddr, payload_elf + ph->offset, ph->filesz);
        if (eh->phoff >= ph->offset && eh->phoff < ph->offset + ph->filesz)
            phdr_va = ph->vaddr + (eh->phoff - ph->offset);
        if (ph->vaddr + ph->memsz > end) end = ph->vaddr + ph->memsz;
    }
    brk_start = brk_now = (end + PAGE - 1) & ~(PAGE - 1);
    mmap_next = MMAP_TOP;
    *entry = eh->entry;

    map_range(STACK_TOP - STACK_PAGES * PAGE, STACK_TOP, PTE_R | PTE_W);
    /* strings at the top: the arguments, then 16 "random" bytes for AT_RANDOM */
    u64 argv[32], argc = 0, top = STACK_TOP;
    const char *arg = payload_args;
    while (*arg && argc < 31) {
        u64 len = 0;
        while (arg[len]) len++;
        top -= len + 1;
        copy_to_user(top, (const u8 *)arg, len + 1);
        argv[argc++] = top;
        arg += len + 1;
    }
    top -= 16;
    u64 random_va = top;
    copy_to_user(random_va, (const u8 *)"runner-at-random", 16);
    u64 aux[][2] = {
        {AT_PHDR, phdr_va}, {AT_PHENT, eh->phentsize}, {AT_PHNUM, eh->phnum}, {AT_PAGESZ, PAGE},
        {AT_ENTRY, eh->entry}, {AT_UID, 0}, {AT_EUID, 0}, {AT_GID, 0}, {AT_EGID, 0},
        /* I, M, A, F, D, C */
        {AT_HWCAP, (1 << ('i' - 'a')) | (1 << ('m' - 'a')) | (1 << ('a' - 'a')) | (1 << ('f' - 'a')) |
                       (1 << ('d' - 'a')) | (1 << ('c' - 'a'))},
        {AT_CLKTCK, 100}, {AT_SECURE, 0}, {AT_RANDOM, random_va}, {0, 0},
    };
    u64 words = 1 + argc + 1 + 1 + sizeof aux / 8;
    u64 sp = (top - words * 8) & ~15ul;
    u64 at = sp;
    put_user64(at, argc), at += 8;
    for (u64 i = 0; i < argc; i++) put_user64(at, argv[i]), at += 8;
    put_user64(at, 0), at += 8;  /* argv's end */
    put_user64(at, 0), at += 8;  /* no environment */
    copy_to_user(at, (const u8 *)aux, sizeof aux);
    return sp;
}

/* ---------------------------------------------------------------------------- system calls */

static void fill_user(u64 va, u8 value, u64 n) {
    for (u64 i = 0; i < n; i++) {
        u8 *p = user_byte(va + i);
        if (!p) panic("write to an unmapped page", va + i);
        *p = value;
    }
}

static u64 sys_brk(u64 want) {
    if (want < brk_start || want > BRK_LIMIT) return brk_now;
    u64 mapped = (brk_now + PAGE - 1) & ~(PAGE - 1);
    if (want > mapped) map_range(mapped, want, PTE_R | PTE_W);
    brk_now = want;
    return brk_now;
}

static long sys_mmap(u64 addr, u64 len, u64 prot, u64 flags, long fd) {
    (void)addr;
    if (fd != -1 || !(flags & 0x20) || (flags & 0x10) || len == 0) return -ENOSYS;  /* anonymous only */
    len = (len + PAGE - 1) & ~(PAGE - 1);
    if (len > mmap_next - BRK_LIMIT) return -ENOMEM;
    mmap_next -= len;
    (void)prot;  /* always readable and writable: the program never asks for less */
    map_range(mmap_next, mmap_next + len, PTE_R | PTE_W);
    return (long)mmap_next;
}

static long sys_munmap(u64 addr, u64 len) {
    if (addr & (PAGE - 1)) return -EINVAL;
    for (u64 va = addr; va < addr + len; va += PAGE) {
        u64 *e = leaf(va, 0);
        if (!e || !(*e & PTE_V)) continue;
        u64 pa = (*e >> 10) << 12;
        *e = 0;
        *(u64 *)pa = free_pages;
        free_pages = pa;
    }
    __asm__ volatile("sfence.vma" ::: "memory");
    return 0;
}

static long sys_write(long fd, u64 buf, u64 n) {
    if (fd != 1 && fd != 2) return -EBADF;
    for (u64 i = 0; i < n; i++) {
        u8 *p = user_byte(buf + i);
        if (!p) return i ? (long)i : -14;
        putc_uart((char)*p);
    }
    return (long)n;
}

static long syscall(struct frame *f) {
    u64 *r = f->regs;
    u64 a0 = r[10], a1 = r[11], a2 = r[12], a3 = r[13], a4 = r[14];
    switch (r[17]) {
    case 64: return sys_write((long)a0, a1, a2);
    case 93:
    case 94: finish(a0);
    case 214: return (long)sys_brk(a0);
    case 222: return sys_mmap(a0, a1, a2, a3, (long)a4);
    case 215: return sys_munmap(a0, a1);
    case 226: return 0;                                   /* mprotect */
    case 96: return 1;                                    /* set_tid_address: tid 1 */
    case 172: case 178: return 1;                         /* getpid, gettid */
    case 174: case 175: case 176: case 177: return 0;     /* getuid, geteuid, getgid, getegid */
    case 79:                                              /* newfstatat(fd, "", st, AT_EMPTY_PATH) */
    case 80: {                                            /* fstat(fd, st) */
        u64 st = r[17] == 79 ? a2 : a1;
        if (a0 > 2) return -EBADF;
        fill_user(st, 0, 128);
        u32 mode = 0010600;                               /* a pipe, as under tools/bench */
        copy_to_user(st + 16, (const u8 *)&mode, 4);
        u32 blksize = 4096;
        copy_to_user(st + 56, (const u8 *)&blksize, 4);
        return 0;
    }
    case 261:                                             /* prlimit64(0, resource, new, old) */
        if (a3) {
            put_user64(a3, a1 == 3 ? 8ul << 20 : ~0ul);   /* RLIMIT_STACK: 8 MiB */
            put_user64(a3 + 8, ~0ul);
        }
        return 0;
    case 278:                                             /* getrandom: a fixed sequence */
        for (u64 i = 0; i < a1; i++) {
            random_state = random_state * 6364136223846793005ul + 1442695040888963407ul;
            u8 b = (u8)(random_state >> 56);
            copy_to_user(a0 + i, &b, 1);
        }
        return (long)a1;
    case 179:                                             /* sysinfo */
        fill_user(a0, 0, 112);
        put_user64(a0 + 32, RAM_SIZE);                    /* totalram */
        put_user64(a0 + 40, RAM_SIZE / 2);                /* freeram */
        copy_to_user(a0 + 104, (const u8 *)"\1\0\0\0", 4); /* mem_unit */
        return 0;
    case 113: {                                           /* clock_gettime: the 10 MHz time CSR */
        u64 t = csr_read(time);
        put_user64(a1, t / 10000000);
        put_user64(a1 + 8, t % 10000000 * 100);
        return 0;
    }
    case 78: return -ENOENT;                              /* readlinkat */
    default: return -ENOSYS;
    }
}

/* ---------------------------------------------------------------------------- traps */

static int sstc;

void trap(struct frame *f) {
    u64 cause = csr_read(scause);
    if (cause == (1ul << 63 | 5)) {                       /* the tick */
        csr_write(0x14d, csr_read(time) + TICK);
        return;
    }
    if (cause == 8) {                                     /* ecall from U */
        f->pc += 4;
        f->regs[10] = (u64)syscall(f);
        return;
    }
    puts_uart("runner: the program faulted: scause ");
    put_hex(cause);
    puts_uart(" sepc ");
    put_hex(csr_read(sepc));
    puts_uart(" stval ");
    put_hex(csr_read(stval));
    putc_uart('\n');
    finish(128 + 11);
}

void __attribute__((noreturn)) kernel_fault(void) {
    puts_uart("runner: kernel trap: scause ");
    put_hex(csr_read(scause));
    puts_uart(" sepc ");
    put_hex(csr_read(sepc));
    panic("stval", csr_read(stval));
}

void __attribute__((noreturn)) kmain(u64 has_sstc) {
    sstc = (int)has_sstc;
    pool_next = (u64)__image_end;
    root = (u64 *)page_alloc();
    root[(DRAM_BASE >> 30) & 511] = (DRAM_BASE >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D;
    root[(IO_VA >> 30) & 511] = PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D;
    csr_write(stvec, (u64)s_trap);
    csr_write(satp, 8ul << 60 | (u64)root >> 12);
    __asm__ volatile("sfence.vma" ::: "memory");
    csr_write(scounteren, 7);

    u64 entry;
    u64 sp = load_program(&entry);
    for (int i = 0; i < 32; i++) frame.regs[i] = 0;
    frame.regs[2] = sp;
    frame.pc = entry;
    /* sret to U-mode (SPP = 0) with interrupts on there (SPIE), the FPU usable (FS = Initial)
       and, in the kernel, user pages reachable (SUM) */
    csr_set(sstatus, (1ul << 5) | (1ul << 13) | (1ul << 18));
    csr_write(0x100, csr_read(sstatus) & ~(1ul << 8));
    if (sstc) {
        csr_write(0x14d, csr_read(time) + TICK);
        csr_set(sie, 1ul << 5);
    }
    user_resume();
}
