/* Class 1 kernel (issue 20): FP work built on libm. A damped Newton solver for
   x^3 + a x - b = 0 started from cbrt(b), whose coefficients come from pow, sin, cos, exp and
   log, as physics and statistics codes compute theirs. Prints a checksum of the roots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double solve(double a, double b) {
    double x = cbrt(b);
    for (int k = 0; k < 6; k++) {
        double f = x * x * x + a * x - b;
        double d = 3 * x * x + a;
        x -= f / d;
    }
    return x;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    double sum = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 1; i <= 10000; i++) {
            double t = i * 1e-3 + r * 1e-5;
            double a = 1.0 + pow(t, 1.5) * 0.25 + sin(t) * cos(t * 0.5);
            double b = exp(-t * 0.01) * 10.0 + log(1.0 + t);
            double x = solve(a, b);
            sum += x * atan2(b, a) + hypot(x, t) * 1e-3;
        }
    }
    /* A few digits fewer than a double holds: libm may differ in the last bit between hosts. */
    printf("%.6e\n", sum);
    return 0;
}
