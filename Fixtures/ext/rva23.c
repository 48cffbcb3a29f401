// RVA22/RVA23 scalar extensions beyond the bit and crypto groups: Zcb, Zcmop, Zimop, Zicbom,
// Zicboz, Zicbop, Zihintpause, Zihintntl, Zawrs and Zacas. binutils 2.40 lacks Zcb, Zcmop,
// Zimop, Zihintntl and Zacas, so those are written as .insn / .2byte encodings with fixed
// registers (a0 = x10, a1 = x11, a2 = x12, a3 = x13: rd' 2..5). Self-checking: each line is the
// result and the value the specification gives; the last line counts failures.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void check(const char *name, uint64_t got, uint64_t want) {
    printf("%-22s %016llx %s\n", name, (unsigned long long)got, got == want ? "ok" : "FAIL");
    if (got != want) {
        printf("  expected %016llx\n", (unsigned long long)want);
        failures++;
    }
}

static uint8_t block[192] __attribute__((aligned(64)));

// One instruction on a0 (in and out), with a1 and a2 as further inputs.
#define OP(encoding, in, b, c) ({                                            \
    register uint64_t a0 asm("a0") = (in);                                   \
    register uint64_t a1 asm("a1") = (b);                                    \
    register uint64_t a2 asm("a2") = (c);                                    \
    asm volatile(encoding : "+r"(a0) : "r"(a1), "r"(a2) : "memory");         \
    a0; })

int main(void) {
    for (int i = 0; i < 192; i++) block[i] = (uint8_t)(0x81 + 7 * i);
    uint64_t base = (uint64_t)(uintptr_t)block;

    // Zcb loads and stores: c.lbu a0, 3(a1); c.lhu a0, 2(a1); c.lh a0, 2(a1); c.sb a0, 1(a1); c.sh a0, 2(a1).
    check("c.lbu", OP(".insn 0x8000 | 3 << 7 | 1 << 6 | 1 << 5 | 2 << 2", 0, base, 0), block[3]);
    uint16_t half;
    memcpy(&half, block + 2, 2);
    check("c.lhu", OP(".insn 0x8400 | 3 << 7 | 1 << 5 | 2 << 2", 0, base, 0), half);
    check("c.lh", OP(".insn 0x8440 | 3 << 7 | 1 << 5 | 2 << 2", 0, base, 0), (uint64_t)(int64_t)(int16_t)half);
    OP(".insn 0x8800 | 3 << 7 | 1 << 6 | 2 << 2", 0x1234567890abcdefull, base + 64, 0);
    check("c.sb", block[65], 0xef);
    OP(".insn 0x8c00 | 3 << 7 | 1 << 5 | 2 << 2", 0xfedcba9876543210ull, base + 64, 0);
    memcpy(&half, block + 66, 2);
    check("c.sh", half, 0x3210);
    // Zcb arithmetic on a0 (rd' = 2): c.zext.b, c.sext.b, c.zext.h, c.sext.h, c.zext.w, c.not, c.mul a0, a1.
    uint64_t v = 0x8000fffe8180f0f1ull;
    check("c.zext.b", OP(".insn 0x9c61 | 2 << 7", v, 0, 0), 0xf1);
    check("c.sext.b", OP(".insn 0x9c65 | 2 << 7", v, 0, 0), 0xfffffffffffffff1ull);
    check("c.zext.h", OP(".insn 0x9c69 | 2 << 7", v, 0, 0), 0xf0f1);
    check("c.sext.h", OP(".insn 0x9c6d | 2 << 7", v, 0, 0), 0xfffffffffffff0f1ull);
    check("c.zext.w", OP(".insn 0x9c71 | 2 << 7", v, 0, 0), 0x8180f0f1);
    check("c.not", OP(".insn 0x9c75 | 2 << 7", v, 0, 0), ~v);
    check("c.mul", OP(".insn 0x9c41 | 2 << 7 | 3 << 2", v, 0x10001, 0), v * 0x10001);
    // Zcmop: c.mop.1 and c.mop.15 change nothing.
    check("c.mop.1", OP(".insn 0x6081", v, 0, 0), v);
    check("c.mop.15", OP(".insn 0x6081 | 7 << 8", v, 0, 0), v);
    // Zimop: mop.r.0 a0, a1 and mop.r.31 a0, a1; mop.rr.0 and mop.rr.7 a0, a1, a2: rd = 0.
    check("mop.r.0", OP(".insn 0x81c04073 | 10 << 7 | 11 << 15", v, 5, 6), 0);
    check("mop.r.31", OP(".insn 0x81c04073 | 1 << 30 | 3 << 26 | 3 << 20 | 10 << 7 | 11 << 15", v, 5, 6), 0);
    check("mop.rr.0", OP(".insn 0x82004073 | 10 << 7 | 11 << 15 | 12 << 20", v, 5, 6), 0);
    check("mop.rr.7", OP(".insn 0x82004073 | 1 << 30 | 3 << 26 | 10 << 7 | 11 << 15 | 12 << 20", v, 5, 6), 0);
    // Hints: pause, prefetch.i/r/w, ntl.p1/pall/s1/all, c.ntl.all: no effect.
    check("hints", OP("pause\n prefetch.i 64(a1)\n prefetch.r 0(a1)\n prefetch.w -32(a1)\n"
                      ".insn r 0x33, 0, 0, x0, x0, x2\n .insn r 0x33, 0, 0, x0, x0, x3\n"
                      ".insn r 0x33, 0, 0, x0, x0, x4\n .insn r 0x33, 0, 0, x0, x0, x5\n .insn 0x9016",
                      v, base, 0), v);
    // Zawrs
    check("wrs", OP("wrs.nto\n wrs.sto", v, 0, 0), v);
    // Zicbom, Zicboz: cbo.zero clears the 64-byte block holding a1 (an address inside it).
    OP("cbo.clean (a1)\n cbo.flush (a1)\n cbo.inval (a1)", 0, base, 0);
    check("cbo.clean/flush/inval", block[0], 0x81);
    OP("cbo.zero (a1)", 0, base + 64 + 13, 0);
    uint64_t sum = 0;
    for (int i = 64; i < 128; i++) sum += block[i];
    check("cbo.zero block", sum, 0);
    check("cbo.zero before", block[63], (uint8_t)(0x81 + 7 * 63));
    check("cbo.zero after", block[128], (uint8_t)(0x81 + 7 * 128));

    // Zacas: amocas.w/d a0, a2, (a1) (rd = a0 compare value in, old value out; rs2 = a2 new).
    uint64_t words[4] __attribute__((aligned(16))) = {0x80000001ffffffffull, 7, 0, 0};
    check("amocas.w hit", OP(".insn r 0x2f, 2, 0x14, a0, a1, a2", 0xdeadffffffffull, (uint64_t)(uintptr_t)words, 0x12345678),
          0xffffffffffffffffull);
    check("amocas.w memory", words[0], 0x8000000112345678ull);
    check("amocas.w miss", OP(".insn r 0x2f, 2, 0x14, a0, a1, a2", 1, (uint64_t)(uintptr_t)words, 5), 0x12345678);
    check("amocas.w kept", words[0], 0x8000000112345678ull);
    check("amocas.w high word", OP(".insn r 0x2f, 2, 0x14, a0, a1, a2", 0, (uint64_t)(uintptr_t)words + 4, 9),
          0xffffffff80000001ull);
    check("amocas.d miss", OP(".insn r 0x2f, 3, 0x14, a0, a1, a2", 8, (uint64_t)(uintptr_t)(words + 1), 9), 7);
    check("amocas.d hit", OP(".insn r 0x2f, 3, 0x14, a0, a1, a2", 7, (uint64_t)(uintptr_t)(words + 1), 9), 7);
    check("amocas.d memory", words[1], 9);
    // amocas.q a0, a2, (a4): pairs a0/a1 (expected, then old) and a2/a3 (new).
    uint64_t pair[2] __attribute__((aligned(16))) = {0x1111, 0x2222};
    {
        register uint64_t a0 asm("a0") = 0x1111, a1 asm("a1") = 0x2222, a2 asm("a2") = 0x3333, a3 asm("a3") = 0x4444;
        register uint64_t a4 asm("a4") = (uint64_t)(uintptr_t)pair;
        asm volatile(".insn r 0x2f, 4, 0x14, a0, a4, a2" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4) : "memory");
        uint64_t low = a0, high = a1;
        check("amocas.q hit low", low, 0x1111);
        check("amocas.q hit high", high, 0x2222);
        check("amocas.q memory", pair[0] ^ pair[1] << 1, 0x3333 ^ 0x4444 << 1);
    }
    {
        register uint64_t a0 asm("a0") = 0x3333, a1 asm("a1") = 0x5555, a2 asm("a2") = 1, a3 asm("a3") = 2;
        register uint64_t a4 asm("a4") = (uint64_t)(uintptr_t)pair;
        asm volatile(".insn r 0x2f, 4, 0x14, a0, a4, a2" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4) : "memory");
        uint64_t low = a0, high = a1;
        check("amocas.q miss low", low, 0x3333);
        check("amocas.q miss high", high, 0x4444);
        check("amocas.q kept", pair[1], 0x4444);
    }
    {
        // rd = x0: compares with zero and writes no register; rs2 = x0 stores zeros.
        register uint64_t a4 asm("a4") = (uint64_t)(uintptr_t)pair;
        asm volatile(".insn r 0x2f, 4, 0x14, x0, a4, x0" : : "r"(a4) : "memory");
        check("amocas.q x0 miss", pair[0], 0x3333);
    }
    {
        pair[0] = pair[1] = 0;
        register uint64_t a2 asm("a2") = 0xaa, a3 asm("a3") = 0xbb;
        register uint64_t a4 asm("a4") = (uint64_t)(uintptr_t)pair;
        asm volatile(".insn r 0x2f, 4, 0x14, x0, a4, a2" : : "r"(a2), "r"(a3), "r"(a4) : "memory");
        check("amocas.q x0 hit", pair[0] << 8 | pair[1], 0xaabb);
    }
    printf("failures %d\n", failures);
    return failures != 0;
}
