/* The console: an ns16550a UART driven by interrupts, as a real kernel drives it.
 *
 * Writers never wait for the UART: console_write appends to an output queue and turns on the
 * UART's "transmitter holding register empty" interrupt. The UART then interrupts whenever it
 * can take more bytes; the PLIC routes that to S-mode as an external interrupt, and
 * console_interrupt moves bytes from the queue into the UART. When the queue runs dry the
 * interrupt is switched off again, or the UART would keep interrupting with nothing to send.
 * The receive interrupt is enabled too, as a terminal driver would; input is read and dropped. */
#include "kernel.h"

#define IER_RX   0x01
#define IER_TX   0x02
#define FCR_ENABLE_CLEAR 0x07  /* FIFOs on, both cleared */
#define MCR_OUT2 0x08          /* gates the interrupt line on PC-style boards; set as drivers do */
#define LSR_DATA 0x01
#define LSR_THRE 0x20          /* the transmit FIFO is empty */
#define LSR_TEMT 0x40          /* ... and so is the shift register: everything is out */
#define IIR_NONE 0x01
#define TX_FIFO  16

/* PLIC, for hart 0's S-mode context (context 1 on the virt board). */
#define PLIC_PRIORITY(irq) (PLIC_BASE + 4 * (irq))
#define PLIC_S_ENABLE      (PLIC_BASE + 0x2080)
#define PLIC_S_THRESHOLD   (PLIC_BASE + 0x201000)
#define PLIC_S_CLAIM       (PLIC_BASE + 0x201004)

#define QUEUE_SIZE 4096        /* a power of two */
static char queue[QUEUE_SIZE];
static u64 head, tail;         /* bytes queue[tail..head) wait to go out; both only grow */

static void uart_write(int reg, u8 v) { mmio_write8(UART_BASE + reg, v); }
static u8 uart_read(int reg) { return mmio_read8(UART_BASE + reg); }

void console_init(void) {
    uart_write(UART_IER, 0);
    uart_write(UART_LCR, 0x03);                 /* 8 data bits, no parity, 1 stop bit */
    uart_write(UART_IIR, FCR_ENABLE_CLEAR);     /* the FCR shares the IIR's address */
    uart_write(UART_MCR, MCR_OUT2);
    uart_write(UART_IER, IER_RX);

    mmio_write32(PLIC_PRIORITY(UART_IRQ), 1);   /* priority 0 would mean "never" */
    mmio_write32(PLIC_S_ENABLE, mmio_read32(PLIC_S_ENABLE) | (1u << UART_IRQ));
    mmio_write32(PLIC_S_THRESHOLD, 0);
}

/* Moves what the UART can take from the queue into its FIFO. */
static void transmit(void) {
    if (!(uart_read(UART_LSR) & LSR_THRE)) return;
    for (int n = 0; n < TX_FIFO && tail != head; n++) {
        uart_write(UART_THR, (u8)queue[tail % QUEUE_SIZE]);
        tail++;
    }
    uart_write(UART_IER, tail != head ? IER_RX | IER_TX : IER_RX);
}

void console_write(const char *s, u64 n) {
    for (u64 i = 0; i < n; i++) {
        /* Full queue: the kernel runs with interrupts off, so push bytes out by polling. */
        while (head - tail == QUEUE_SIZE) transmit();
        queue[head % QUEUE_SIZE] = s[i];
        head++;
    }
    uart_write(UART_IER, IER_RX | IER_TX);      /* interrupts as soon as the UART has room */
}

void console_puts(const char *s) {
    u64 n = 0;
    while (s[n]) n++;
    console_write(s, n);
}

void console_put_hex(u64 v) {
    char buf[18];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; i++) buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    console_write(buf, 18);
}

void console_put_dec(u64 v) {
    char buf[20];
    int n = 0;
    do { buf[sizeof buf - 1 - n++] = (char)('0' + v % 10); v /= 10; } while (v);
    console_write(buf + sizeof buf - n, (u64)n);
}

/* The S-mode external interrupt: ask the PLIC which device it is, serve it, tell the PLIC. */
void console_interrupt(void) {
    u32 irq;
    while ((irq = mmio_read32(PLIC_S_CLAIM)) != 0) {
        if (irq == UART_IRQ) {
            u8 iir;
            while (!((iir = uart_read(UART_IIR)) & IIR_NONE)) {
                if (uart_read(UART_LSR) & LSR_DATA) (void)uart_read(UART_THR);  /* drop input */
                transmit();
            }
            transmit();
        }
        mmio_write32(PLIC_S_CLAIM, irq);        /* "complete": the PLIC may signal it again */
    }
}

/* Waits until every queued byte has left the UART. The kernel has interrupts off, so it
   sleeps with wfi (which wakes on a pending enabled interrupt even so) and serves the UART
   itself. */
void console_flush(void) {
    while (tail != head) {
        __asm__ volatile("wfi");
        if (csr_read(sip) & (1ul << IRQ_S_EXTERNAL)) console_interrupt();
    }
    while (!(uart_read(UART_LSR) & LSR_TEMT)) {}
}

void console_panic_puts(const char *s) {
    for (; *s; s++) {
        while (!(uart_read(UART_LSR) & LSR_THRE)) {}
        uart_write(UART_THR, (u8)*s);
    }
}
