/* A dynamically linked program to debug under gdb: a breakpoint in libc's printf needs gdb to
 * find the libraries the dynamic linker loaded (auxv, the link map, the sysroot).
 * fixture-build: -O0 -g -fPIE -pie */
#include <stdio.h>
#include <string.h>

int main(void) {
    char word[32];
    strcpy(word, "trapeze");
    size_t letters = strlen(word);
    printf("%s has %zu letters\n", word, letters);
    return 0;
}
