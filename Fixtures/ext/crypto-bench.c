/* Scalar-crypto timing loop (not a test): AES-128 encryption of N counter blocks with
   aes64esm/aes64es and N SHA-512 message-schedule expansions with sha512sig0/1; prints a
   checksum. -march=rv64gc_zkne_zknd_zknh. Usage: crypto-bench [N] */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#define R2(name) static inline uint64_t name(uint64_t a, uint64_t b){uint64_t r; __asm__(#name " %0,%1,%2":"=r"(r):"r"(a),"r"(b)); return r;}
#define R1(name) static inline uint64_t name(uint64_t a){uint64_t r; __asm__(#name " %0,%1":"=r"(r):"r"(a)); return r;}
R2(aes64es) R2(aes64esm) R1(sha512sig0) R1(sha512sig1)
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  uint64_t rk[22], sum = 0;
  for (int i = 0; i < 22; i++) rk[i] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
  for (long c = 0; c < n; c++) {
    uint64_t s0 = (uint64_t)c ^ rk[0], s1 = rk[1];
    for (int r = 1; r < 10; r++) {
      uint64_t a = aes64esm(s0, s1), b = aes64esm(s1, s0);
      s0 = a ^ rk[2 * r]; s1 = b ^ rk[2 * r + 1];
    }
    uint64_t a = aes64es(s0, s1), b = aes64es(s1, s0);
    sum += (a ^ rk[20]) + (b ^ rk[21]);
    uint64_t w[80];
    for (int t = 0; t < 16; t++) w[t] = sum + (uint64_t)t;
    for (int t = 16; t < 80; t++) w[t] = sha512sig1(w[t - 2]) + w[t - 7] + sha512sig0(w[t - 15]) + w[t - 16];
    sum ^= w[79];
  }
  printf("%016llx\n", (unsigned long long)sum);
  return 0;
}
