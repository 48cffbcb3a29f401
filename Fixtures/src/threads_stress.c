/* More threads than cores: N threads (argv[1], default 16) hammer a mutex-guarded counter, an
 * AMO counter and a CAS (lr/sc) counter, and spawn and join short-lived threads of their own. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 20000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long locked_count;
static atomic_long amo_count;
static long cas_count;
static atomic_int children;

static void *child(void *arg) {
    (void)arg;
    atomic_fetch_add(&children, 1);
    return NULL;
}

static void *worker(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (i % 8 == 0) {
            pthread_mutex_lock(&m);
            locked_count++;
            pthread_mutex_unlock(&m);
        }
        atomic_fetch_add(&amo_count, 1);
        long old = __atomic_load_n(&cas_count, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas_count, &old, old + 1, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
        if (i % 5000 == 0) {
            pthread_t t;
            pthread_create(&t, NULL, child, NULL);
            pthread_join(t, NULL);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 16;
    pthread_t *t = calloc(n, sizeof *t);
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("%d threads: locked %ld amo %ld cas %ld children %d\n", n, locked_count, (long)amo_count, cas_count, (int)children);
    return locked_count == (long)n * ROUNDS / 8 && amo_count == (long)n * ROUNDS && cas_count == (long)n * ROUNDS ? 0 : 1;
}
