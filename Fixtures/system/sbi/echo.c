/* sbi_echo: an S-mode payload that echoes console input, line by line, taking the UART's
   receive interrupt through the PLIC's supervisor context (SEIP, delegated by OpenSBI). It
   ends on a line "quit" or a Ctrl-D, then powers off through SRST (a line "reboot" asks SRST
   for a cold reboot instead); the exit reason says whether
   any interrupt was taken. Empty lines are skipped: OpenSBI's UART set-up reads (and drops) one
   byte that may already be waiting, so scripted input starts with a newline. */
#include "sbi.h"

#define UART_RBR 0
#define UART_IER 1
#define UART_LSR 5
#define PLIC_PRIORITY(irq) (PLIC_BASE + 4 * (irq))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)

static volatile char ring[256];
static volatile unsigned int head, tail;
static volatile unsigned long interrupts, spurious;

void payload_trap(unsigned long cause, unsigned long epc, unsigned long tval) {
    if (cause != (1UL << 63 | 9)) {
        report_trap("sbi_echo", cause, epc, tval);
        return;
    }
    unsigned int irq = mmio_read32(PLIC_CLAIM(PLIC_S_CONTEXT));
    if (irq == UART_IRQ) {
        interrupts++;
        while (mmio_read8(UART_BASE + UART_LSR) & 1) {
            char c = (char)mmio_read8(UART_BASE + UART_RBR);
            if (head - tail < sizeof ring) ring[head++ % sizeof ring] = c;
        }
    } else {
        spurious++;
    }
    if (irq) mmio_write32(PLIC_CLAIM(PLIC_S_CONTEXT), irq);
}

static int next_char(void) {
    for (;;) {
        asm volatile("csrc sstatus, 2");  /* SIE off while looking at the ring */
        if (tail != head) {
            char c = ring[tail++ % sizeof ring];
            asm volatile("csrs sstatus, 2");
            return (unsigned char)c;
        }
        /* wfi with SIE off still wakes on a pending enabled interrupt; the trap is then taken
           as soon as SIE is back on. */
        asm volatile("wfi");
        asm volatile("csrs sstatus, 2");
    }
}

long payload_main(unsigned long hart, unsigned long dtb) {
    (void)hart;
    (void)dtb;
    console_init();
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 1);
    mmio_write32(PLIC_ENABLE(PLIC_S_CONTEXT), 1u << UART_IRQ);
    mmio_write32(PLIC_THRESHOLD(PLIC_S_CONTEXT), 0);
    mmio_write8(UART_BASE + UART_IER, 0x01);  /* receive-data interrupt */
    asm volatile("csrs sie, %0" ::"r"(1UL << 9));
    asm volatile("csrs sstatus, 2");
    put_string("sbi_echo: type lines; \"quit\" or Ctrl-D ends\n");
    char line[128];
    unsigned long n = 0, lines = 0;
    for (;;) {
        int c = next_char();
        if (c == 4) break;
        if (c == '\r') c = '\n';
        if (c != '\n') {
            if (n < sizeof line - 1) line[n++] = (char)c;
            continue;
        }
        if (n == 0) continue;  /* empty lines are not echoed */
        line[n] = 0;
        if (n == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't') break;
        if (n == 6 && line[0] == 'r' && line[1] == 'e' && line[2] == 'b' && line[3] == 'o' && line[4] == 'o' && line[5] == 't') {
            put_string("sbi_echo: rebooting\n");
            sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE, 0);
        }
        lines++;
        put_string("echo ");
        put_dec(lines);
        put_string(": ");
        put_string(line);
        put_string("\n");
        n = 0;
    }
    asm volatile("csrc sstatus, 2");
    put_string("sbi_echo: ");
    put_dec(lines);
    put_string(" lines, input by interrupt: ");
    put_string(interrupts > 0 ? "yes" : "no");
    put_string("\n");
    return interrupts > 0 && spurious == 0 ? SBI_SRST_REASON_NONE : SBI_SRST_REASON_FAILURE;
}
