/* Class 1 kernel: a set-up loop that converts 32-bit integers to double (fcvt.d.w, exact) and
   sums them with a little arithmetic, as solvers do when filling their tables. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    double sum = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < 100000; i++) {
            int k = (i * 7 + r) % 1013 - 500;
            unsigned u = (unsigned)i * 2654435761u;
            sum += (double)k * 0.5 + (double)u * 1e-9;
        }
    }
    printf("%.6f\n", sum);
    return 0;
}
