/* The system-mode benchmark's tasks: the teaching kernel (Fixtures/system/kernel, all but its
 * user.c) runs these instead of its own, in U-mode under Sv39 with timer preemption. A and B
 * are compute kernels that each run for several time slices, so the timer switches address
 * spaces (satp and sfence.vma) between them while they work; C still reaches for kernel memory
 * and is killed, as the kernel's ending expects. Both results are printed: they are the same
 * on every machine and engine, however the slices fall.
 *
 * The work: ROUNDS rounds of a sieve of Eratosthenes over a 16 Ki-number bitmap and a bitwise
 * CRC-32 over a 1 KiB buffer, all in the task's private data page, so every round is loads and
 * stores through the MMU as well as arithmetic and branches. */
#include <stdint.h>

#define DATA   ((volatile uint8_t *)0x40000000ul)
#define ROUNDS 400

static long syscall3(long n, long a0, long a1, long a2) {
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
}

static void __attribute__((noreturn)) exit_task(long status) {
    syscall3(93, status, 0, 0);
    for (;;) {}
}

/* Writes "X: <label> <hex value>\n" from the private page (one write: lines never mix). */
static void report(char task, const char *label, uint32_t value) {
    volatile char *out = (volatile char *)(DATA + 3072);
    long n = 0;
    out[n++] = task;
    out[n++] = ':';
    out[n++] = ' ';
    for (; *label; label++) out[n++] = *label;
    out[n++] = ' ';
    for (int shift = 28; shift >= 0; shift -= 4) out[n++] = "0123456789abcdef"[(value >> shift) & 15];
    out[n++] = '\n';
    syscall3(64, 1, (long)out, n);
}

/* Primes below 8 * 2048 = 16384, with the bitmap in DATA[0..2047]. */
static uint32_t sieve(void) {
    volatile uint8_t *bits = DATA;
    for (int i = 0; i < 2048; i++) bits[i] = 0;
    uint32_t count = 0;
    for (uint32_t n = 2; n < 16384; n++) {
        if (bits[n >> 3] & (1u << (n & 7))) continue;
        count++;
        for (uint32_t m = n * n; m < 16384; m += n) bits[m >> 3] |= (uint8_t)(1u << (m & 7));
    }
    return count;
}

/* CRC-32 (reflected, polynomial 0xEDB88320) of DATA[2048..3071] filled from `seed`. */
static uint32_t crc(uint32_t seed) {
    volatile uint8_t *buf = DATA + 2048;
    uint32_t x = seed;
    for (int i = 0; i < 1024; i++) {
        x = x * 1664525u + 1013904223u;
        buf[i] = (uint8_t)(x >> 24);
    }
    uint32_t c = 0xFFFFFFFFu;
    for (int i = 0; i < 1024; i++) {
        c ^= buf[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static void work(char task, uint32_t seed) {
    uint32_t primes = 0, sum = 0;
    for (int r = 0; r < ROUNDS; r++) {
        primes += sieve();
        sum = sum * 31 + crc(seed + (uint32_t)r);
    }
    report(task, "primes", primes);
    report(task, "crc", sum);
}

void task_a(void) {
    work('A', 1);
    exit_task(0);
}

void task_b(void) {
    work('B', 2);
    exit_task(0);
}

void task_c(void) {
    volatile uint64_t value = *(volatile uint64_t *)0x80000000ul;
    (void)value;
    exit_task(1);
}
