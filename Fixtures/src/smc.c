/* smc: self-modifying code. Writes RISC-V instructions into an mmap'd page,
 * makes them visible with __builtin___clear_cache (a riscv_flush_icache system
 * call / fence.i), calls them through a function pointer many times (so a JIT
 * translates them), rewrites them in place, flushes again and calls again: the
 * new code must run, not a stale translation. Then the same with a page that is
 * made writable and executable in turn with mprotect. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef long (*function)(long);

/* Instruction encodings, built from fields so the intent is readable. */
static uint32_t addi(int rd, int rs1, int imm) {
    return ((uint32_t)(imm & 0xfff) << 20) | (uint32_t)rs1 << 15 | 0u << 12 | (uint32_t)rd << 7 | 0x13;
}
static uint32_t slli(int rd, int rs1, int shamt) {
    return (uint32_t)(shamt & 63) << 20 | (uint32_t)rs1 << 15 | 1u << 12 | (uint32_t)rd << 7 | 0x13;
}
static uint32_t ret(void) {
    return 0x00008067; /* jalr x0, 0(x1) */
}
enum { A0 = 10 };

static void emit(uint32_t *code, uint32_t a, uint32_t b, uint32_t c) {
    code[0] = a;
    code[1] = b;
    code[2] = c;
    __builtin___clear_cache((char *)code, (char *)(code + 3));
}

static long call_many(function f, long times) {
    long sum = 0;
    for (long i = 0; i < times; i++)
        sum += f(i);
    return sum;
}

int main(void) {
    uint32_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        printf("mmap RWX failed\n");
        return 1;
    }
    function f = (function)(uintptr_t)code;

    emit(code, addi(A0, A0, 5), ret(), 0);                    /* x + 5 */
    printf("version 1: f(10) = %ld, sum over 0..999 = %ld\n", f(10), call_many(f, 1000));
    emit(code, slli(A0, A0, 3), addi(A0, A0, -1), ret());     /* x * 8 - 1 */
    printf("version 2: f(10) = %ld, sum over 0..999 = %ld\n", f(10), call_many(f, 1000));
    code[1] = addi(A0, A0, 100);                              /* patch one word: x * 8 + 100 */
    __builtin___clear_cache((char *)code, (char *)(code + 3));
    printf("version 3: f(10) = %ld, sum over 0..999 = %ld\n", f(10), call_many(f, 1000));
    munmap(code, 4096);

    /* W^X style: write while writable, then flip to executable. */
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        printf("mmap RW failed\n");
        return 1;
    }
    f = (function)(uintptr_t)code;
    emit(code, addi(A0, A0, -7), ret(), 0);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    printf("mprotect version 1: f(10) = %ld, sum = %ld\n", f(10), call_many(f, 1000));
    mprotect(code, 4096, PROT_READ | PROT_WRITE);
    emit(code, slli(A0, A0, 1), ret(), 0);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    printf("mprotect version 2: f(10) = %ld, sum = %ld\n", f(10), call_many(f, 1000));
    munmap(code, 4096);
    return 0;
}
