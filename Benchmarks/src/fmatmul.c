/* fmatmul: double-precision matrix multiplication C = A * B in the i-k-j
 * order, repeated with A replaced by a scaled C, then checksums. fld/fmul/fadd
 * (fmadd where the compiler contracts) and fsd in a regular nest. Values stay
 * small integers divided by powers of two, so every product and sum is exact
 * and the result does not depend on whether multiply-adds are fused.
 * Argument: the dimension N (default 200). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 1)
        n = 1;
    double *a = malloc(sizeof(double) * n * n);
    double *b = malloc(sizeof(double) * n * n);
    double *c = malloc(sizeof(double) * n * n);
    uint32_t x = 99;
    for (int i = 0; i < n * n; i++) {
        x = x * 1664525u + 1013904223u;
        a[i] = (double)((int)(x >> 24) - 128) / 64.0;
        x = x * 1664525u + 1013904223u;
        b[i] = (double)((int)(x >> 24) - 128) / 64.0;
    }
    for (int rep = 0; rep < 3; rep++) {
        for (int i = 0; i < n * n; i++)
            c[i] = 0.0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++)
                    c[i * n + j] += aik * b[k * n + j];
            }
        /* Keep A's entries small integers / 64 so the next round stays exact too. */
        for (int i = 0; i < n * n; i++) {
            int64_t v = (int64_t)c[i];
            a[i] = (double)(v % 256) / 64.0;
        }
    }
    double trace = 0, sum = 0;
    for (int i = 0; i < n; i++)
        trace += c[i * n + i];
    for (int i = 0; i < n * n; i++)
        sum += c[i];
    printf("n = %d: trace %.6f, sum %.6f, c[0] %.6f, c[last] %.6f\n", n, trace, sum, c[0], c[n * n - 1]);
    return 0;
}
