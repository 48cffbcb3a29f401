/* code_replace: code replaced under translations that other code is linked to. Two pages of
 * generated code: page A holds `f`, which jumps straight (jal x0) to `g` on page B, so a JIT
 * chains f's exit to g's translation. Each round replaces g only, in one of the ways a program
 * or a dynamic linker changes code (munmap + mmap at the same address, mprotect off and on again,
 * mmap over it with MAP_FIXED, rewrite in place + __builtin___clear_cache of just that range),
 * calls f many times (through a function pointer) and prints what it returned: the new g must
 * run, through f's old link, and f must still be right. Then an unrelated executable page is
 * unmapped and f is called again, and finally f itself is replaced. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef long (*function)(long);

enum { A0 = 10, PAGE = 4096 };

static uint32_t addi(int rd, int rs1, int imm) {
    return ((uint32_t)(imm & 0xfff) << 20) | (uint32_t)rs1 << 15 | (uint32_t)rd << 7 | 0x13;
}
static uint32_t slli(int rd, int rs1, int shamt) {
    return (uint32_t)(shamt & 63) << 20 | (uint32_t)rs1 << 15 | 1u << 12 | (uint32_t)rd << 7 | 0x13;
}
static uint32_t ret(void) { return 0x00008067; } /* jalr x0, 0(x1) */
/* jal x0, offset (J-type: imm[20|10:1|11|19:12]). */
static uint32_t jump(long offset) {
    uint32_t o = (uint32_t)offset;
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 | ((o >> 12) & 0xff) << 12 | 0x6f;
}

static long call_many(function f, long times) {
    long sum = 0;
    for (long i = 0; i < times; i++)
        sum += f(i);
    return sum;
}

static void report(const char *what, function f) {
    printf("%-34s f(10) = %ld, sum over 0..1999 = %ld\n", what, f(10), call_many(f, 2000));
}

/* g = x * 2^shift + add, at `at` (3 words). */
static void write_g(uint32_t *at, int shift, int add) {
    at[0] = slli(A0, A0, shift);
    at[1] = addi(A0, A0, add);
    at[2] = ret();
}

int main(void) {
    /* Page A (f) and page B (g), adjacent, both writable at first. */
    char *base = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) { printf("mmap failed\n"); return 1; }
    uint32_t *fcode = (uint32_t *)base;
    uint32_t *gcode = (uint32_t *)(base + PAGE);
    /* f: a0 += 1; jump to g */
    fcode[0] = addi(A0, A0, 1);
    fcode[1] = jump((char *)gcode - (char *)&fcode[1]);
    write_g(gcode, 0, 3);
    mprotect(base, 2 * PAGE, PROT_READ | PROT_EXEC);
    function f = (function)(uintptr_t)fcode;
    report("g = x + 3:", f);

    /* 1. munmap g's page, map a fresh one at the same address. */
    munmap(gcode, PAGE);
    if (mmap(gcode, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        printf("mmap fixed failed\n");
        return 1;
    }
    write_g(gcode, 1, 0);
    mprotect(gcode, PAGE, PROT_READ | PROT_EXEC);
    report("munmap + mmap, g = 2x:", f);

    /* 2. mprotect writable, rewrite, mprotect executable. */
    mprotect(gcode, PAGE, PROT_READ | PROT_WRITE);
    write_g(gcode, 2, -5);
    mprotect(gcode, PAGE, PROT_READ | PROT_EXEC);
    report("mprotect off/on, g = 4x - 5:", f);

    /* 3. mmap over it (MAP_FIXED without munmap), as a dynamic linker maps a segment. */
    if (mmap(gcode, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        printf("mmap over failed\n");
        return 1;
    }
    write_g(gcode, 3, 7);
    __builtin___clear_cache((char *)gcode, (char *)(gcode + 3));
    report("mmap over (rwx), g = 8x + 7:", f);

    /* 4. Rewrite in place, flush just g's words. */
    gcode[1] = addi(A0, A0, 100);
    __builtin___clear_cache((char *)gcode, (char *)(gcode + 3));
    report("in place + clear_cache, 8x + 100:", f);

    /* 5. An unrelated executable page comes and goes: f and g stay as they are. */
    char *other = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (other != MAP_FAILED) munmap(other, PAGE);
    report("after an unrelated munmap:", f);

    /* 6. Replace f itself: a0 -= 1, then on to g. */
    mprotect(base, PAGE, PROT_READ | PROT_WRITE);
    fcode[0] = addi(A0, A0, -1);
    mprotect(base, PAGE, PROT_READ | PROT_EXEC);
    report("f replaced, f = g(x - 1):", f);
    return 0;
}
