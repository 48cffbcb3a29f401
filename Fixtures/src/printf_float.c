/* printf_float: formatting and parsing of floating point in glibc, which is
 * mostly integer multi-precision code plus a few FP operations. Prints doubles
 * and floats with %f %e %g %a at several precisions, special values (infinity,
 * NaN from 0/0 — RISC-V's canonical NaN is positive, so this prints "nan" where
 * an x86 default NaN would print "-nan"), subnormals and extremes; then checks
 * strtod/strtof round trips of LCG-generated bit patterns. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t lcg_state = 0x853c49e6748fea9bULL;

static uint64_t next_random(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state;
}

static double from_bits(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static uint64_t to_bits(double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

int main(int argc, char **argv) {
    int roundtrips = argc > 1 ? atoi(argv[1]) : 2000;
    /* Computed at run time so the compiler cannot fold them. */
    volatile double zero = 0.0, one = 1.0, three = 3.0;
    const double values[] = {
        0.0, -0.0, 1.0, -1.5, one / three, 2.0 / 3.0, 3.14159265358979323846, 1e-300, 1e300,
        123456789.125, 0.1, 1e21, 1e22, 5e-324, DBL_MIN, DBL_MAX, DBL_EPSILON, 0.5e-320,
        one / zero, -one / zero, zero / zero, 1234.5678e-10, 9.999999999999999e22, 2.5, 3.5, -2.5,
    };
    const int count = sizeof values / sizeof values[0];
    for (int i = 0; i < count; i++) {
        double v = values[i];
        printf("[%2d] %%f=%f %%.3f=%.3f %%e=%e %%.12e=%.12e\n", i, v, v, v, v);
        printf("     %%g=%g %%.17g=%.17g %%a=%a %%10.2f=[%10.2f] %%-+12.4g=[%-+12.4g]\n", v, v, v, v, v);
    }

    const float floats[] = {1.0f, 0.1f, -3.4028235e38f, 1.1754944e-38f, 1e-45f, 16777217.0f, (float)(one / three)};
    for (unsigned i = 0; i < sizeof floats / sizeof floats[0]; i++)
        printf("float[%u] %%.9g=%.9g %%a=%a %%e=%e\n", i, floats[i], floats[i], floats[i]);

    /* Rounding of printf itself: ties go to even in glibc's exact conversion. */
    printf("ties: %.0f %.0f %.0f %.1f %.2f\n", 0.5, 1.5, 2.5, 0.25, 1.005);
    printf("integers as doubles: %.0f %.0f\n", 9007199254740993.0, 18446744073709551616.0);

    /* Parsing: a few fixed strings, including hex floats and special words. */
    const char *inputs[] = {"3.14159", "-0", "1e-400", "1e400", "0x1.8p1", "inf", "-nan", "  42xyz", "2.2250738585072011e-308"};
    for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *end;
        double d = strtod(inputs[i], &end);
        printf("strtod(\"%s\") = %.17g (bits %016llx, %d chars used)\n", inputs[i], d,
               (unsigned long long)to_bits(d), (int)(end - inputs[i]));
    }

    /* Round trips: %.17g then strtod must give back the same bits, and %a too. */
    int bad = 0;
    uint64_t text_hash = 0xcbf29ce484222325ULL;
    for (int i = 0; i < roundtrips; i++) {
        double d = from_bits(next_random());
        if (isnan(d))
            continue;
        char text[64];
        snprintf(text, sizeof text, "%.17g", d);
        for (const char *c = text; *c; c++)
            text_hash = (text_hash ^ (unsigned char)*c) * 0x100000001b3ULL;
        if (to_bits(strtod(text, NULL)) != to_bits(d))
            bad++;
        snprintf(text, sizeof text, "%a", d);
        if (to_bits(strtod(text, NULL)) != to_bits(d))
            bad++;
        float f = (float)d;
        snprintf(text, sizeof text, "%.9g", f);
        if (!isnan(f) && strtof(text, NULL) != f)
            bad++;
    }
    printf("round trips: %d values, %d mismatches, text hash %016llx\n", roundtrips, bad,
           (unsigned long long)text_hash);
    return bad == 0 ? 0 : 1;
}
