/* A program to debug under gdb (Tests/TrapezeTests/GDB*): a function with locals and a loop,
 * a global that a watchpoint watches, and modes that spin forever (for Ctrl-C) or fault (for a
 * signal stop). Built without optimisation so that every local stays visible.
 * fixture-build: -O0 -g -static -fno-pie -no-pie */
#include <stdio.h>
#include <string.h>

volatile long total;

static long add_up(int count) {
    long sum = 0;
    for (int i = 1; i <= count; i++) {
        sum += i;
        total = sum;
    }
    return sum;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "sum";
    if (strcmp(mode, "spin") == 0) {
        for (;;) total++;
    }
    if (strcmp(mode, "segv") == 0) *(volatile int *)16 = 1;
    long result = add_up(10);
    printf("sum %ld\n", result);
    return (int)(result % 7);
}
