/* matmul: integer matrix multiplication C = A * B (64-bit accumulate, the
 * i-k-j loop order), repeated with A updated from C, then a checksum of C.
 * Multiplies, loads and stores in a regular nest. Optional argument: the
 * dimension N (default 256). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 256;
    if (n < 1)
        n = 1;
    int64_t *a = malloc(sizeof(int64_t) * n * n);
    int64_t *b = malloc(sizeof(int64_t) * n * n);
    int64_t *c = malloc(sizeof(int64_t) * n * n);
    uint32_t x = 7;
    for (int i = 0; i < n * n; i++) {
        x = x * 1664525u + 1013904223u;
        a[i] = (int64_t)(x >> 20) - 2048;
        x = x * 1664525u + 1013904223u;
        b[i] = (int64_t)(x >> 20) - 2048;
    }
    for (int rep = 0; rep < 2; rep++) {
        for (int i = 0; i < n * n; i++)
            c[i] = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                int64_t aik = a[i * n + k];
                for (int j = 0; j < n; j++)
                    c[i * n + j] += aik * b[k * n + j];
            }
        for (int i = 0; i < n * n; i++)
            a[i] = c[i] % 4099; /* keep magnitudes bounded for the next round */
    }
    uint64_t sum = 0;
    int64_t trace = 0;
    for (int i = 0; i < n * n; i++)
        sum = sum * 1000003u + (uint64_t)c[i];
    for (int i = 0; i < n; i++)
        trace += c[i * n + i];
    printf("n = %d\n", n);
    printf("c[0][0] = %lld, c[n-1][n-1] = %lld, trace = %lld\n", (long long)c[0], (long long)c[n * n - 1],
           (long long)trace);
    printf("checksum = %016llx\n", (unsigned long long)sum);
    free(a);
    free(b);
    free(c);
    return 0;
}
