/* malloc_stress: many malloc/calloc/realloc/free calls of varied sizes, driven
 * by a fixed LCG. Most blocks are small (the brk heap), some are large enough
 * (>= 128 KiB) that glibc serves them with mmap and frees them with munmap, and
 * realloc grows blocks across that threshold (mremap). Every block is filled with
 * a sampled pattern derived from its slot and checked before it is freed; a
 * checksum of all the checked bytes is printed. Optional argument: number of operations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static uint64_t lcg_state = 0x2545f4914f6cdd1dULL;

static uint32_t next_random(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

static size_t random_size(void) {
    uint32_t r = next_random() % 1000;
    if (r < 700)
        return 1 + next_random() % 256;          /* small: tcache and fastbins */
    if (r < 950)
        return 257 + next_random() % 8192;       /* medium: the main heap */
    if (r < 990)
        return 16384 + next_random() % 65536;    /* large but below the mmap threshold */
    return 131072 + next_random() % (1 << 20);   /* mmap'd */
}

struct block {
    unsigned char *p;
    size_t size;
    unsigned char seed;
};

static struct block slots[SLOTS];
static uint64_t checksum;
static unsigned long bad_bytes;

/* Only the first 8 bytes of every 256 carry the pattern: enough to catch a block
 * that moved or overlaps another, without making megabyte blocks expensive. */
static size_t first_sample(size_t from) {
    return (from & 255) < 8 ? from : (from | 255) + 1;
}

static size_t next_sample(size_t i) {
    return (i & 255) == 7 ? i + 249 : i + 1;
}

static void fill(struct block *b, size_t from) {
    for (size_t i = first_sample(from); i < b->size; i = next_sample(i))
        b->p[i] = (unsigned char)(b->seed + i * 31);
}

static void verify(const struct block *b) {
    for (size_t i = 0; i < b->size; i = next_sample(i)) {
        unsigned char want = (unsigned char)(b->seed + i * 31);
        if (b->p[i] != want)
            bad_bytes++;
        checksum = (checksum ^ b->p[i]) * 0x100000001b3ULL;
    }
}

int main(int argc, char **argv) {
    long operations = argc > 1 ? atol(argv[1]) : 20000;
    unsigned long mallocs = 0, callocs = 0, reallocs = 0, frees = 0, big = 0;
    size_t peak = 0, live = 0;

    for (long op = 0; op < operations; op++) {
        struct block *b = &slots[next_random() % SLOTS];
        uint32_t action = next_random() % 10;
        if (b->p == NULL) {
            b->size = random_size();
            b->seed = (unsigned char)next_random();
            if (action < 2) {
                b->p = calloc(1, b->size);
                callocs++;
                for (size_t i = 0; i < b->size; i = next_sample(i))
                    if (b->p[i] != 0)
                        bad_bytes++;
            } else {
                b->p = malloc(b->size);
                mallocs++;
            }
            if (b->p == NULL) {
                printf("allocation of %zu bytes failed\n", b->size);
                return 1;
            }
            big += b->size >= 131072;
            fill(b, 0);
            live += b->size;
        } else if (action < 3) {
            /* realloc keeps the common prefix; fill the new tail */
            size_t old = b->size;
            size_t size = action == 0 && old < (1 << 20) ? old * 2 + 100000 : random_size();
            size_t keep = old < size ? old : size;
            unsigned char *p = realloc(b->p, size);
            if (p == NULL) {
                printf("realloc to %zu bytes failed\n", size);
                return 1;
            }
            b->p = p;
            b->size = keep;
            verify(b);
            b->size = size;
            fill(b, keep);
            live = live - old + size;
            reallocs++;
        } else {
            verify(b);
            free(b->p);
            b->p = NULL;
            live -= b->size;
            frees++;
        }
        if (live > peak)
            peak = live;
    }
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].p) {
            verify(&slots[i]);
            free(slots[i].p);
            frees++;
        }
    printf("operations: %ld\n", operations);
    printf("malloc %lu, calloc %lu, realloc %lu, free %lu, mmap-sized %lu\n",
           mallocs, callocs, reallocs, frees, big);
    printf("peak live bytes: %zu\n", peak);
    printf("checksum: %016llx\n", (unsigned long long)checksum);
    printf("corrupted bytes: %lu\n", bad_bytes);
    return bad_bytes == 0 ? 0 : 1;
}
