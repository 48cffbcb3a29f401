/* hello: the smallest libc program. Exercises glibc's static start-up (the
 * initial stack and auxv, TLS set-up through tp, brk for the first malloc) and
 * stdout buffering. */
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
