/* sbi_codewrite: code that changes under an engine that translates it, and mappings that change
   under an engine that caches them. An S-mode payload (OpenSBI starts it) that checks only what
   the ISA guarantees, so every engine and QEMU print the same:
     - code written by stores runs after fence.i: a fresh page, and one page rewritten 64 times;
     - code a device wrote (virtio-blk reading a sector straight into a page of code that has
       run) runs after fence.i: the device's writes never pass the hart's stores;
     - under Sv39, a 4 KiB code page and a data page remapped, then `sfence.vma addr` for each:
       the new mappings are seen, through a jalr and a load that both ran before the remap;
       a page remapped with no sfence.vma may show either mapping (printed as such), and is
       seen after its own sfence.vma; `sfence.vma x0, asid` of the current address space;
     - a 2 MiB megapage remapped and fenced by an address in another 4 KiB piece of it.
   The disk (--drive) holds, in sector 0, `li a0, 7; ret` and in sector 1 `li a0, 9; ret`.
   Each check prints "ok" or "FAIL" with what it saw; the payload powers off with a failure
   reason if any failed. */
#include "sbi.h"
#include "virtio.h"
#include "pte.h"

#define LI_A0(k) ((unsigned int)(((k) << 20) | (10 << 7) | 0x13)) /* addi a0, x0, k */
#define RET 0x00008067u                                             /* jalr x0, 0(ra) */

typedef long (*function)(void);

static int checks, failures;

static void check(const char *what, long got, long want) {
    checks++;
    put_string(got == want ? "sbi_codewrite: ok " : "sbi_codewrite: FAIL ");
    put_dec((unsigned long)checks);
    put_string(" ");
    put_string(what);
    if (got != want) {
        failures++;
        put_string(": got ");
        put_dec((unsigned long)got);
        put_string(", want ");
        put_dec((unsigned long)want);
    }
    put_string("\n");
}

/* A result the ISA leaves open (no fence yet): either of two values is right. */
static void either(const char *what, long got, long a, long b) {
    checks++;
    int fine = got == a || got == b;
    put_string(fine ? "sbi_codewrite: ok " : "sbi_codewrite: FAIL ");
    put_dec((unsigned long)checks);
    put_string(" ");
    put_string(what);
    if (!fine) {
        failures++;
        put_string(": got ");
        put_dec((unsigned long)got);
    }
    put_string("\n");
}

static inline void fence_i(void) { asm volatile("fence.i" ::: "memory"); }
static inline void sfence_page(unsigned long va) { asm volatile("sfence.vma %0, zero" ::"r"(va) : "memory"); }
static inline void sfence_asid(unsigned long asid) { asm volatile("sfence.vma zero, %0" ::"r"(asid) : "memory"); }
static inline void sfence_all(void) { asm volatile("sfence.vma" ::: "memory"); }

static long call(unsigned long address) { return ((function)address)(); }

/* Writes `li a0, k; ret` at `p`. */
static void emit(volatile unsigned int *p, long k) {
    p[0] = LI_A0(k);
    p[1] = RET;
}

void payload_trap(unsigned long cause, unsigned long epc, unsigned long tval) {
    report_trap("sbi_codewrite", cause, epc, tval);
}

/* --- Code written by stores ---------------------------------------------------------------- */

static unsigned int fresh[1024] __attribute__((aligned(4096)));
static unsigned int rewritten[1024] __attribute__((aligned(4096)));

static void stores(void) {
    emit(fresh + 100, 11);
    fence_i();
    check("code stored into a fresh page runs after fence.i", call((unsigned long)(fresh + 100)), 11);

    /* One page rewritten again and again, the function moving around it and staying put. */
    long sum = 0, want = 0;
    for (long k = 0; k < 64; k++) {
        volatile unsigned int *at = rewritten + (k % 8) * 16;
        emit(at, k + 1);
        fence_i();
        sum += call((unsigned long)at);
        want += k + 1;
    }
    check("a page rewritten 64 times runs what each pass wrote", sum, want);

    /* A store with no fence.i: the old or the new code may run; after fence.i the new. */
    emit(rewritten, 20);
    fence_i();
    long before = call((unsigned long)rewritten);
    emit(rewritten, 21);
    either("a patch before its fence.i shows the old or the new code", call((unsigned long)rewritten), 20, 21);
    fence_i();
    check("the patch runs after fence.i", call((unsigned long)rewritten) + before, 41);
}

/* --- Code written by a device (virtio-blk DMA) ------------------------------------------- */

static struct virtq_desc descs[VIRTQ_SIZE] __attribute__((aligned(16)));
static struct virtq_avail avail __attribute__((aligned(2)));
static struct virtq_used used __attribute__((aligned(4)));
static struct virtio_blk_req req;
static unsigned char status;
static unsigned short seen;
static unsigned int dma_code[1024] __attribute__((aligned(4096)));

static unsigned long find_disk(void) {
    for (int slot = 0; slot < VIRTIO_SLOTS; slot++) {
        unsigned long base = VIRTIO_BASE + 0x1000UL * slot;
        if (R(base, MAGIC) == VIRTIO_MAGIC_VALUE && R(base, VERSION) == 2 && R(base, DEVICE_ID) == VIRTIO_DEVICE_BLOCK) return base;
    }
    return 0;
}

static int setup(unsigned long dev) {
    R(dev, STATUS) = 0;
    R(dev, STATUS) = 1 | 2;
    R(dev, DRIVER_FEATURES_SEL) = 1;
    R(dev, DRIVER_FEATURES) = 1; /* VERSION_1 */
    R(dev, DRIVER_FEATURES_SEL) = 0;
    R(dev, DRIVER_FEATURES) = 0;
    R(dev, STATUS) = 1 | 2 | 8;
    if (!(R(dev, STATUS) & 8)) return 0;
    R(dev, QUEUE_SEL) = 0;
    if (R(dev, QUEUE_NUM_MAX) < VIRTQ_SIZE) return 0;
    R(dev, QUEUE_NUM) = VIRTQ_SIZE;
    R(dev, QUEUE_DESC_LOW) = (unsigned int)(unsigned long)descs;
    R(dev, QUEUE_DESC_HIGH) = (unsigned int)((unsigned long)descs >> 32);
    R(dev, QUEUE_DRIVER_LOW) = (unsigned int)(unsigned long)&avail;
    R(dev, QUEUE_DRIVER_HIGH) = (unsigned int)((unsigned long)&avail >> 32);
    R(dev, QUEUE_DEVICE_LOW) = (unsigned int)(unsigned long)&used;
    R(dev, QUEUE_DEVICE_HIGH) = (unsigned int)((unsigned long)&used >> 32);
    R(dev, QUEUE_READY) = 1;
    R(dev, STATUS) = 1 | 2 | 8 | 4;
    return 1;
}

/* Reads one sector straight into `buffer` (the device writes it); polls for completion. */
static int read_sector(unsigned long dev, unsigned long sector, void *buffer) {
    req.type = 0;
    req.reserved = 0;
    req.sector = sector;
    status = 0xff;
    descs[0] = (struct virtq_desc){(unsigned long)&req, sizeof req, 1, 1};
    descs[1] = (struct virtq_desc){(unsigned long)buffer, 512, 1 | 2, 2};
    descs[2] = (struct virtq_desc){(unsigned long)&status, 1, 2, 0};
    avail.ring[avail.idx % VIRTQ_SIZE] = 0;
    asm volatile("fence rw, rw" ::: "memory");
    avail.idx++;
    asm volatile("fence rw, rw" ::: "memory");
    R(dev, QUEUE_NOTIFY) = 0;
    while (*(volatile unsigned short *)&used.idx == seen) {}
    seen++;
    asm volatile("fence rw, rw" ::: "memory");
    return status;
}

static void dma(void) {
    unsigned long dev = find_disk();
    if (!dev || !setup(dev)) {
        check("a virtio-blk disk is there", 0, 1);
        return;
    }
    emit(dma_code, 5);
    fence_i();
    check("the page's first code runs", call((unsigned long)dma_code), 5);
    int s = read_sector(dev, 0, dma_code);
    fence_i();
    check("code the disk wrote over it runs after fence.i", call((unsigned long)dma_code) + 100 * s, 7);
    s = read_sector(dev, 1, dma_code);
    fence_i();
    check("and again, from another sector", call((unsigned long)dma_code) + 100 * s, 9);
    R(dev, STATUS) = 0;
}

/* --- Mappings: Sv39 ------------------------------------------------------------------------ */

#define LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define DATA (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

static unsigned long root[512] __attribute__((aligned(4096)));
static unsigned long level1[512] __attribute__((aligned(4096)));
static unsigned long level0[512] __attribute__((aligned(4096)));
/* Physical pages behind the test addresses: three of code, two of data. */
static unsigned int frames[5][1024] __attribute__((aligned(4096)));

#define VA_X 0x40000000UL /* code */
#define VA_Y 0x40001000UL /* data */
#define VA_Z 0x40002000UL /* code */
#define VA_MEGA 0x40200000UL
/* Two 2 MiB frames of free RAM above the payload (OpenSBI at 0x8000_0000, us at 0x8020_0000). */
#define MEGA_A 0x80800000UL
#define MEGA_B 0x80a00000UL

static unsigned long pte(unsigned long physical, unsigned long flags) { return physical >> 12 << 10 | flags; }
static void map4k(unsigned long va, void *frame, unsigned long flags) { level0[va >> 12 & 511] = pte((unsigned long)frame, flags); }
static long load(unsigned long va) { return *(volatile long *)va; }
static void store(unsigned long address, long value) { *(volatile long *)address = value; }

static void mappings(void) {
    root[0] = pte(0, DATA);                                      /* devices, 1 GiB */
    root[2] = pte(0x80000000UL, LEAF);                           /* RAM, identity, 1 GiB */
    root[1] = pte((unsigned long)level1, PTE_V);                 /* the test gigabyte */
    level1[0] = pte((unsigned long)level0, PTE_V);
    level1[1] = pte(MEGA_A, LEAF);
    emit(frames[0], 1);
    emit(frames[1], 2);
    emit(frames[2], 3);
    store((unsigned long)&frames[3][0], 0x11);
    store((unsigned long)&frames[4][0], 0x22);
    emit((volatile unsigned int *)(MEGA_A + 0x5000), 4);
    emit((volatile unsigned int *)(MEGA_B + 0x5000), 6);
    store(MEGA_A + 0x7000, 0x44);
    store(MEGA_B + 0x7000, 0x66);
    fence_i();
    map4k(VA_X, frames[0], LEAF);
    map4k(VA_Y, frames[3], DATA);
    map4k(VA_Z, frames[2], LEAF);
    asm volatile("fence rw, rw" ::: "memory");
    asm volatile("csrw satp, %0" ::"r"(8UL << 60 | (unsigned long)root >> 12) : "memory");
    sfence_all();

    /* Run and load through every mapping a few times, so each is cached by whoever caches. */
    long a = 0, b = 0, c = 0, m = 0, n = 0;
    for (int i = 0; i < 16; i++) {
        a += call(VA_X);
        b += load(VA_Y);
        c += call(VA_Z);
        m += call(VA_MEGA + 0x5000);
        n += load(VA_MEGA + 0x7000);
    }
    check("Sv39: code, data and a megapage through their first mappings", a + b + c + m + n, 16 * (1 + 0x11 + 3 + 4 + 0x44));

    map4k(VA_X, frames[1], LEAF);
    map4k(VA_Y, frames[4], DATA);
    asm volatile("fence rw, rw" ::: "memory");
    sfence_page(VA_X);
    sfence_page(VA_Y + 8); /* any address in the page names it */
    check("a code page remapped, sfence.vma its address: the new code runs", call(VA_X), 2);
    check("a data page remapped, sfence.vma an address in it: the new data loads", load(VA_Y), 0x22);
    check("a page not remapped is as it was", call(VA_Z), 3);

    map4k(VA_Z, frames[0], LEAF);
    asm volatile("fence rw, rw" ::: "memory");
    either("a page remapped with no sfence.vma runs the old or the new code", call(VA_Z), 3, 1);
    sfence_page(VA_Z);
    check("after its sfence.vma the new code", call(VA_Z), 1);

    map4k(VA_X, frames[2], LEAF);
    asm volatile("fence rw, rw" ::: "memory");
    sfence_asid(0);
    check("sfence.vma x0, asid of the current address space: the new code", call(VA_X), 3);

    level1[1] = pte(MEGA_B, LEAF);
    asm volatile("fence rw, rw" ::: "memory");
    sfence_page(VA_MEGA + 0x1000); /* another 4 KiB piece of the same leaf */
    check("a megapage remapped, sfence.vma of one piece: new code in another", call(VA_MEGA + 0x5000), 6);
    check("and new data in a third", load(VA_MEGA + 0x7000), 0x66);

    asm volatile("csrw satp, zero" ::: "memory");
    sfence_all();
}

long payload_main(unsigned long hart, unsigned long dtb) {
    (void)hart;
    (void)dtb;
    console_init();
    put_string("sbi_codewrite: code and mappings that change under the engine\n");
    stores();
    dma();
    mappings();
    put_string(failures ? "sbi_codewrite: FAILED " : "sbi_codewrite: PASS ");
    put_dec((unsigned long)(failures ? failures : checks));
    put_string(failures ? " checks\n" : " checks\n");
    return failures ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE;
}
