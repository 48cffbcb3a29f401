/* fib: naive doubly recursive Fibonacci, a call/return-heavy kernel (two calls
 * per invocation, shallow frames), plus the same number computed iteratively as
 * a check. Optional argument: n (default 32). */
#include <stdio.h>
#include <stdlib.h>

static long __attribute__((noinline)) fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 32;
    long recursive = fib(n);
    long a = 0, b = 1;
    for (int i = 0; i < n; i++) {
        long t = a + b;
        a = b;
        b = t;
    }
    printf("fib(%d) = %ld (recursive), %ld (iterative)\n", n, recursive, a);
    return recursive == a ? 0 : 1;
}
