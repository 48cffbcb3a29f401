/* Reference vectors for Trapeze's F/D arithmetic, produced by running this program under a
 * RISC-V implementation (qemu-riscv64). Build: tools/fp-vectors.sh.
 *
 * Every line is one executed instruction:
 *     <mnemonic> <rm> <input>... <result> <fflags>
 * all in hex. Inputs and float results are whole 64-bit f-register values (so NaN boxing of
 * single operands and results is visible), integer inputs and results whole x-register values.
 * rm is the rounding mode that was in frm (the instructions use the dynamic mode); fflags are the
 * flags this instruction alone raised.
 *
 * Part one crosses edge-value pools with every rounding mode; part two is seeded random operands
 * shaped to hit rounding, cancellation, underflow and overflow.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;

/* Each wrapper sets frm, clears fflags, runs one instruction and reads result and fflags. */
#define PRE  "fsrm %[rm]\n\tcsrw fflags, zero\n\t"
#define POST "\n\tfrflags %[fl]"

#define FFF(fn, insn) static u64 fn(u64 a, u64 b, u64 c, u64 rm, u64 *fl) { u64 r; (void)c; \
    __asm__ volatile("fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t" PRE insn " ft2, ft0, ft1" POST "\n\tfmv.x.d %[r], ft2" \
        : [r] "=&r"(r), [fl] "=&r"(*fl) : [a] "r"(a), [b] "r"(b), [rm] "r"(rm) : "ft0", "ft1", "ft2"); return r; }
#define FFFF(fn, insn) static u64 fn(u64 a, u64 b, u64 c, u64 rm, u64 *fl) { u64 r; \
    __asm__ volatile("fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\tfmv.d.x ft2, %[c]\n\t" PRE insn " ft3, ft0, ft1, ft2" POST "\n\tfmv.x.d %[r], ft3" \
        : [r] "=&r"(r), [fl] "=&r"(*fl) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [rm] "r"(rm) : "ft0", "ft1", "ft2", "ft3"); return r; }
#define FF(fn, insn) static u64 fn(u64 a, u64 b, u64 c, u64 rm, u64 *fl) { u64 r; (void)b; (void)c; \
    __asm__ volatile("fmv.d.x ft0, %[a]\n\t" PRE insn " ft2, ft0" POST "\n\tfmv.x.d %[r], ft2" \
        : [r] "=&r"(r), [fl] "=&r"(*fl) : [a] "r"(a), [rm] "r"(rm) : "ft0", "ft2"); return r; }
#define XFF(fn, insn) static u64 fn(u64 a, u64 b, u64 c, u64 rm, u64 *fl) { u64 r; (void)c; \
    __asm__ volatile("fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t" PRE insn " %[r], ft0, ft1" POST \
        : [r] "=&r"(r), [fl] "=&r"(*fl) : [a] "r"(a), [b] "r"(b), [rm] "r"(rm) : "ft0", "ft1"); return r; }
#define XF(fn, insn) static u64 fn(u64 a, u64 b, u64 c, u64 rm, u64 *fl) { u64 r; (void)b; (void)c; \
    __asm__ volatile("fmv.d.x ft0, %[a]\n\t" PRE insn " %[r], ft0" POST \
        : [r] "=&r"(r), [fl] "=&r"(*fl) : [a] "r"(a), [rm] "r"(rm) : "ft0"); return r; }
#define FX(fn, insn) static u64 fn(u64 a, u64 b, u64 c, u64 rm, u64 *fl) { u64 r; (void)b; (void)c; \
    __asm__ volatile(PRE insn " ft2, %[a]" POST "\n\tfmv.x.d %[r], ft2" \
        : [r] "=&r"(r), [fl] "=&r"(*fl) : [a] "r"(a), [rm] "r"(rm) : "ft2"); return r; }

FFFF(fmadd_s, "fmadd.s") FFFF(fmsub_s, "fmsub.s") FFFF(fnmsub_s, "fnmsub.s") FFFF(fnmadd_s, "fnmadd.s")
FFFF(fmadd_d, "fmadd.d") FFFF(fmsub_d, "fmsub.d") FFFF(fnmsub_d, "fnmsub.d") FFFF(fnmadd_d, "fnmadd.d")
FFF(fadd_s, "fadd.s") FFF(fsub_s, "fsub.s") FFF(fmul_s, "fmul.s") FFF(fdiv_s, "fdiv.s")
FFF(fadd_d, "fadd.d") FFF(fsub_d, "fsub.d") FFF(fmul_d, "fmul.d") FFF(fdiv_d, "fdiv.d")
FF(fsqrt_s, "fsqrt.s") FF(fsqrt_d, "fsqrt.d")
FFF(fsgnj_s, "fsgnj.s") FFF(fsgnjn_s, "fsgnjn.s") FFF(fsgnjx_s, "fsgnjx.s")
FFF(fsgnj_d, "fsgnj.d") FFF(fsgnjn_d, "fsgnjn.d") FFF(fsgnjx_d, "fsgnjx.d")
FFF(fmin_s, "fmin.s") FFF(fmax_s, "fmax.s") FFF(fmin_d, "fmin.d") FFF(fmax_d, "fmax.d")
XFF(feq_s, "feq.s") XFF(flt_s, "flt.s") XFF(fle_s, "fle.s")
XFF(feq_d, "feq.d") XFF(flt_d, "flt.d") XFF(fle_d, "fle.d")
XF(fclass_s, "fclass.s") XF(fclass_d, "fclass.d") XF(fmv_x_w, "fmv.x.w") XF(fmv_x_d, "fmv.x.d")
XF(fcvt_w_s, "fcvt.w.s") XF(fcvt_wu_s, "fcvt.wu.s") XF(fcvt_l_s, "fcvt.l.s") XF(fcvt_lu_s, "fcvt.lu.s")
XF(fcvt_w_d, "fcvt.w.d") XF(fcvt_wu_d, "fcvt.wu.d") XF(fcvt_l_d, "fcvt.l.d") XF(fcvt_lu_d, "fcvt.lu.d")
FX(fcvt_s_w, "fcvt.s.w") FX(fcvt_s_wu, "fcvt.s.wu") FX(fcvt_s_l, "fcvt.s.l") FX(fcvt_s_lu, "fcvt.s.lu")
FX(fcvt_d_w, "fcvt.d.w") FX(fcvt_d_wu, "fcvt.d.wu") FX(fcvt_d_l, "fcvt.d.l") FX(fcvt_d_lu, "fcvt.d.lu")
FX(fmv_w_x, "fmv.w.x") FX(fmv_d_x, "fmv.d.x")
FF(fcvt_s_d, "fcvt.s.d") FF(fcvt_d_s, "fcvt.d.s")

typedef u64 (*opfn)(u64, u64, u64, u64, u64 *);

/* Operand pools: S = single (as boxed register values), D = double, X = integer register. */
enum pool { S, D, X };

struct op {
    const char *name;
    opfn fn;
    int arity;
    enum pool in;       /* pool the inputs come from */
    enum pool out;      /* S/D: result shaped like a float of that width; X: integer */
    int rounds;         /* depends on the rounding mode: run under all five */
};

static const struct op ops[] = {
    {"fmadd.s", fmadd_s, 3, S, S, 1}, {"fmsub.s", fmsub_s, 3, S, S, 1},
    {"fnmsub.s", fnmsub_s, 3, S, S, 1}, {"fnmadd.s", fnmadd_s, 3, S, S, 1},
    {"fmadd.d", fmadd_d, 3, D, D, 1}, {"fmsub.d", fmsub_d, 3, D, D, 1},
    {"fnmsub.d", fnmsub_d, 3, D, D, 1}, {"fnmadd.d", fnmadd_d, 3, D, D, 1},
    {"fadd.s", fadd_s, 2, S, S, 1}, {"fsub.s", fsub_s, 2, S, S, 1},
    {"fmul.s", fmul_s, 2, S, S, 1}, {"fdiv.s", fdiv_s, 2, S, S, 1}, {"fsqrt.s", fsqrt_s, 1, S, S, 1},
    {"fadd.d", fadd_d, 2, D, D, 1}, {"fsub.d", fsub_d, 2, D, D, 1},
    {"fmul.d", fmul_d, 2, D, D, 1}, {"fdiv.d", fdiv_d, 2, D, D, 1}, {"fsqrt.d", fsqrt_d, 1, D, D, 1},
    {"fsgnj.s", fsgnj_s, 2, S, S, 0}, {"fsgnjn.s", fsgnjn_s, 2, S, S, 0}, {"fsgnjx.s", fsgnjx_s, 2, S, S, 0},
    {"fsgnj.d", fsgnj_d, 2, D, D, 0}, {"fsgnjn.d", fsgnjn_d, 2, D, D, 0}, {"fsgnjx.d", fsgnjx_d, 2, D, D, 0},
    {"fmin.s", fmin_s, 2, S, S, 0}, {"fmax.s", fmax_s, 2, S, S, 0},
    {"fmin.d", fmin_d, 2, D, D, 0}, {"fmax.d", fmax_d, 2, D, D, 0},
    {"feq.s", feq_s, 2, S, X, 0}, {"flt.s", flt_s, 2, S, X, 0}, {"fle.s", fle_s, 2, S, X, 0},
    {"feq.d", feq_d, 2, D, X, 0}, {"flt.d", flt_d, 2, D, X, 0}, {"fle.d", fle_d, 2, D, X, 0},
    {"fclass.s", fclass_s, 1, S, X, 0}, {"fclass.d", fclass_d, 1, D, X, 0},
    {"fmv.x.w", fmv_x_w, 1, S, X, 0}, {"fmv.x.d", fmv_x_d, 1, D, X, 0},
    {"fcvt.w.s", fcvt_w_s, 1, S, X, 1}, {"fcvt.wu.s", fcvt_wu_s, 1, S, X, 1},
    {"fcvt.l.s", fcvt_l_s, 1, S, X, 1}, {"fcvt.lu.s", fcvt_lu_s, 1, S, X, 1},
    {"fcvt.w.d", fcvt_w_d, 1, D, X, 1}, {"fcvt.wu.d", fcvt_wu_d, 1, D, X, 1},
    {"fcvt.l.d", fcvt_l_d, 1, D, X, 1}, {"fcvt.lu.d", fcvt_lu_d, 1, D, X, 1},
    {"fcvt.s.w", fcvt_s_w, 1, X, S, 1}, {"fcvt.s.wu", fcvt_s_wu, 1, X, S, 1},
    {"fcvt.s.l", fcvt_s_l, 1, X, S, 1}, {"fcvt.s.lu", fcvt_s_lu, 1, X, S, 1},
    {"fcvt.d.w", fcvt_d_w, 1, X, D, 1}, {"fcvt.d.wu", fcvt_d_wu, 1, X, D, 1},
    {"fcvt.d.l", fcvt_d_l, 1, X, D, 1}, {"fcvt.d.lu", fcvt_d_lu, 1, X, D, 1},
    {"fmv.w.x", fmv_w_x, 1, X, S, 0}, {"fmv.d.x", fmv_d_x, 1, X, D, 0},
    {"fcvt.s.d", fcvt_s_d, 1, D, S, 1}, {"fcvt.d.s", fcvt_d_s, 1, S, D, 1},
};
#define NOPS (sizeof ops / sizeof ops[0])

#define BOX(x) (0xffffffff00000000ull | (x))
static const u64 single_pool[] = {
    BOX(0x00000000), BOX(0x80000000), BOX(0x7f800000), BOX(0xff800000),      /* ±0 ±inf */
    BOX(0x7fc00000), BOX(0xffc00123), BOX(0x7f800001), BOX(0xffa00000),      /* qNaN, -qNaN payload, sNaNs */
    BOX(0x00000001), BOX(0x80000001), BOX(0x007fffff), BOX(0x00400000),      /* subnormals */
    BOX(0x00800000), BOX(0x80800000), BOX(0x00800001), BOX(0x00ffffff),      /* min normal and neighbours */
    BOX(0x7f7fffff), BOX(0xff7fffff), BOX(0x7f000000), BOX(0x1f800000),      /* max, 2^127, 2^-64 */
    BOX(0x3f800000), BOX(0xbf800000), BOX(0x3f800001), BOX(0x3f7fffff),      /* ±1, 1 ± ulp */
    BOX(0x40000000), BOX(0x40400000), BOX(0x3f000000), BOX(0x3fc00000),      /* 2 3 0.5 1.5 */
    BOX(0x40200000), BOX(0xc0200000), BOX(0xbf000000), BOX(0xbfc00000),      /* 2.5 -2.5 -0.5 -1.5 */
    BOX(0x3dcccccd), BOX(0x3eaaaaab), BOX(0x40490fdb), BOX(0x4b7fffff),      /* 0.1 1/3 pi 2^24-1 */
    BOX(0x4f000000), BOX(0x4effffff), BOX(0xcf000000), BOX(0xcf000001),      /* 2^31 region */
    BOX(0x4f800000), BOX(0x4f7fffff), BOX(0xbf7fffff), BOX(0xbe800000),      /* 2^32 region, negatives < 1 */
    BOX(0x5f000000), BOX(0x5effffff), BOX(0xdf000000), BOX(0xdf000001),      /* 2^63 region */
    BOX(0x5f800000), BOX(0x5f7fffff),                                        /* 2^64 region */
    0x000000003f800000ull, 0x7fffffff3f800000ull,                            /* not properly boxed */
};
static const u64 double_pool[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000123ull, 0x7ff0000000000001ull, 0xfff4000000000000ull,
    0x0000000000000001ull, 0x8000000000000001ull, 0x000fffffffffffffull, 0x0008000000000000ull,
    0x0010000000000000ull, 0x8010000000000000ull, 0x0010000000000001ull, 0x001fffffffffffffull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7fe0000000000000ull, 0x1ff0000000000000ull,
    0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff0000000000001ull, 0x3fefffffffffffffull,
    0x4000000000000000ull, 0x4008000000000000ull, 0x3fe0000000000000ull, 0x3ff8000000000000ull,
    0x4004000000000000ull, 0xc004000000000000ull, 0xbfe0000000000000ull, 0xbff8000000000000ull,
    0x3fb999999999999aull, 0x3fd5555555555555ull, 0x400921fb54442d18ull, 0x433fffffffffffffull,
    0x41e0000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000000000ull, 0xc1e0000000200000ull,
    0x41f0000000000000ull, 0x41efffffffe00000ull, 0xbfefffffffffffffull, 0x41dfffffffe00000ull,
    0x43e0000000000000ull, 0x43dfffffffffffffull, 0xc3e0000000000000ull, 0xc3e0000000000001ull,
    0x43f0000000000000ull, 0x43efffffffffffffull, 0x36a0000000000000ull, 0x47efffffe0000000ull,
    0x380fffffe0000000ull, 0x3690000000000000ull,    /* values near single's subnormal and overflow limits */
};
static const u64 int_pool[] = {
    0, 1, 2, 3, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000ull, 0xffffffff80000000ull, 0xffffffff7fffffffull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
    0xffffff, 0x1000000, 0x1000001, 0x1000003, 0x1000002, 0xfffffffffeffffffull,
    0x1fffffffffffffull, 0x20000000000000ull, 0x20000000000001ull, 0x20000000000003ull,
    0x7ffffffffffffdffull, 0x7ffffffffffffe00ull, 0xfffffffffffff800ull, 0xfffffffffffffc00ull, 0xfffffffffffffbffull,
    123456789, 0xfffffffff8a432ebull, 0xdeadbeefcafebabeull, 0x7fffffc0, 0x7fffffbf, 0x1234567800000005ull,
    0x00000000fffffffdull, 0xffffffff00000003ull,
};
#define COUNT(a) (sizeof a / sizeof a[0])

/* Small pools for the three-operand ops, whose full cross product would be large. */
static const u64 single_fma_pool[] = {
    BOX(0x00000000), BOX(0x80000000), BOX(0x7f800000), BOX(0xff800000), BOX(0x7fc00000), BOX(0x7f800001),
    BOX(0x00000001), BOX(0x7f7fffff), BOX(0x3f800000), BOX(0xbf800001), BOX(0x3f7fffff), 0x000000003f800000ull,
};
static const u64 double_fma_pool[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff0000000000001ull, 0x0000000000000001ull, 0x7fefffffffffffffull,
    0x3ff0000000000000ull, 0xbff0000000000001ull, 0x3fefffffffffffffull, 0x3cb0000000000000ull,
};

static void emit(const struct op *o, u64 rm, const u64 *in) {
    u64 fl;
    u64 r = o->fn(in[0], in[1], in[2], rm, &fl);
    printf("%s %llu", o->name, (unsigned long long)rm);
    for (int i = 0; i < o->arity; i++) printf(" %llx", (unsigned long long)in[i]);
    printf(" %llx %llx\n", (unsigned long long)r, (unsigned long long)fl);
}

static void pool_of(const struct op *o, int fma, const u64 **p, size_t *n) {
    switch (o->in) {
    case S: *p = fma ? single_fma_pool : single_pool; *n = fma ? COUNT(single_fma_pool) : COUNT(single_pool); break;
    case D: *p = fma ? double_fma_pool : double_pool; *n = fma ? COUNT(double_fma_pool) : COUNT(double_pool); break;
    case X: *p = int_pool; *n = COUNT(int_pool); break;
    }
}

static void edge_vectors(void) {
    for (size_t k = 0; k < NOPS; k++) {
        const struct op *o = &ops[k];
        const u64 *p = 0; size_t n = 0;
        pool_of(o, o->arity == 3, &p, &n);
        for (u64 rm = 0; rm <= (o->rounds ? 4 : 0); rm++) {
            u64 in[3] = {0, 0, 0};
            for (size_t i = 0; i < n; i++) {
                in[0] = p[i];
                if (o->arity == 1) { emit(o, rm, in); continue; }
                for (size_t j = 0; j < n; j++) {
                    in[1] = p[j];
                    if (o->arity == 2) { emit(o, rm, in); continue; }
                    for (size_t l = 0; l < n; l++) { in[2] = p[l]; emit(o, rm, in); }
                }
            }
        }
    }
}

/* ---- random part ---- */

static u64 seed = 0x9e3779b97f4a7c15ull;
static u64 next(void) {           /* xorshift64* */
    seed ^= seed >> 12; seed ^= seed << 25; seed ^= seed >> 27;
    return seed * 0x2545f4914f6cdd1dull;
}

/* A random value of the given format with the given biased exponent: random significand bits,
 * often with the low bits cleared so that exact results and ties happen. */
static u64 make(enum pool f, long e, u64 sign) {
    int fb = f == S ? 23 : 52, eb = f == S ? 8 : 11;
    long emax = (1L << eb) - 2;
    if (e < 0) e = 0;
    if (e > emax) e = emax;
    u64 frac = next() & ((1ull << fb) - 1);
    if (next() % 3 == 0) frac &= ~((1ull << (next() % fb)) - 1);
    u64 v = (sign << (fb + eb)) | ((u64)e << fb) | frac;
    return f == S ? BOX(v) : v;
}

static long bias(enum pool f) { return f == S ? 127 : 1023; }

/* Biased exponent: mostly around 1, sometimes near the subnormal or overflow edges. */
static long exponent(enum pool f) {
    long b = bias(f), top = f == S ? 254 : 2046;
    switch (next() % 8) {
    case 0: return next() % 4;                  /* subnormal and just above */
    case 1: return top - (long)(next() % 3);    /* near overflow */
    case 2: return (long)(next() % (top + 1));
    default: return b - 8 + (long)(next() % 17);
    }
}

static u64 random_float(enum pool f) { return make(f, exponent(f), next() & 1); }

static const struct op *find(const char *name) {
    for (size_t k = 0; k < NOPS; k++) if (!strcmp(ops[k].name, name)) return &ops[k];
    return 0;
}

static void random_vectors(int count) {
    static const char *const names[] = {
        "fadd.s", "fsub.s", "fmul.s", "fdiv.s", "fsqrt.s", "fmadd.s", "fmsub.s", "fnmsub.s", "fnmadd.s",
        "fadd.d", "fsub.d", "fmul.d", "fdiv.d", "fsqrt.d", "fmadd.d", "fmsub.d", "fnmsub.d", "fnmadd.d",
        "fcvt.w.s", "fcvt.wu.s", "fcvt.l.s", "fcvt.lu.s", "fcvt.w.d", "fcvt.wu.d", "fcvt.l.d", "fcvt.lu.d",
        "fcvt.s.w", "fcvt.s.wu", "fcvt.s.l", "fcvt.s.lu", "fcvt.d.l", "fcvt.d.lu", "fcvt.s.d",
    };
    for (size_t k = 0; k < COUNT(names); k++) {
        const struct op *o = find(names[k]);
        enum pool f = o->in;
        for (int i = 0; i < count; i++) {
            u64 rm = next() % 5, in[3];
            if (f == X) {
                /* Integers of every magnitude, so every rounding position is reached. */
                u64 v = next() >> (next() % 64);
                in[0] = next() & 1 ? v : 0 - v;
            } else if (o->fn == fcvt_s_d) {
                /* Doubles that land in single's range, its subnormals and beyond. */
                in[0] = make(D, 1023 - 160 + (long)(next() % 300), next() & 1);
            } else if (o->out == X) {
                /* Values around the integer range limits and around small integers. */
                long e = bias(f) + (long)(next() % 70) - 2;
                in[0] = make(f, next() % 4 ? e : bias(f) - 2 + (long)(next() % 6), next() % 4 == 0);
            } else if (o->arity == 1) {
                in[0] = random_float(f);
                if (next() % 4 == 0) in[0] &= f == S ? ~0x80000000ull : ~(1ull << 63);
            } else if (o->arity == 2) {
                long e = exponent(f), d = (long)(next() % 61) - 30;
                in[0] = make(f, e, next() & 1);
                /* Close exponents make cancellation (add/sub) and edge quotients/products likely. */
                in[1] = next() % 4 ? make(f, o->fn == fmul_s || o->fn == fmul_d ? 2 * bias(f) - e + d / 4 : e + d / 8, next() & 1)
                                   : random_float(f);
            } else {
                long ea = exponent(f), eb = bias(f) - 8 + (long)(next() % 17);
                in[0] = make(f, ea, next() & 1);
                in[1] = make(f, eb, next() & 1);
                /* An addend near the product's magnitude, to exercise cancellation. */
                long ec = ea + eb - bias(f) + (long)(next() % 9) - 4;
                in[2] = next() % 4 ? make(f, ec, next() & 1) : random_float(f);
            }
            emit(o, rm, in);
        }
    }
}

int main(void) {
    edge_vectors();
    random_vectors(1500);
    return 0;
}
