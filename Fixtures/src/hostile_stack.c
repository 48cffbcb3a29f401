/* hostile_stack: unbounded recursion with no handler. The stack (8 MiB, as
 * RLIMIT_STACK) has unmapped memory below it, so the guest must die by SIGSEGV
 * (status 139) rather than run into other mappings or crash its host. */
#include <stdio.h>

static volatile unsigned long depth_reached;

/* Not a tail call (the sum uses the result) and a frame the optimiser cannot
 * drop (the volatile array), so every level really takes stack. */
static unsigned long dive(unsigned long depth) {
    volatile char frame[256];
    frame[0] = (char)depth;
    depth_reached = depth;
    if (depth == ~0ul) return 0;  /* never true; keeps the compiler from calling this infinite */
    return dive(depth + 1) + frame[0];
}

int main(void) {
    printf("recursing without bound\n");
    fflush(stdout);
    unsigned long r = dive(0);
    printf("returned %lu\n", r);
    return 1;
}
