/* strings: the C string and memory functions, which glibc implements with
 * word-at-a-time routines (aligned 8-byte loads, bit tricks to find a zero
 * byte, alignment fix-ups at both ends). Each is checked against a plain byte
 * loop written here, over many lengths and source/destination alignments so the
 * head, body and tail paths all run; then memmove with overlaps both ways,
 * strstr, strtok and snprintf. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Truncating strncat/strncpy/snprintf calls below are deliberate. */
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#pragma GCC diagnostic ignored "-Wformat-truncation"

static int failures;
static uint64_t hash = 0xcbf29ce484222325ULL;

static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x100000001b3ULL;
}

static void expect(int ok, const char *what, int a, int b) {
    if (!ok && failures++ < 10)
        printf("FAILED: %s (len %d, offset %d)\n", what, a, b);
}

static size_t plain_strlen(const char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int sign(int x) {
    return (x > 0) - (x < 0);
}

static int plain_strcmp(const char *a, const char *b) {
    while (*a && *a == *b)
        a++, b++;
    return sign((unsigned char)*a - (unsigned char)*b);
}

int main(void) {
    static char big[512], other[512], dst[600];
    /* Lengths 0..130 at offsets 0..15: strlen, strchr, strrchr, memchr, strcmp, memcmp, memcpy, memset. */
    for (int off = 0; off < 16; off++) {
        for (int len = 0; len <= 130; len++) {
            char *s = big + off;
            for (int i = 0; i < len; i++)
                s[i] = 'A' + (i * 7 + off) % 26;
            s[len] = 0;
            s[len + 1] = 'Z'; /* junk after the terminator must not be read as part of it */
            expect(strlen(s) == plain_strlen(s), "strlen", len, off);
            mix(strlen(s));
            char *c = strchr(s, 'Q');
            char *r = strrchr(s, 'Q');
            char *m = memchr(s, 'Q', len);
            mix(c ? (uint64_t)(c - s) : 999);
            mix(r ? (uint64_t)(r - s) : 999);
            expect(c == m, "memchr agrees with strchr", len, off);
            expect(strchr(s, 0) == s + len, "strchr of NUL", len, off);

            char *t = other + (off * 5) % 16;
            memcpy(t, s, len + 1);
            expect(memcmp(t, s, len + 1) == 0 && strcmp(t, s) == 0, "memcpy then compare equal", len, off);
            if (len > 0) {
                int at = (len * 3) / 4;
                t[at]++;
                expect(sign(strcmp(s, t)) == plain_strcmp(s, t), "strcmp less", len, off);
                expect(sign(memcmp(s, t, len)) == -1, "memcmp less", len, off);
                expect(sign(strncmp(s, t, at)) == 0, "strncmp equal prefix", len, off);
                t[at] -= 2;
                expect(sign(strcmp(s, t)) == plain_strcmp(s, t), "strcmp greater", len, off);
                mix((uint64_t)(sign(strcmp(s, t)) + 2));
            }

            char *d = dst + (off * 3) % 16;
            memset(d, 0x5a, len + 8);
            memset(d + 1, 0, len);
            int ok = d[0] == 0x5a && d[len + 1] == 0x5a;
            for (int i = 1; i <= len; i++)
                ok &= d[i] == 0;
            expect(ok, "memset bounds", len, off);
        }
    }
    printf("alignment sweep: %d failures, hash %016llx\n", failures, (unsigned long long)hash);

    /* memmove with overlap, forwards and backwards, several sizes and distances. */
    char ref[300];
    int move_failures = 0;
    for (int size = 1; size <= 200; size += 13) {
        for (int dist = -17; dist <= 17; dist += 3) {
            for (int i = 0; i < 300; i++)
                big[i] = ref[i] = (char)(i * 11);
            int from = 50, to = 50 + dist;
            memmove(big + to, big + from, size);
            char tmp[300];
            for (int i = 0; i < size; i++)
                tmp[i] = ref[from + i];
            for (int i = 0; i < size; i++)
                ref[to + i] = tmp[i];
            if (memcmp(big, ref, 300) != 0)
                move_failures++;
        }
    }
    printf("memmove overlaps: %d failures\n", move_failures);
    failures += move_failures;

    /* strstr, strspn, strpbrk */
    const char *hay = "the rain in spain stays mainly in the plain";
    const char *needles[] = {"ain", "plain", "spain s", "xyz", "", "the", "mainly in the plain!"};
    for (unsigned i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        const char *p = strstr(hay, needles[i]);
        printf("strstr(\"%s\") = %d\n", needles[i], p ? (int)(p - hay) : -1);
    }
    printf("strspn = %zu, strcspn = %zu, strpbrk = %s\n", strspn(hay, "eht "), strcspn(hay, "xyzs"),
           strpbrk(hay, "yz"));

    /* strtok over a copy */
    char line[] = "  alpha,beta;;gamma , delta;";
    printf("tokens:");
    for (char *tok = strtok(line, " ,;"); tok; tok = strtok(NULL, " ,;"))
        printf(" [%s]", tok);
    printf("\n");

    /* strncpy padding, strcat, strdup, strndup */
    char padded[12];
    memset(padded, 'x', sizeof padded);
    strncpy(padded, "abc", 8);
    printf("strncpy pads: %d %d %c\n", padded[3], padded[7], padded[8]);
    char joined[64] = "join";
    strcat(joined, "-ed");
    strncat(joined, " strings here", 8);
    char *dup = strdup(joined);
    char *ndup = strndup(joined, 6);
    printf("strcat: \"%s\" strdup: \"%s\" strndup: \"%s\"\n", joined, dup, ndup);
    free(dup);
    free(ndup);

    /* snprintf: truncation, return value, widths, integer formats */
    char small[10];
    int want = snprintf(small, sizeof small, "%s-%d", "truncated", 12345);
    printf("snprintf returned %d, kept \"%s\"\n", want, small);
    char wide[128];
    snprintf(wide, sizeof wide, "[%5d|%-5d|%05d|%x|%X|%o|%lld|%llu|%c|%%|%.3s|%*d]", 42, 42, 42, 0xbeef, 0xbeef, 8,
             (long long)INT64_MIN, (unsigned long long)UINT64_MAX, 'q', "abcdef", 6, -7);
    printf("snprintf: %s\n", wide);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
