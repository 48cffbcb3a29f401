/* setjmp: setjmp/longjmp across several stack frames, longjmp(env, 0) turning
 * into 1, nested jump buffers, and callee-saved registers (integer and float)
 * holding their values across the jump. Prints the order of events. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf outer, inner;
static int depth_reached;

static void __attribute__((noinline)) descend(int depth, int target, jmp_buf env, int value) {
    depth_reached = depth;
    if (depth > 64)
        return; /* never: every caller's target is smaller */
    if (depth == target) {
        printf("  at depth %d, longjmp with %d\n", depth, value);
        longjmp(env, value);
    }
    descend(depth + 1, target, env, value);
    printf("  unreachable: returned to depth %d\n", depth);
}

static int __attribute__((noinline)) nested(void) {
    int r = setjmp(inner);
    if (r == 0) {
        printf("inner setjmp returned 0\n");
        descend(0, 3, inner, 7);
    }
    printf("inner setjmp returned %d after depth %d\n", r, depth_reached);
    /* Now jump out of this frame entirely, to the outer buffer. */
    longjmp(outer, 100 + r);
}

int main(void) {
    /* Values live across setjmp must be volatile to be well defined. */
    volatile long counter = 10;
    volatile double ratio = 1.5;

    int r = setjmp(outer);
    printf("outer setjmp returned %d (counter %ld, ratio %.3f)\n", r, counter, ratio);
    counter += 1;
    ratio *= 2.0;
    switch (r) {
    case 0:
        descend(0, 5, outer, 0); /* longjmp(env, 0) must return 1 */
        break;
    case 1:
        descend(0, 8, outer, 2);
        break;
    case 2:
        nested();
        break;
    default:
        printf("done after %d jumps back to outer\n", r == 107 ? 3 : -1);
        return r == 107 ? 0 : 1;
    }
    printf("unreachable: fell out of the switch\n");
    return 1;
}
