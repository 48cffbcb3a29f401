/* The programs the tasks run, in U-mode. They know nothing of the kernel but its system
 * calls; the linker script puts this file's code and constants on pages of their own, which
 * the kernel maps with U=1 (read and execute only, shared by all tasks).
 *
 * Every task sees its own private page at DATA: the same virtual address in all three, but a
 * different physical page behind it. */
#include <stdint.h>

#define DATA        ((volatile char *)0x40000000ul)
#define SPIN_TICKS  500000          /* 50 ms of the 10 MHz timer: five time slices */

static long syscall3(long n, long a0, long a1, long a2) {
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
}

static void write_str(const char *s) {
    long n = 0;
    while (s[n]) n++;
    syscall3(64, 1, (long)s, n);
}

static void yield(void) { syscall3(124, 0, 0, 0); }

static void __attribute__((noreturn)) exit_task(long status) {
    syscall3(93, status, 0, 0);
    for (;;) {}
}

/* Copies s into the private page and writes it from there, with every '?' replaced by the
   page's first byte: one write per line, so lines of different tasks never mix. */
static void write_from_page(const char *s) {
    long n = 0;
    for (; s[n]; n++) DATA[64 + n] = s[n] == '?' ? DATA[0] : s[n];
    syscall3(64, 1, (long)(DATA + 64), n);
}

static uint64_t now(void) {
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

/* A: cooperative. Marks its page, lets the others run, and finds its page untouched. */
void task_a(void) {
    write_str("A: hello from U-mode\n");
    DATA[0] = 'A';
    yield();
    write_from_page("A: back after yield; my page at 0x40000000 still says ?\n");
    exit_task(0);
}

/* B: never yields. It spins on the clock for several time slices; the others still run,
   because the timer interrupt takes the hart away from it. */
void task_b(void) {
    write_str("B: hello; now spinning without a single yield\n");
    DATA[0] = 'B';
    uint64_t start = now();
    while (now() - start < SPIN_TICKS) {}
    write_from_page("B: done spinning; my page at 0x40000000 still says ?\n");
    exit_task(0);
}

/* C: reaches for kernel memory. The page is mapped, but with U=0: a load page fault, and the
   kernel kills the task. */
void task_c(void) {
    write_str("C: reading kernel memory at 0x80000000\n");
    volatile uint64_t value = *(volatile uint64_t *)0x80000000ul;
    (void)value;
    write_str("C: this line must never appear\n");
    exit_task(1);
}
