/* dynamic_hello: a dynamically linked (PIE) program; the build script adds -lm.
 * fixture-build: -fPIE -pie
 * The runtime must load ld-linux-riscv64-lp64d.so.1 as the interpreter, which
 * then maps libc.so.6 and libm.so.6 and resolves printf and cos through the PLT. */
#include <math.h>
#include <stdio.h>

int main(int argc, char **argv) {
    (void)argv;
    /* argc keeps the argument opaque to the compiler so cos really is called. */
    double x = 0.5 * argc;
    printf("Hello from a dynamically linked program!\n");
    printf("cos(%.2f) = %.9f\n", x, cos(x));
    printf("sqrt(2) = %.9f, exp(1) = %.9f\n", sqrt(2.0 * argc), exp((double)argc));
    return 0;
}
