/* qsort: libc qsort (glibc's merge sort with an indirect comparator call per
 * comparison) on integers and on strings, both from a fixed LCG. Checks the
 * order, prints a few elements and an order-sensitive checksum. Optional
 * argument: number of integers (strings are a quarter of that). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t lcg_state = 12345;

static uint32_t next_random(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 32);
}

static int compare_ints(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    if (n < 8)
        n = 8;
    int *ints = malloc(n * sizeof *ints);
    for (int i = 0; i < n; i++)
        ints[i] = (int)next_random() - (1 << 30) * (int)(i % 3);
    qsort(ints, n, sizeof *ints, compare_ints);
    int sorted = 1;
    uint64_t sum = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && ints[i - 1] > ints[i])
            sorted = 0;
        sum = sum * 31 + (uint32_t)ints[i];
    }
    printf("ints: n=%d sorted=%s min=%d max=%d median=%d checksum=%016llx\n", n, sorted ? "yes" : "no",
           ints[0], ints[n - 1], ints[n / 2], (unsigned long long)sum);

    int m = n / 4;
    char **strings = malloc(m * sizeof *strings);
    for (int i = 0; i < m; i++) {
        int len = 1 + next_random() % 12;
        strings[i] = malloc(len + 1);
        for (int j = 0; j < len; j++)
            strings[i][j] = 'a' + next_random() % 6; /* small alphabet: many shared prefixes */
        strings[i][len] = 0;
    }
    qsort(strings, m, sizeof *strings, compare_strings);
    sorted = 1;
    sum = 0;
    for (int i = 0; i < m; i++) {
        if (i > 0 && strcmp(strings[i - 1], strings[i]) > 0)
            sorted = 0;
        for (const char *c = strings[i]; *c; c++)
            sum = sum * 131 + (unsigned char)*c;
    }
    printf("strings: n=%d sorted=%s first=%s last=%s middle=%s checksum=%016llx\n", m, sorted ? "yes" : "no",
           strings[0], strings[m - 1], strings[m / 2], (unsigned long long)sum);
    for (int i = 0; i < m; i++)
        free(strings[i]);
    free(strings);
    free(ints);
    return sorted ? 0 : 1;
}
