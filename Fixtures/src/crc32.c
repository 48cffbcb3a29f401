/* crc32: the IEEE 802.3 CRC-32 (reflected, polynomial 0xEDB88320), both
 * bit-at-a-time (branchy shifts) and with a 256-entry table (byte loads and
 * table lookups), over a generated buffer. The two must agree, and the CRC of
 * "123456789" must be the standard check value 0xCBF43926.
 * Optional argument: passes over the 64 KiB buffer (default 250). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static uint32_t crc_table(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv) {
    int passes = argc > 1 ? atoi(argv[1]) : 250;
    make_table();
    const char *check = "123456789";
    uint32_t c1 = crc_bitwise(0, (const uint8_t *)check, strlen(check));
    uint32_t c2 = crc_table(0, (const uint8_t *)check, strlen(check));
    printf("crc32(\"123456789\") = %08x (bitwise), %08x (table)\n", c1, c2);

    enum { SIZE = 65536 };
    static uint8_t buffer[SIZE];
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < SIZE; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buffer[i] = (uint8_t)x;
    }
    uint32_t running = 0;
    for (int pass = 0; pass < passes; pass++) {
        running = crc_table(running, buffer, SIZE);
        buffer[pass * 977 % SIZE] ^= (uint8_t)running; /* each pass sees different data */
    }
    uint32_t slow = crc_bitwise(0, buffer, SIZE);
    uint32_t fast = crc_table(0, buffer, SIZE);
    printf("passes: %d over %d bytes, running crc = %08x\n", passes, SIZE, running);
    printf("final buffer crc = %08x (bitwise), %08x (table)\n", slow, fast);
    int ok = c1 == 0xcbf43926u && c2 == c1 && slow == fast;
    printf("self-check: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
