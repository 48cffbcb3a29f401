/* Bit-manipulation fixture: Zba/Zbb/Zbs from the compiler (-march=rv64gc_zba_zbb_zbc_zbs),
   clmul*, orc.b by asm, and Zicond through .insn (binutils 2.40 lacks it). Built with
   -DNO_ZICOND as bitmanip-qemu for QEMU 7.2, which lacks Zicond; both print the same hash. */
#include <stdio.h>
#include <stdint.h>
static inline uint64_t clmul(uint64_t a, uint64_t b){uint64_t r; __asm__("clmul %0,%1,%2":"=r"(r):"r"(a),"r"(b)); return r;}
static inline uint64_t clmulh(uint64_t a, uint64_t b){uint64_t r; __asm__("clmulh %0,%1,%2":"=r"(r):"r"(a),"r"(b)); return r;}
static inline uint64_t clmulr(uint64_t a, uint64_t b){uint64_t r; __asm__("clmulr %0,%1,%2":"=r"(r):"r"(a),"r"(b)); return r;}
static inline uint64_t orcb(uint64_t a){uint64_t r; __asm__("orc.b %0,%1":"=r"(r):"r"(a)); return r;}
static inline uint64_t czeqz(uint64_t a, uint64_t b){uint64_t r; __asm__(".insn r 0x33, 5, 7, %0, %1, %2":"=r"(r):"r"(a),"r"(b)); return r;}
static inline uint64_t cznez(uint64_t a, uint64_t b){uint64_t r; __asm__(".insn r 0x33, 7, 7, %0, %1, %2":"=r"(r):"r"(a),"r"(b)); return r;}
int main(void){
  uint64_t x = 0x0123456789abcdefULL, h = 0;
  for (int i = 0; i < 2000; i++) {
    uint64_t y = x * 0x9e3779b97f4a7c15ULL + (uint64_t)i;
    h ^= (uint64_t)__builtin_clzll(y | 1) + __builtin_ctzll(y | 0x8000000000000000ULL) + __builtin_popcountll(y);
    h = (h << 7 | h >> 57) ^ __builtin_bswap64(y);
    h += clmul(x, y) ^ clmulh(y, h) ^ clmulr(h, x) ^ orcb(y & 0xff00ff0000ff00ffULL);
    #ifdef NO_ZICOND
    h += (i & 1 ? y : 0) + (i & 2 ? 0 : x);
#else
    h += czeqz(y, i & 1) + cznez(x, i & 2);
#endif
    h ^= (y & ~x) | (x >> (i & 63) & 1) << 17;
    int64_t s = (int64_t)y; h += (uint64_t)(s < (int64_t)x ? s : (int64_t)x);
    uint32_t w = (uint32_t)y; h += (uint64_t)w * 8 + (h & ~(1ULL << (i & 63)));
    x = y;
  }
  printf("%016llx\n", (unsigned long long)h);
  return 0;
}
