/* Scalar-crypto fixture (-march=rv64gc_zkne_zknd_zknh_zksh_zksed): AES-128 (FIPS-197 C.1),
   SHA-256 and SHA-512 of "abc" (FIPS 180-4 examples), SM4-shaped rounds (the instructions follow the specification, whose linear maps are not the standard L and L') built from
   the aes64, sha256, sha512 and sm4 instructions, plus sweeps of every S-box input and of the sigma,
   SM3 and key-schedule instructions, hashed. Every line must match QEMU 7.2's output. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define R2(name) static inline uint64_t name(uint64_t a, uint64_t b){uint64_t r; __asm__(#name " %0,%1,%2":"=r"(r):"r"(a),"r"(b)); return r;}
#define R1(name) static inline uint64_t name(uint64_t a){uint64_t r; __asm__(#name " %0,%1":"=r"(r):"r"(a)); return r;}
R2(aes64es) R2(aes64esm) R2(aes64ds) R2(aes64dsm) R2(aes64ks2) R1(aes64im)
R1(sha256sig0) R1(sha256sig1) R1(sha256sum0) R1(sha256sum1)
R1(sha512sig0) R1(sha512sig1) R1(sha512sum0) R1(sha512sum1) R1(sm3p0) R1(sm3p1)
#define KS1(n) static inline uint64_t ks1_##n(uint64_t a){uint64_t r; __asm__("aes64ks1i %0,%1," #n:"=r"(r):"r"(a)); return r;}
KS1(0) KS1(1) KS1(2) KS1(3) KS1(4) KS1(5) KS1(6) KS1(7) KS1(8) KS1(9) KS1(10)
static uint64_t (*const ks1[11])(uint64_t) = {ks1_0, ks1_1, ks1_2, ks1_3, ks1_4, ks1_5, ks1_6, ks1_7, ks1_8, ks1_9, ks1_10};
#define SM4(name, bs) static inline uint64_t name##bs(uint64_t a, uint64_t b){uint64_t r; __asm__(#name " %0,%1,%2," #bs:"=r"(r):"r"(a),"r"(b)); return r;}
SM4(sm4ed, 0) SM4(sm4ed, 1) SM4(sm4ed, 2) SM4(sm4ed, 3) SM4(sm4ks, 0) SM4(sm4ks, 1) SM4(sm4ks, 2) SM4(sm4ks, 3)

static uint64_t hash;
static void mix(uint64_t v) { hash = (hash ^ v) * 0x100000001b3ULL; hash ^= hash >> 29; }

static uint64_t load64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void store64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void hex(const char *name, const uint8_t *p, int n) {
  printf("%s ", name);
  for (int i = 0; i < n; i++) printf("%02x", p[i]);
  printf("\n");
}

/* AES-128: the key schedule with aes64ks1i/aes64ks2, ten rounds with aes64esm/aes64es, the
   inverse with aes64im on the round keys and aes64dsm/aes64ds. */
static void aes128(const uint8_t key[16], const uint8_t in[16], uint8_t out[16], uint8_t back[16]) {
  uint64_t rk[22];
  rk[0] = load64(key); rk[1] = load64(key + 8);
  for (int r = 0; r < 10; r++) {
    uint64_t t = ks1[r](rk[2 * r + 1]);
    rk[2 * r + 2] = aes64ks2(t, rk[2 * r]);
    rk[2 * r + 3] = aes64ks2(rk[2 * r + 2], rk[2 * r + 1]);
  }
  uint64_t s0 = load64(in) ^ rk[0], s1 = load64(in + 8) ^ rk[1];
  for (int r = 1; r < 10; r++) {
    uint64_t n0 = aes64esm(s0, s1), n1 = aes64esm(s1, s0);
    s0 = n0 ^ rk[2 * r]; s1 = n1 ^ rk[2 * r + 1];
  }
  uint64_t n0 = aes64es(s0, s1), n1 = aes64es(s1, s0);
  s0 = n0 ^ rk[20]; s1 = n1 ^ rk[21];
  store64(out, s0); store64(out + 8, s1);
  s0 ^= rk[20]; s1 ^= rk[21];
  for (int r = 9; r >= 1; r--) {
    uint64_t m0 = aes64dsm(s0, s1), m1 = aes64dsm(s1, s0);
    s0 = m0 ^ aes64im(rk[2 * r]); s1 = m1 ^ aes64im(rk[2 * r + 1]);
  }
  uint64_t m0 = aes64ds(s0, s1), m1 = aes64ds(s1, s0);
  store64(back, m0 ^ rk[0]); store64(back + 8, m1 ^ rk[1]);
}

static const uint32_t K256[64] = {
  0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
  0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
  0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
  0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
  0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
  0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
  0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
  0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2};

static void sha256_abc(uint8_t digest[32]) {
  uint32_t h[8] = {0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19};
  uint32_t w[64] = {0x61626380};
  w[15] = 24;
  for (int t = 16; t < 64; t++) w[t] = (uint32_t)sha256sig1(w[t - 2]) + w[t - 7] + (uint32_t)sha256sig0(w[t - 15]) + w[t - 16];
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t t1 = k + (uint32_t)sha256sum1(e) + ((e & f) ^ (~e & g)) + K256[t] + w[t];
    uint32_t t2 = (uint32_t)sha256sum0(a) + ((a & b) ^ (a & c) ^ (b & c));
    k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  uint32_t v[8] = {a, b, c, d, e, f, g, k};
  for (int i = 0; i < 8; i++) {
    uint32_t x = h[i] + v[i];
    for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(x >> (24 - 8 * j));
  }
}

static const uint64_t K512[80] = {
  0x428a2f98d728ae22ULL,0x7137449123ef65cdULL,0xb5c0fbcfec4d3b2fULL,0xe9b5dba58189dbbcULL,0x3956c25bf348b538ULL,
  0x59f111f1b605d019ULL,0x923f82a4af194f9bULL,0xab1c5ed5da6d8118ULL,0xd807aa98a3030242ULL,0x12835b0145706fbeULL,
  0x243185be4ee4b28cULL,0x550c7dc3d5ffb4e2ULL,0x72be5d74f27b896fULL,0x80deb1fe3b1696b1ULL,0x9bdc06a725c71235ULL,
  0xc19bf174cf692694ULL,0xe49b69c19ef14ad2ULL,0xefbe4786384f25e3ULL,0x0fc19dc68b8cd5b5ULL,0x240ca1cc77ac9c65ULL,
  0x2de92c6f592b0275ULL,0x4a7484aa6ea6e483ULL,0x5cb0a9dcbd41fbd4ULL,0x76f988da831153b5ULL,0x983e5152ee66dfabULL,
  0xa831c66d2db43210ULL,0xb00327c898fb213fULL,0xbf597fc7beef0ee4ULL,0xc6e00bf33da88fc2ULL,0xd5a79147930aa725ULL,
  0x06ca6351e003826fULL,0x142929670a0e6e70ULL,0x27b70a8546d22ffcULL,0x2e1b21385c26c926ULL,0x4d2c6dfc5ac42aedULL,
  0x53380d139d95b3dfULL,0x650a73548baf63deULL,0x766a0abb3c77b2a8ULL,0x81c2c92e47edaee6ULL,0x92722c851482353bULL,
  0xa2bfe8a14cf10364ULL,0xa81a664bbc423001ULL,0xc24b8b70d0f89791ULL,0xc76c51a30654be30ULL,0xd192e819d6ef5218ULL,
  0xd69906245565a910ULL,0xf40e35855771202aULL,0x106aa07032bbd1b8ULL,0x19a4c116b8d2d0c8ULL,0x1e376c085141ab53ULL,
  0x2748774cdf8eeb99ULL,0x34b0bcb5e19b48a8ULL,0x391c0cb3c5c95a63ULL,0x4ed8aa4ae3418acbULL,0x5b9cca4f7763e373ULL,
  0x682e6ff3d6b2b8a3ULL,0x748f82ee5defb2fcULL,0x78a5636f43172f60ULL,0x84c87814a1f0ab72ULL,0x8cc702081a6439ecULL,
  0x90befffa23631e28ULL,0xa4506cebde82bde9ULL,0xbef9a3f7b2c67915ULL,0xc67178f2e372532bULL,0xca273eceea26619cULL,
  0xd186b8c721c0c207ULL,0xeada7dd6cde0eb1eULL,0xf57d4f7fee6ed178ULL,0x06f067aa72176fbaULL,0x0a637dc5a2c898a6ULL,
  0x113f9804bef90daeULL,0x1b710b35131c471bULL,0x28db77f523047d84ULL,0x32caab7b40c72493ULL,0x3c9ebe0a15c9bebcULL,
  0x431d67c49c100d4cULL,0x4cc5d4becb3e42b6ULL,0x597f299cfc657e2aULL,0x5fcb6fab3ad6faecULL,0x6c44198c4a475817ULL};

static void sha512_abc(uint8_t digest[64]) {
  uint64_t h[8] = {0x6a09e667f3bcc908ULL,0xbb67ae8584caa73bULL,0x3c6ef372fe94f82bULL,0xa54ff53a5f1d36f1ULL,
                   0x510e527fade682d1ULL,0x9b05688c2b3e6c1fULL,0x1f83d9abfb41bd6bULL,0x5be0cd19137e2179ULL};
  uint64_t w[80] = {0x6162638000000000ULL};
  w[15] = 24;
  for (int t = 16; t < 80; t++) w[t] = sha512sig1(w[t - 2]) + w[t - 7] + sha512sig0(w[t - 15]) + w[t - 16];
  uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int t = 0; t < 80; t++) {
    uint64_t t1 = k + sha512sum1(e) + ((e & f) ^ (~e & g)) + K512[t] + w[t];
    uint64_t t2 = sha512sum0(a) + ((a & b) ^ (a & c) ^ (b & c));
    k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  uint64_t v[8] = {a, b, c, d, e, f, g, k};
  for (int i = 0; i < 8; i++) {
    uint64_t x = h[i] + v[i];
    for (int j = 0; j < 8; j++) digest[8 * i + j] = (uint8_t)(x >> (56 - 8 * j));
  }
}

/* SM4's round function T(x) = L(τ(x)) through sm4ed on each byte; T' through sm4ks. */
static uint32_t sm4_t(uint32_t acc, uint32_t x) {
  uint64_t r = acc;
  r = sm4ed0(r, x); r = sm4ed1(r, x); r = sm4ed2(r, x); r = sm4ed3(r, x);
  return (uint32_t)r;
}
static uint32_t sm4_tk(uint32_t acc, uint32_t x) {
  uint64_t r = acc;
  r = sm4ks0(r, x); r = sm4ks1(r, x); r = sm4ks2(r, x); r = sm4ks3(r, x);
  return (uint32_t)r;
}
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void sm4(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  static const uint32_t FK[4] = {0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc};
  uint32_t k[36], rk[32], x[36];
  for (int i = 0; i < 4; i++) k[i] = be32(key + 4 * i) ^ FK[i];
  for (int i = 0; i < 32; i++) {
    uint32_t ck = 0;
    for (int j = 0; j < 4; j++) ck = ck << 8 | (uint32_t)(((4 * i + j) * 7) & 0xff);
    k[i + 4] = sm4_tk(k[i], k[i + 1] ^ k[i + 2] ^ k[i + 3] ^ ck);
    rk[i] = k[i + 4];
  }
  for (int i = 0; i < 4; i++) x[i] = be32(in + 4 * i);
  for (int i = 0; i < 32; i++) x[i + 4] = sm4_t(x[i], x[i + 1] ^ x[i + 2] ^ x[i + 3] ^ rk[i]);
  for (int i = 0; i < 4; i++) {
    uint32_t v = x[35 - i];
    for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(v >> (24 - 8 * j));
  }
}

int main(void) {
  static const uint8_t key[16] = {0x00,0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f};
  static const uint8_t plain[16] = {0x00,0x11,0x22,0x33,0x44,0x55,0x66,0x77,0x88,0x99,0xaa,0xbb,0xcc,0xdd,0xee,0xff};
  uint8_t out[16], back[16], d256[32], d512[64];
  aes128(key, plain, out, back);
  hex("aes128", out, 16);
  hex("aes128-inverse", back, 16);
  sha256_abc(d256);
  hex("sha256", d256, 32);
  sha512_abc(d512);
  hex("sha512", d512, 64);
  static const uint8_t smkey[16] = {0x01,0x23,0x45,0x67,0x89,0xab,0xcd,0xef,0xfe,0xdc,0xba,0x98,0x76,0x54,0x32,0x10};
  sm4(smkey, smkey, out);
  hex("sm4-rounds", out, 16);

  /* Sweeps: every byte through each S-box instruction in each byte position, then the
     one-operand functions and the key-schedule steps on a stream of values. */
  hash = 0xcbf29ce484222325ULL;
  for (uint64_t b = 0; b < 256; b++) {
    uint64_t hi = b << 56 | b << 16, lo = b << 8 | b << 40;
    mix(aes64es(lo, hi)); mix(aes64esm(lo, hi)); mix(aes64ds(lo, hi)); mix(aes64dsm(lo, hi));
    mix(sm4ed0(0, b)); mix(sm4ed1(b, b << 8)); mix(sm4ed2(~b, b << 16)); mix(sm4ed3(b << 32, b << 24));
    mix(sm4ks0(0, b)); mix(sm4ks1(b, b << 8)); mix(sm4ks2(~b, b << 16)); mix(sm4ks3(b << 32, b << 24));
  }
  printf("sbox-sweep %016llx\n", (unsigned long long)hash);
  hash = 0x84222325cbf29ce4ULL;
  uint64_t x = 0x0123456789abcdefULL;
  for (int i = 0; i < 3000; i++) {
    uint64_t y = x * 0x9e3779b97f4a7c15ULL + (uint64_t)i;
    mix(sha256sig0(y)); mix(sha256sig1(y)); mix(sha256sum0(y)); mix(sha256sum1(y));
    mix(sha512sig0(y)); mix(sha512sig1(y)); mix(sha512sum0(y)); mix(sha512sum1(y));
    mix(sm3p0(y)); mix(sm3p1(y)); mix(aes64im(y)); mix(ks1[i % 11](y)); mix(aes64ks2(x, y));
    mix(aes64esm(x, y) ^ aes64dsm(y, x));
    x = y;
  }
  printf("sweep %016llx\n", (unsigned long long)hash);
  return 0;
}
