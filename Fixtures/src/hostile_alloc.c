/* hostile_alloc: allocates until memory runs out or a cap is reached, then
 * frees everything and shows the process still works.
 *   malloc  1 MiB malloc blocks (served by mmap), touching every page
 *   brk     64 KiB sbrk steps
 *   mmap    1 MiB anonymous mmaps
 * Prints how many MiB it obtained and whether the allocator said no (NULL,
 * ENOMEM) before the 1 GiB cap. Run with --memory-limit to see ENOMEM; without
 * one (the manifest run) the cap is reached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CAP_MIB 1024

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "malloc";
    static void *blocks[CAP_MIB];
    int mib = 0, refused = 0, err = 0;
    if (strcmp(mode, "brk") == 0) {
        for (int steps = 0; steps < CAP_MIB * 16; steps++) {
            if (sbrk(64 << 10) == (void *)-1) { refused = 1; err = errno; break; }
            if (steps % 16 == 15) mib++;
        }
    } else {
        int use_mmap = strcmp(mode, "mmap") == 0;
        for (; mib < CAP_MIB; mib++) {
            void *p = use_mmap ? mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                               : malloc(1 << 20);
            if (p == NULL || p == MAP_FAILED) { refused = 1; err = errno; break; }
            /* Touch one byte per page only for the first few, to keep the manifest run light. */
            if (mib < 8) for (int i = 0; i < (1 << 20); i += 4096) ((char *)p)[i] = (char)i;
            blocks[mib] = p;
        }
        for (int i = 0; i < mib; i++) {
            if (use_mmap) munmap(blocks[i], 1 << 20); else free(blocks[i]);
        }
    }
    if (refused) printf("%s: refused after %d MiB (%s)\n", mode, mib, err == ENOMEM ? "ENOMEM" : strerror(err));
    else printf("%s: reached the %d MiB cap\n", mode, CAP_MIB);
    /* After freeing, small allocations work again. */
    char *s = malloc(100);
    if (s == NULL) { printf("malloc after freeing failed\n"); return 2; }
    strcpy(s, "still working");
    printf("%s\n", s);
    return 0;
}
