/* exitcode: prints several lines through stdio and returns 3 from main. With
 * stdout redirected to a file or pipe the lines sit in a full buffer until exit
 * flushes it, so a runtime that skips the atexit/flush path loses them. */
#include <stdio.h>

int main(void) {
    for (int i = 1; i <= 5; i++)
        printf("buffered line %d of 5\n", i);
    fputs("returning 3 from main\n", stdout);
    return 3;
}
