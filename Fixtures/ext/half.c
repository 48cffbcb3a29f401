/* Half-precision fixture (-march=rv64gc_zfh; gcc 12 has no _Float16 on RISC-V, so the Zfh
   instructions are inline asm). For each rounding mode (set through frm, the instructions use the
   dynamic rm) it runs every Zfh operation over edge values and pseudo-random halves, hashing the
   results and the fflags each one raised, and sweeps all 65536 halves through the unary ops and
   conversions. Lines must match qemu-riscv64 -cpu rv64,Zfh=true (QEMU 7.2). */
#include <stdio.h>
#include <stdint.h>

typedef uint64_t u64;
static u64 hash;
static void mix(u64 v) { hash = (hash ^ v) * 0x100000001b3ULL; hash ^= hash >> 29; }

static inline void set_rm(int rm) { __asm__ volatile("fsrm %0" ::"r"(rm)); }
static inline u64 flags(void) { u64 f; __asm__ volatile("frflags %0" : "=r"(f)); __asm__ volatile("fsflags zero"); return f; }

/* f registers in and out as raw 64-bit patterns, so NaN boxes are visible. */
#define BIN(name) static inline u64 name##_h(u64 a, u64 b) { u64 r; \
  __asm__ volatile("fmv.d.x ft0,%1\n fmv.d.x ft1,%2\n " #name ".h ft2,ft0,ft1\n fmv.x.d %0,ft2" : "=r"(r) : "r"(a), "r"(b) : "ft0","ft1","ft2"); return r; }
BIN(fadd) BIN(fsub) BIN(fmul) BIN(fdiv) BIN(fmin) BIN(fmax) BIN(fsgnj) BIN(fsgnjn) BIN(fsgnjx)
#define CMP(name) static inline u64 name##_h(u64 a, u64 b) { u64 r; \
  __asm__ volatile("fmv.d.x ft0,%1\n fmv.d.x ft1,%2\n " #name ".h %0,ft0,ft1" : "=r"(r) : "r"(a), "r"(b) : "ft0","ft1"); return r; }
CMP(feq) CMP(flt) CMP(fle)
#define TER(name) static inline u64 name##_h(u64 a, u64 b, u64 c) { u64 r; \
  __asm__ volatile("fmv.d.x ft0,%1\n fmv.d.x ft1,%2\n fmv.d.x ft2,%3\n " #name ".h ft3,ft0,ft1,ft2\n fmv.x.d %0,ft3" \
  : "=r"(r) : "r"(a), "r"(b), "r"(c) : "ft0","ft1","ft2","ft3"); return r; }
TER(fmadd) TER(fmsub) TER(fnmsub) TER(fnmadd)
#define UNF(fn, insn) static inline u64 fn(u64 a) { u64 r; \
  __asm__ volatile("fmv.d.x ft0,%1\n " insn " ft1,ft0\n fmv.x.d %0,ft1" : "=r"(r) : "r"(a) : "ft0","ft1"); return r; }
UNF(fsqrt_h, "fsqrt.h") UNF(fcvt_s_h, "fcvt.s.h") UNF(fcvt_d_h, "fcvt.d.h") UNF(fcvt_h_s, "fcvt.h.s") UNF(fcvt_h_d, "fcvt.h.d")
#define UNX(fn, insn) static inline u64 fn(u64 a) { u64 r; \
  __asm__ volatile("fmv.d.x ft0,%1\n " insn " %0,ft0" : "=r"(r) : "r"(a) : "ft0"); return r; }
UNX(fclass_h, "fclass.h") UNX(fcvt_w_h, "fcvt.w.h") UNX(fcvt_wu_h, "fcvt.wu.h") UNX(fcvt_l_h, "fcvt.l.h")
UNX(fcvt_lu_h, "fcvt.lu.h") UNX(fmv_x_h, "fmv.x.h")
#define XTF(fn, insn) static inline u64 fn(u64 a) { u64 r; \
  __asm__ volatile(insn " ft0,%1\n fmv.x.d %0,ft0" : "=r"(r) : "r"(a) : "ft0"); return r; }
XTF(fcvt_h_w, "fcvt.h.w") XTF(fcvt_h_wu, "fcvt.h.wu") XTF(fcvt_h_l, "fcvt.h.l") XTF(fcvt_h_lu, "fcvt.h.lu") XTF(fmv_h_x, "fmv.h.x")

static const uint16_t edges[] = {
  0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0400, 0x8400, 0x3c00, 0xbc00, 0x3c01, 0x3bff,
  0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7c01, 0x7d55, 0xfd00, 0x4000, 0x3800, 0x3555,
  0x5640, 0x1400, 0x0200, 0x7800, 0x6400, 0xe400, 0x2e66, 0xb4cd,
};
#define NEDGE (int)(sizeof edges / sizeof edges[0])
static u64 rng = 0x9e3779b97f4a7c15ULL;
static uint16_t next_half(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint16_t)rng; }
static u64 box(uint16_t h) { return 0xffffffffffff0000ULL | h; }

#define REPORT(label) do { printf("%s rm%d %016llx\n", label, rm, (unsigned long long)hash); hash = 0; } while (0)

int main(void) {
  u64 operands[NEDGE + 200];
  int n = 0;
  for (int i = 0; i < NEDGE; i++) operands[n++] = box(edges[i]);
  for (int i = 0; i < 200; i++) operands[n++] = box(next_half());
  for (int rm = 0; rm < 5; rm++) {
    set_rm(rm); flags();
#define B2(fn) for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { mix(fn(operands[i], operands[j])); mix(flags()); } REPORT(#fn)
    B2(fadd_h); B2(fsub_h); B2(fmul_h); B2(fdiv_h); B2(fmin_h); B2(fmax_h);
    B2(feq_h); B2(flt_h); B2(fle_h); B2(fsgnj_h); B2(fsgnjn_h); B2(fsgnjx_h);
#define T3(fn) for (int i = 0; i < 20000; i++) { u64 a = operands[next_half() % n], b = operands[next_half() % n], c = operands[next_half() % n]; \
      mix(fn(a, b, c)); mix(flags()); } REPORT(#fn)
    T3(fmadd_h); T3(fmsub_h); T3(fnmsub_h); T3(fnmadd_h);
    /* Every half through the unary operations and conversions. */
#define ALL(fn) for (u64 h = 0; h < 65536; h++) { mix(fn(box((uint16_t)h))); mix(flags()); } REPORT(#fn)
    ALL(fsqrt_h); ALL(fcvt_s_h); ALL(fcvt_d_h); ALL(fclass_h); ALL(fcvt_w_h); ALL(fcvt_wu_h); ALL(fcvt_l_h); ALL(fcvt_lu_h);
    ALL(fmv_x_h);
    /* Singles and doubles to half: every single whose top 16 bits are h with low bits from the
       generator (so ties, near-ties and sticky bits occur), and doubles likewise. */
    for (u64 h = 0; h < 65536; h++) {
      u64 s = 0xffffffff00000000ULL | h << 16 | (h & 7) << 13 | (next_half() & ((h & 8) ? 0x1fff : 0));
      mix(fcvt_h_s(s)); mix(flags());
      mix(fcvt_h_s(0xffffffff00000000ULL | h << 16)); mix(flags());
    }
    REPORT("fcvt_h_s");
    for (u64 h = 0; h < 65536; h++) {
      u64 d = h << 48 | (u64)next_half() << 32 | (u64)next_half() << ((h & 1) ? 0 : 40);
      mix(fcvt_h_d(d)); mix(flags());
    }
    REPORT("fcvt_h_d");
    for (int i = 0; i < 70000; i++) {
      u64 x = (u64)next_half() << 48 | (u64)next_half() << 32 | (u64)next_half() << 16 | next_half();
      u64 v = (i & 3) == 0 ? x : (i & 3) == 1 ? x >> (x & 63) : (i & 3) == 2 ? (u64)(int64_t)(int32_t)(x >> 40) : -(x >> (x & 63));
      mix(fcvt_h_w(v)); mix(flags()); mix(fcvt_h_wu(v)); mix(flags());
      mix(fcvt_h_l(v)); mix(flags()); mix(fcvt_h_lu(v)); mix(flags());
    }
    REPORT("fcvt_h_int");
  }
  /* NaN boxing: an improperly boxed operand reads as the canonical NaN; fmv.x.h doesn't check. */
  set_rm(0);
  u64 unboxed[] = {0x3c00, 0xffffffff00003c00ULL, 0xfffeffffffff3c00ULL, 0x7fffffffffff3c00ULL, 0xffffffffffff3c00ULL};
  for (int i = 0; i < 5; i++) {
    printf("box %016llx add %016llx cvt.s %016llx class %llx mv.x %016llx sgnj %016llx\n",
           (unsigned long long)unboxed[i], (unsigned long long)fadd_h(unboxed[i], box(0)),
           (unsigned long long)fcvt_s_h(unboxed[i]), (unsigned long long)fclass_h(unboxed[i]),
           (unsigned long long)fmv_x_h(unboxed[i]), (unsigned long long)fsgnj_h(unboxed[i], box(0x8000)));
    mix(flags());
  }
  printf("fmv.h.x %016llx %016llx\n", (unsigned long long)fmv_h_x(0x123456789abcdef0ULL), (unsigned long long)fmv_h_x(0x8001));
  /* flh boxes, fsh stores 16 bits. */
  uint16_t mem[4] = {0x1234, 0xabcd, 0x5555, 0x6666};
  u64 loaded, out;
  __asm__ volatile("flh ft0, 2(%1)\n fmv.x.d %0, ft0\n fsh ft0, 4(%1)" : "=r"(loaded) : "r"(mem) : "ft0", "memory");
  __asm__ volatile("fmv.d.x ft0, %1\n fsh ft0, 6(%2)\n" : "=r"(out) : "r"(0x0123456789abcdefULL), "r"(mem) : "ft0", "memory");
  printf("flh %016llx mem %04x %04x %04x %04x\n", (unsigned long long)loaded, mem[0], mem[1], mem[2], mem[3]);
  return 0;
}
