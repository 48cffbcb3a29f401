/* sbi_virtio: an S-mode payload that drives a virtio-blk disk through the virtio-mmio (version
   2) transport on its own: it looks for the device in QEMU virt's eight slots (0x1000_1000 on,
   0x1000 apart; QEMU fills them from the top, Trapeze from the bottom), negotiates VERSION_1,
   sets up one split virtqueue, reads sector 0 and prints its first line, writes sector 1, reads
   it back and compares, asks for the device ID, then powers off. The used-buffer interrupt is
   taken through the PLIC's supervisor context. */
#include "sbi.h"
#include "virtio.h"

#define PLIC_PRIORITY(irq) (PLIC_BASE + 4 * (irq))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)

static struct virtq_desc descs[VIRTQ_SIZE] __attribute__((aligned(16)));
static struct virtq_avail avail __attribute__((aligned(2)));
static struct virtq_used used __attribute__((aligned(4)));
static struct virtio_blk_req req;
static unsigned char data[512], status;
static unsigned long dev, irq;
static volatile unsigned long interrupts;
static unsigned short seen;

void payload_trap(unsigned long cause, unsigned long epc, unsigned long tval) {
    if (cause == (1UL << 63 | 9)) {
        unsigned int claimed = mmio_read32(PLIC_CLAIM(PLIC_S_CONTEXT));
        if (claimed == irq) {
            R(dev, INTERRUPT_ACK) = R(dev, INTERRUPT_STATUS);
            interrupts++;
        }
        if (claimed) mmio_write32(PLIC_CLAIM(PLIC_S_CONTEXT), claimed);
        return;
    }
    report_trap("sbi_virtio", cause, epc, tval);
}

/* One request: header, one data buffer (device-writable for reads), status. */
static int submit(unsigned int type, unsigned long sector, unsigned int len, int device_writes) {
    req.type = type;
    req.reserved = 0;
    req.sector = sector;
    status = 0xff;
    descs[0] = (struct virtq_desc){(unsigned long)&req, sizeof req, 1, 1};
    descs[1] = (struct virtq_desc){(unsigned long)data, len, (unsigned short)(1 | (device_writes ? 2 : 0)), 2};
    descs[2] = (struct virtq_desc){(unsigned long)&status, 1, 2, 0};
    avail.ring[avail.idx % VIRTQ_SIZE] = 0;
    asm volatile("fence rw, rw" ::: "memory");
    avail.idx++;
    asm volatile("fence rw, rw" ::: "memory");
    R(dev, QUEUE_NOTIFY) = 0;
    while (*(volatile unsigned short *)&used.idx == seen) asm volatile("wfi");
    seen++;
    asm volatile("fence rw, rw" ::: "memory");
    return status;
}

static void print_line(const unsigned char *p, unsigned long max) {
    char line[81];
    unsigned long i = 0;
    while (i < max && i < 80 && p[i] && p[i] != '\n') {
        line[i] = (char)p[i];
        i++;
    }
    line[i] = 0;
    put_string(line);
}

long payload_main(unsigned long hart, unsigned long dtb) {
    (void)hart;
    (void)dtb;
    console_init();
    for (int slot = 0; slot < VIRTIO_SLOTS && !dev; slot++) {
        unsigned long base = VIRTIO_BASE + 0x1000UL * slot;
        if (R(base, MAGIC) == 0x74726976 && R(base, VERSION) == 2 && R(base, DEVICE_ID) == 2) {
            dev = base;
            irq = 1 + slot;
        }
    }
    if (!dev) {
        put_string("sbi_virtio: no virtio-blk device\n");
        return SBI_SRST_REASON_FAILURE;
    }
    put_string("sbi_virtio: virtio-blk, version 2\n");
    R(dev, STATUS) = 0;
    R(dev, STATUS) = 1 | 2; /* ACKNOWLEDGE | DRIVER */
    R(dev, DEVICE_FEATURES_SEL) = 1;
    unsigned int high = R(dev, DEVICE_FEATURES);
    R(dev, DEVICE_FEATURES_SEL) = 0;
    unsigned int low = R(dev, DEVICE_FEATURES);
    put_string("sbi_virtio: VERSION_1 ");
    put_string(high & 1 ? "offered" : "missing");
    put_string(", read-only ");
    put_string(low & (1 << 5) ? "yes" : "no");
    put_string("\n");
    R(dev, DRIVER_FEATURES_SEL) = 1;
    R(dev, DRIVER_FEATURES) = 1; /* VERSION_1 only */
    R(dev, DRIVER_FEATURES_SEL) = 0;
    R(dev, DRIVER_FEATURES) = 0;
    R(dev, STATUS) = 1 | 2 | 8;
    if (!(R(dev, STATUS) & 8)) {
        put_string("sbi_virtio: FEATURES_OK refused\n");
        return SBI_SRST_REASON_FAILURE;
    }
    unsigned long capacity = R(dev, CONFIG) | (unsigned long)R(dev, CONFIG + 4) << 32;
    put_string("sbi_virtio: capacity ");
    put_dec(capacity);
    put_string(" sectors\n");
    R(dev, QUEUE_SEL) = 0;
    if (R(dev, QUEUE_NUM_MAX) < VIRTQ_SIZE) {
        put_string("sbi_virtio: queue too small\n");
        return SBI_SRST_REASON_FAILURE;
    }
    R(dev, QUEUE_NUM) = VIRTQ_SIZE;
    R(dev, QUEUE_DESC_LOW) = (unsigned long)descs;
    R(dev, QUEUE_DESC_HIGH) = (unsigned long)descs >> 32;
    R(dev, QUEUE_DRIVER_LOW) = (unsigned long)&avail;
    R(dev, QUEUE_DRIVER_HIGH) = (unsigned long)&avail >> 32;
    R(dev, QUEUE_DEVICE_LOW) = (unsigned long)&used;
    R(dev, QUEUE_DEVICE_HIGH) = (unsigned long)&used >> 32;
    R(dev, QUEUE_READY) = 1;
    R(dev, STATUS) = 1 | 2 | 8 | 4; /* DRIVER_OK */

    mmio_write32(PLIC_PRIORITY(irq), 1);
    mmio_write32(PLIC_ENABLE(PLIC_S_CONTEXT), 1u << irq);
    mmio_write32(PLIC_THRESHOLD(PLIC_S_CONTEXT), 0);
    asm volatile("csrs sie, %0" ::"r"(1UL << 9));
    asm volatile("csrs sstatus, 2");

    int s = submit(0, 0, 512, 1);
    put_string("sbi_virtio: read sector 0, status ");
    put_dec(s);
    put_string(": \"");
    print_line(data, sizeof data);
    put_string("\"\n");

    const char *text = "sector 1, written by sbi_virtio\n";
    for (int i = 0; i < 512; i++) data[i] = 0;
    for (int i = 0; text[i]; i++) data[i] = (unsigned char)text[i];
    s = submit(1, 1, 512, 0);
    put_string("sbi_virtio: write sector 1, status ");
    put_dec(s);
    put_string("\n");
    for (int i = 0; i < 512; i++) data[i] = 0;
    s = submit(0, 1, 512, 1);
    int same = 1;
    for (int i = 0; text[i]; i++) same &= data[i] == (unsigned char)text[i];
    put_string("sbi_virtio: read back sector 1, status ");
    put_dec(s);
    put_string(same ? ", same bytes\n" : ", different bytes\n");
    s = submit(0, capacity, 512, 1);
    put_string("sbi_virtio: read past the end, status ");
    put_dec(s);
    put_string("\n");
    put_string("sbi_virtio: used-buffer interrupts taken: ");
    put_string(interrupts >= 4 ? "yes" : "no");
    put_string("\n");
    asm volatile("csrc sstatus, 2");
    return SBI_SRST_REASON_NONE;
}
