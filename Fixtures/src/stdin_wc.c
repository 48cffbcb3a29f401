/* stdin_wc: reads standard input to end of file with read(2) in small odd-sized
 * chunks, so lines and words straddle chunk boundaries, and prints line, word
 * and byte counts, the longest line and a hash of the bytes (like wc). The
 * manifest feeds it Fixtures/expected/stdin_wc.stdin. Exits 1 if input was empty. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[37];
    long lines = 0, words = 0, bytes = 0, longest = 0, current = 0;
    int in_word = 0;
    uint64_t hash = 0xcbf29ce484222325ULL;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            hash = (hash ^ c) * 0x100000001b3ULL;
            bytes++;
            if (c == '\n') {
                lines++;
                if (current > longest)
                    longest = current;
                current = 0;
            } else {
                current++;
            }
            int space = c == ' ' || c == '\n' || c == '\t';
            if (!space && !in_word)
                words++;
            in_word = !space;
        }
    }
    if (current > longest) /* a last line without a newline */
        longest = current;
    if (n < 0) {
        printf("read failed\n");
        return 2;
    }
    printf("lines %ld, words %ld, bytes %ld, longest line %ld\n", lines, words, bytes, longest);
    printf("hash %016llx\n", (unsigned long long)hash);
    return bytes > 0 ? 0 : 1;
}
