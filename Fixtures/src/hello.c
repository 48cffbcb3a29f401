/* hello: the smallest libc program. Exercises glibc's static start-up (auxv,
 * TLS set-up, IRELATIVE relocations, riscv_hwprobe) and buffered stdout. */
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
