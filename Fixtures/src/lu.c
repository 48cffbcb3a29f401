/* lu: LU decomposition with partial pivoting (Doolittle, in place) of a
 * generated dense matrix, then a solve of A x = b by forward and back
 * substitution. Row swaps, fabs comparisons, divides and multiply-subtract
 * inner loops. Prints checksums with %.6f and the residual's order of magnitude.
 * Optional argument: the dimension N (default 300). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 300;
    if (n < 2)
        n = 2;
    double *a = malloc(sizeof(double) * n * n), *orig = malloc(sizeof(double) * n * n);
    double *b = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n);
    int *perm = malloc(sizeof(int) * n);
    uint64_t s = 2463534242ULL;
    for (int i = 0; i < n * n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        orig[i] = a[i] = (double)(int64_t)(s >> 40) / (double)(1 << 23) - 1.0; /* in [-1, 1) */
    }
    for (int i = 0; i < n; i++)
        b[i] = 1.0 + i % 7;

    int swaps = 0;
    for (int k = 0; k < n; k++) {
        int pivot = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > fabs(a[pivot * n + k]))
                pivot = i;
        perm[k] = pivot;
        if (pivot != k) {
            swaps++;
            for (int j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[pivot * n + j];
                a[pivot * n + j] = t;
            }
        }
        double d = a[k * n + k];
        for (int i = k + 1; i < n; i++) {
            double f = a[i * n + k] /= d;
            for (int j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
        }
    }

    /* Solve: apply the row swaps to b, then L y = b, then U x = y. */
    for (int k = 0; k < n; k++) {
        double t = b[k];
        b[k] = b[perm[k]];
        b[perm[k]] = t;
    }
    for (int i = 0; i < n; i++) {
        double sum = b[i];
        for (int j = 0; j < i; j++)
            sum -= a[i * n + j] * x[j];
        x[i] = sum;
    }
    for (int i = n - 1; i >= 0; i--) {
        double sum = x[i];
        for (int j = i + 1; j < n; j++)
            sum -= a[i * n + j] * x[j];
        x[i] = sum / a[i * n + i];
    }

    double log_det = 0, diag_sum = 0, x_sum = 0, residual = 0;
    for (int i = 0; i < n; i++) {
        log_det += log(fabs(a[i * n + i]));
        diag_sum += a[i * n + i];
        x_sum += x[i];
    }
    for (int i = 0; i < n; i++) {
        double r = -(1.0 + i % 7);
        for (int j = 0; j < n; j++)
            r += orig[i * n + j] * x[j];
        residual = fmax(residual, fabs(r));
    }
    printf("n = %d, row swaps = %d\n", n, swaps);
    printf("sum of U's diagonal = %.6f, log|det A| = %.6f\n", diag_sum, log_det);
    printf("sum of x = %.6f, x[0] = %.6f, x[n-1] = %.6f\n", x_sum, x[0], x[n - 1]);
    printf("max residual below 1e-9: %s\n", residual < 1e-9 ? "yes" : "no");
    free(a), free(orig), free(b), free(x), free(perm);
    return residual < 1e-9 ? 0 : 1;
}
