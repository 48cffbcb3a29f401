/* The SBI calls the S-mode payloads make (RISC-V SBI specification v1.0/v2.0): a7 = extension,
   a6 = function, a0-a5 = arguments; a0 returns the error, a1 the value. */
#ifndef SBI_H
#define SBI_H

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE 0x10
#define SBI_EXT_DBCN 0x4442434EUL /* "DBCN": debug console */
#define SBI_EXT_SRST 0x53525354UL /* "SRST": system reset */

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

/* QEMU virt's devices, for the payloads that drive the UART themselves. */
#define UART_BASE 0x10000000UL
#define UART_IRQ 10
#define PLIC_BASE 0x0c000000UL
#define PLIC_S_CONTEXT 1 /* hart 0's supervisor context */

struct sbiret {
    long error;
    long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2);

/* Console output: the debug console extension when the firmware has it, else legacy putchar. */
void console_init(void);
int console_uses_dbcn(void);
void put_char(char c);
void put_string(const char *s);
void put_hex(unsigned long v);
void put_dec(unsigned long v);

/* SRST: never returns when the firmware implements it. */
void sbi_shutdown(long reason);

/* "NAME: unexpected trap, scause .. sepc .. stval ..", then a shutdown with a failure reason:
   what every payload does with a trap it does not expect. */
void report_trap(const char *name, unsigned long cause, unsigned long epc, unsigned long tval);

static inline void mmio_write32(unsigned long addr, unsigned int v) { *(volatile unsigned int *)addr = v; }
static inline unsigned int mmio_read32(unsigned long addr) { return *(volatile unsigned int *)addr; }
static inline void mmio_write8(unsigned long addr, unsigned char v) { *(volatile unsigned char *)addr = v; }
static inline unsigned char mmio_read8(unsigned long addr) { return *(volatile unsigned char *)addr; }

#endif
