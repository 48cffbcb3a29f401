/* A benchmark kernel split across threads: `threads_bench N` runs a fixed amount of integer work
 * (an xorshift hash chain, 2^LOG2 steps, default 2^24) in N equal parts on N threads (the main
 * thread and N-1 it creates):
 * `threads_bench N [LOG2]`; the sum does not depend on N.
 * `threads_bench fence ITER` / `threads_bench nofence ITER` time a store-load loop with
 * `fence rw,rw` (a host barrier) or `fence r,r` (free) between the store and the load.
 * `threads_bench locks N` has N threads take one mutex 2^20 times in all. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct part { long begin, end; uint64_t sum; };

static void *work(void *arg) {
    struct part *p = arg;
    uint64_t sum = 0;
    for (long i = p->begin; i < p->end; i += 1024) {
        uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 1;
        for (int k = 0; k < 1024; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sum += x >> 40;
        }
    }
    p->sum = sum;
    return NULL;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long shared_counter;
static long per_thread;

static void *locker(void *arg) {
    (void)arg;
    for (long i = 0; i < per_thread; i++) {
        pthread_mutex_lock(&m);
        shared_counter++;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 2 && (strcmp(argv[1], "fence") == 0 || strcmp(argv[1], "nofence") == 0)) {
        long n = atol(argv[2]);
        volatile long a = 0, b = 0;
        long acc = 0;
        int full = strcmp(argv[1], "fence") == 0;
        for (long i = 0; i < n; i++) {
            a = i;
#ifdef __riscv
            if (full) __asm__ volatile("fence rw,rw" ::: "memory");
            else __asm__ volatile("fence r,r" ::: "memory");
#else
            if (full) __asm__ volatile("mfence" ::: "memory");
            else __asm__ volatile("" ::: "memory");
#endif
            acc += b;
        }
        printf("%s %ld %ld\n", argv[1], n, acc + a);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "locks") == 0) {
        int n = atoi(argv[2]);
        per_thread = (1L << 20) / n;
        pthread_t t[64];
        for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, locker, NULL);
        for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
        printf("locks %ld\n", shared_counter);
        return 0;
    }
    int n = argc > 1 ? atoi(argv[1]) : 2;
    int log2 = argc > 2 ? atoi(argv[2]) : 24;
    if (n < 1 || n > 64 || log2 < 10 || log2 > 40) return 2;
    long TOTAL = 1L << log2;
    pthread_t t[64];
    struct part parts[64];
    for (int i = 0; i < n; i++) {
        parts[i].begin = TOTAL / n * i;
        parts[i].end = i == n - 1 ? TOTAL : TOTAL / n * (i + 1);
        if (i < n - 1) pthread_create(&t[i], NULL, work, &parts[i]);
    }
    /* The main thread does the last part itself. */
    work(&parts[n - 1]);
    uint64_t sum = parts[n - 1].sum;
    for (int i = 0; i < n - 1; i++) {
        pthread_join(t[i], NULL);
        sum += parts[i].sum;
    }
    printf("sum %llu\n", (unsigned long long)sum);
    return 0;
}
