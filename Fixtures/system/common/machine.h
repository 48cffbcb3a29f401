/* Addresses on the QEMU-virt-like machine the system fixtures run on (shared by C and assembly). */
#ifndef MACHINE_H
#define MACHINE_H

#define DRAM_BASE      0x80000000
#define CLINT_BASE     0x02000000
#define CLINT_MSIP     (CLINT_BASE + 0x0000)   /* hart 0 machine software interrupt */
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)   /* hart 0 timer compare */
#define CLINT_MTIME    (CLINT_BASE + 0xBFF8)   /* 10 MHz counter */
#define PLIC_BASE      0x0C000000
#define UART_BASE      0x10000000
#define UART_IRQ       10
#define FINISHER_BASE  0x00100000
#define FINISHER_PASS  0x5555
#define FINISHER_FAIL  0x3333                  /* exit code goes in bits 31:16 */

/* ns16550a registers (byte offsets). */
#define UART_THR 0  /* transmit holding (write) / receive buffer (read) */
#define UART_IER 1  /* interrupt enable: bit 0 RX data, bit 1 TX holding register empty */
#define UART_IIR 2  /* interrupt identification (read) / FIFO control (write) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5  /* line status: bit 0 data ready, bit 5 TX holding register empty */

#endif
