/* Measures where x86-64 SSE/FMA3 scalar arithmetic agrees with RISC-V, using the committed
 * reference vectors: for every vector of an operation SSE has an instruction for, in the four
 * rounding modes MXCSR offers (RMM has no x86 equivalent), it runs the host instruction under
 * that mode and compares the result bits and the flags (MXCSR's DE, which RISC-V lacks, is
 * ignored). The JIT can lower inline only what agrees here; the report says what differs.
 *
 *   cc -O1 -mfma -o /tmp/fp-hostcheck tools/fp-hostcheck.c
 *   gzip -dc Fixtures/fpvectors/vectors.txt.gz | /tmp/fp-hostcheck
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;

static unsigned mxcsr_for(unsigned rm) {
    static const unsigned rc[4] = {0, 3, 1, 2};   /* RNE RTZ RDN RUP -> MXCSR.RC */
    return 0x1f80 | (rc[rm] << 13);                /* all exceptions masked, flags clear */
}

/* RISC-V flag bits from MXCSR's IE ZE OE UE PE (DE dropped). */
static unsigned flags_of(unsigned m) {
    return (m & 1 ? 0x10 : 0) | (m & 4 ? 0x08 : 0) | (m & 8 ? 0x04 : 0) | (m & 16 ? 0x02 : 0) | (m & 32 ? 0x01 : 0);
}

#define RUN(body) do { unsigned m = mxcsr_for(rm); __asm__ volatile("ldmxcsr %0" :: "m"(m)); body; \
    __asm__ volatile("stmxcsr %0" : "=m"(m)); *fl = flags_of(m); m = 0x1f80; __asm__ volatile("ldmxcsr %0" :: "m"(m)); } while (0)

static u64 host(const char *op, unsigned rm, const u64 *in, unsigned *fl) {
    u64 r = 0;
    double a, b, c; float fa, fb, fc;
    memcpy(&a, &in[0], 8); memcpy(&b, &in[1], 8); memcpy(&c, &in[2], 8);
    uint32_t s0 = (uint32_t)in[0], s1 = (uint32_t)in[1], s2 = (uint32_t)in[2];
    memcpy(&fa, &s0, 4); memcpy(&fb, &s1, 4); memcpy(&fc, &s2, 4);
#define D2(insn) RUN(__asm__ volatile(insn " %1, %0" : "+x"(a) : "x"(b))); memcpy(&r, &a, 8)
#define S2(insn) RUN(__asm__ volatile(insn " %1, %0" : "+x"(fa) : "x"(fb))); { uint32_t t; memcpy(&t, &fa, 4); r = 0xffffffff00000000ull | t; }
    if (!strcmp(op, "fadd.d")) { D2("addsd"); }
    else if (!strcmp(op, "fsub.d")) { D2("subsd"); }
    else if (!strcmp(op, "fmul.d")) { D2("mulsd"); }
    else if (!strcmp(op, "fdiv.d")) { D2("divsd"); }
    else if (!strcmp(op, "fsqrt.d")) { RUN(__asm__ volatile("sqrtsd %0, %0" : "+x"(a))); memcpy(&r, &a, 8); }
    else if (!strcmp(op, "fmadd.d")) { RUN(__asm__ volatile("vfmadd213sd %2, %1, %0" : "+x"(a) : "x"(b), "x"(c))); memcpy(&r, &a, 8); }
    else if (!strcmp(op, "fadd.s")) { S2("addss"); }
    else if (!strcmp(op, "fsub.s")) { S2("subss"); }
    else if (!strcmp(op, "fmul.s")) { S2("mulss"); }
    else if (!strcmp(op, "fdiv.s")) { S2("divss"); }
    else if (!strcmp(op, "fsqrt.s")) { RUN(__asm__ volatile("sqrtss %0, %0" : "+x"(fa))); uint32_t t; memcpy(&t, &fa, 4); r = 0xffffffff00000000ull | t; }
    else if (!strcmp(op, "fmadd.s")) { RUN(__asm__ volatile("vfmadd213ss %2, %1, %0" : "+x"(fa) : "x"(fb), "x"(fc))); uint32_t t; memcpy(&t, &fa, 4); r = 0xffffffff00000000ull | t; }
    else if (!strcmp(op, "fcvt.s.d")) { float f; RUN(__asm__ volatile("cvtsd2ss %1, %0" : "=x"(f) : "x"(a))); uint32_t t; memcpy(&t, &f, 4); r = 0xffffffff00000000ull | t; }
    else if (!strcmp(op, "fcvt.d.s")) { double g; RUN(__asm__ volatile("cvtss2sd %1, %0" : "=x"(g) : "x"(fa))); memcpy(&r, &g, 8); }
    else if (!strcmp(op, "fcvt.d.l")) { double g; RUN(__asm__ volatile("cvtsi2sdq %1, %0" : "=x"(g) : "r"(in[0]))); memcpy(&r, &g, 8); }
    else if (!strcmp(op, "fcvt.s.l")) { float f; RUN(__asm__ volatile("cvtsi2ssq %1, %0" : "=x"(f) : "r"(in[0]))); uint32_t t; memcpy(&t, &f, 4); r = 0xffffffff00000000ull | t; }
    else if (!strcmp(op, "fcvt.l.d")) { RUN(__asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(a))); }
    else if (!strcmp(op, "fcvt.w.d")) { int32_t w; RUN(__asm__ volatile("cvtsd2si %1, %0" : "=r"(w) : "x"(a))); r = (u64)(int64_t)w; }
    else return ~0ull - 1;
    return r;
}

/* Whether a result is a NaN, judged in the format of the operation's result. */
static int is_nan(const char *op, u64 r) {
    size_t n = strlen(op);
    int dbl = !strncmp(op, "fcvt.d.", 7) || (strncmp(op, "fcvt.", 5) && op[n - 1] == 'd');
    int sgl = !strncmp(op, "fcvt.s.", 7) || (strncmp(op, "fcvt.", 5) && op[n - 1] == 's');
    if (dbl) return (r & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
    if (sgl) return (r & 0x7fffffff) > 0x7f800000;
    return 0;
}

int main(void) {
    char line[256], op[32];
    unsigned long total = 0, nanOnly = 0, value = 0, flagDiff[5] = {0};
    static char names[32][16]; static unsigned long perOp[32][3]; int nops = 0;   /* checked, value, flags */
    while (fgets(line, sizeof line, stdin)) {
        unsigned rm; u64 v[6]; unsigned long long t[6];
        int n = sscanf(line, "%31s %u %llx %llx %llx %llx %llx", op, &rm, &t[0], &t[1], &t[2], &t[3], &t[4]);
        if (n < 5 || rm > 3) continue;
        for (int i = 0; i < n - 2; i++) v[i] = t[i];
        int arity = n - 4;
        u64 want = v[arity], wantFlags = v[arity + 1];
        u64 in[3] = {v[0], arity > 1 ? v[1] : 0, arity > 2 ? v[2] : 0};
        if (strstr(op, ".s") && (strncmp(op, "fcvt.s.", 7) != 0)) {   /* single inputs must be boxed for SSE */
            int boxed = 1;
            for (int i = 0; i < arity; i++) if (in[i] >> 32 != 0xffffffff) boxed = 0;
            if (!boxed) continue;
        }
        unsigned got_flags;
        u64 got = host(op, rm, in, &got_flags);
        if (got == ~0ull - 1) continue;
        total++;
        int k = 0;
        while (k < nops && strcmp(names[k], op)) k++;
        if (k == nops) strcpy(names[nops++], op);
        perOp[k][0]++;
        int bad = 0;
        if (got != want) {
            if (is_nan(op, want) && is_nan(op, got)) nanOnly++; else { value++; perOp[k][1]++; bad = 1; }
        }
        for (int b = 0; b < 5; b++) if (((got_flags ^ wantFlags) >> b) & 1) { flagDiff[b]++; bad = 2; }
        if (bad == 2) perOp[k][2]++;
        if (bad && perOp[k][1] + perOp[k][2] <= 3) {
            printf("differs: %s rm=%u in=%llx %llx %llx riscv=%llx/%llx host=%llx/%x\n", op, rm,
                   (unsigned long long)in[0], (unsigned long long)in[1], (unsigned long long)in[2],
                   (unsigned long long)want, (unsigned long long)wantFlags, (unsigned long long)got, got_flags);
        }
    }
    printf("%lu vectors checked (RNE/RTZ/RDN/RUP); NaN bits only: %lu; other result bits: %lu\n", total, nanOnly, value);
    for (int k = 0; k < nops; k++)
        printf("  %-9s %6lu checked, %5lu wrong non-NaN results, %5lu wrong flags\n", names[k], perOp[k][0], perOp[k][1], perOp[k][2]);
    printf("flag differences: NX %lu, UF %lu, OF %lu, DZ %lu, NV %lu\n", flagDiff[0], flagDiff[1], flagDiff[2], flagDiff[3], flagDiff[4]);
    return 0;
}
