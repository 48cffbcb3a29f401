/* The teaching kernel: shared declarations.
 *
 * Three privilege levels take part. M-mode (start.S) is the firmware: it opens memory to the
 * lower modes, hands traps and the supervisor interrupts to S-mode and drops to S-mode for
 * good. S-mode is the kernel (main.c, vm.c, task.c, uart.c, trap.S): it owns the page tables,
 * the console and the timer. U-mode runs the tasks (user.c), each in its own address space,
 * which reach the kernel only through `ecall`, faults and interrupts. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>
#include "machine.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;

#define PAGE_SIZE 4096

/* sstatus / sie / scause bits the kernel uses */
#define SSTATUS_SPP  (1ul << 8)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SUM  (1ul << 18)
#define SIE_STIE     (1ul << 5)
#define SIE_SEIE     (1ul << 9)
#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_TIMER    5
#define IRQ_S_EXTERNAL 9
#define EXC_ECALL_U    8

#define csr_read(name) ({ u64 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((u64)(v)))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" ::"r"((u64)(v)))
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" ::"r"((u64)(v)))

static inline void mmio_write8(u64 addr, u8 v) { *(volatile u8 *)addr = v; }
static inline u8 mmio_read8(u64 addr) { return *(volatile u8 *)addr; }
static inline void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)addr = v; }
static inline u32 mmio_read32(u64 addr) { return *(volatile u32 *)addr; }

/* The registers of an interrupted task, saved by trap.S; regs[0] is unused (x0). */
struct frame {
    u64 regs[32];
    u64 pc;
};
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A2 12
#define REG_A7 17

/* console (uart.c): an output queue the UART drains on TX-empty interrupts */
void console_init(void);
void console_write(const char *s, u64 n);
void console_puts(const char *s);
void console_put_hex(u64 v);
void console_put_dec(u64 v);
void console_interrupt(void);
void console_flush(void);
/* Polled output for when interrupts cannot be relied on (a kernel panic). */
void console_panic_puts(const char *s);

/* virtual memory (vm.c) */
u64 *vm_new_address_space(void);
void vm_map_user_page(u64 *root, u64 va, u64 pa, int writable);
u64 vm_user_to_physical(u64 *root, u64 va, int need_write);
u64 vm_satp(u64 *root);
u64 page_alloc(void);

/* timer (task.c); `sstc` says whether stimecmp exists or M-mode forwards the machine timer */
extern int sstc;
void timer_set(u64 when);

/* tasks (task.c) */
void tasks_start(void) __attribute__((noreturn));
struct frame *trap_from_user(struct frame *f);
void kernel_trap(void) __attribute__((noreturn));
void shutdown(int code) __attribute__((noreturn));

/* trap.S */
void strap_entry(void);
void user_return(struct frame *f) __attribute__((noreturn));

/* user.c: the programs the tasks run */
void task_a(void);
void task_b(void);
void task_c(void);

#endif
