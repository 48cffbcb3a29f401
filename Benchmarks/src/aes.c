/* Class 2 kernel (issue 20): table-driven AES-128 in counter mode, the way software AES without
   AES instructions is written (four 1 KiB "T" tables, 32-bit words, byte extraction by shifts).
   The S-box and tables are computed at start-up from the field arithmetic, not typed in. Each
   round keeps the state, the key schedule pointer and four table bases live: about 20 registers.
   Prints a checksum of the keystream. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint8_t sbox[256];
static uint32_t T0[256], T1[256], T2[256], T3[256];

static uint8_t xtime(uint8_t x) { return (uint8_t)((x << 1) ^ ((x & 0x80) ? 0x1b : 0)); }

static uint8_t gmul(uint8_t a, uint8_t b) {
    uint8_t p = 0;
    while (b) {
        if (b & 1) p ^= a;
        a = xtime(a);
        b >>= 1;
    }
    return p;
}

static uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void make_tables(void) {
    for (int i = 0; i < 256; i++) {
        /* Multiplicative inverse by brute force (start-up only), then the affine map. */
        uint8_t inv = 0;
        for (int j = 1; j < 256 && i; j++)
            if (gmul((uint8_t)i, (uint8_t)j) == 1) { inv = (uint8_t)j; break; }
        uint8_t s = inv, x = inv;
        for (int k = 0; k < 4; k++) {
            x = (uint8_t)((x << 1) | (x >> 7));
            s ^= x;
        }
        sbox[i] = s ^ 0x63;
    }
    for (int i = 0; i < 256; i++) {
        uint8_t s = sbox[i];
        uint32_t w = ((uint32_t)gmul(s, 2) << 24) | ((uint32_t)s << 16) | ((uint32_t)s << 8) | gmul(s, 3);
        T0[i] = w;
        T1[i] = ror32(w, 8);
        T2[i] = ror32(w, 16);
        T3[i] = ror32(w, 24);
    }
}

static void expand_key(const uint8_t key[16], uint32_t rk[44]) {
    uint8_t rcon = 1;
    for (int i = 0; i < 4; i++)
        rk[i] = ((uint32_t)key[4 * i] << 24) | ((uint32_t)key[4 * i + 1] << 16) | ((uint32_t)key[4 * i + 2] << 8) | key[4 * i + 3];
    for (int i = 4; i < 44; i++) {
        uint32_t t = rk[i - 1];
        if (i % 4 == 0) {
            t = (t << 8) | (t >> 24);
            t = ((uint32_t)sbox[t >> 24] << 24) | ((uint32_t)sbox[(t >> 16) & 0xff] << 16) |
                ((uint32_t)sbox[(t >> 8) & 0xff] << 8) | sbox[t & 0xff];
            t ^= (uint32_t)rcon << 24;
            rcon = xtime(rcon);
        }
        rk[i] = rk[i - 4] ^ t;
    }
}

static void encrypt(const uint32_t rk[44], const uint32_t in[4], uint32_t out[4]) {
    uint32_t s0 = in[0] ^ rk[0], s1 = in[1] ^ rk[1], s2 = in[2] ^ rk[2], s3 = in[3] ^ rk[3];
    for (int r = 1; r < 10; r++) {
        const uint32_t *k = rk + 4 * r;
        uint32_t t0 = T0[s0 >> 24] ^ T1[(s1 >> 16) & 0xff] ^ T2[(s2 >> 8) & 0xff] ^ T3[s3 & 0xff] ^ k[0];
        uint32_t t1 = T0[s1 >> 24] ^ T1[(s2 >> 16) & 0xff] ^ T2[(s3 >> 8) & 0xff] ^ T3[s0 & 0xff] ^ k[1];
        uint32_t t2 = T0[s2 >> 24] ^ T1[(s3 >> 16) & 0xff] ^ T2[(s0 >> 8) & 0xff] ^ T3[s1 & 0xff] ^ k[2];
        uint32_t t3 = T0[s3 >> 24] ^ T1[(s0 >> 16) & 0xff] ^ T2[(s1 >> 8) & 0xff] ^ T3[s2 & 0xff] ^ k[3];
        s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    }
    const uint32_t *k = rk + 40;
    out[0] = (((uint32_t)sbox[s0 >> 24] << 24) | ((uint32_t)sbox[(s1 >> 16) & 0xff] << 16) |
              ((uint32_t)sbox[(s2 >> 8) & 0xff] << 8) | sbox[s3 & 0xff]) ^ k[0];
    out[1] = (((uint32_t)sbox[s1 >> 24] << 24) | ((uint32_t)sbox[(s2 >> 16) & 0xff] << 16) |
              ((uint32_t)sbox[(s3 >> 8) & 0xff] << 8) | sbox[s0 & 0xff]) ^ k[1];
    out[2] = (((uint32_t)sbox[s2 >> 24] << 24) | ((uint32_t)sbox[(s3 >> 16) & 0xff] << 16) |
              ((uint32_t)sbox[(s0 >> 8) & 0xff] << 8) | sbox[s1 & 0xff]) ^ k[2];
    out[3] = (((uint32_t)sbox[s3 >> 24] << 24) | ((uint32_t)sbox[(s0 >> 16) & 0xff] << 16) |
              ((uint32_t)sbox[(s1 >> 8) & 0xff] << 8) | sbox[s2 & 0xff]) ^ k[3];
}

int main(int argc, char **argv) {
    long blocks = argc > 1 ? atol(argv[1]) : 100000;
    make_tables();
    /* FIPS-197 appendix B's key and plaintext: the first block must match its ciphertext. */
    static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
    uint32_t rk[44];
    expand_key(key, rk);
    uint32_t check[4], fips[4] = {0x3243f6a8, 0x885a308d, 0x313198a2, 0xe0370734};
    encrypt(rk, fips, check);
    if (check[0] != 0x3925841d || check[1] != 0x02dc09fb || check[2] != 0xdc118597 || check[3] != 0x196a0b32) {
        printf("FIPS-197 vector mismatch: %08x %08x %08x %08x\n", check[0], check[1], check[2], check[3]);
        return 1;
    }
    uint32_t counter[4] = {0xf0f1f2f3, 0xf4f5f6f7, 0xf8f9fafb, 0xfcfdfeff}, out[4];
    uint32_t sum = 0;
    for (long b = 0; b < blocks; b++) {
        encrypt(rk, counter, out);
        sum = ((sum << 5) | (sum >> 27)) ^ out[0] ^ out[1] ^ out[2] ^ out[3];
        if (++counter[3] == 0) ++counter[2];
    }
    printf("%08x\n", sum);
    return 0;
}
