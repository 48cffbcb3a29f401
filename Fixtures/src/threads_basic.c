/* Threads: mutex/condvar ping-pong, a lock-free counter with AMOs, an LR/SC retry loop, a
 * producer/consumer over raw futexes, thread-local storage, pthread_cancel, pthread_exit values,
 * gettid/set_tid_address, sched_yield, sched_getaffinity. Output is deterministic. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4

/* --- ping-pong over a mutex and two condition variables --- */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn, volleys;

static void *player(void *arg) {
    int me = (int)(intptr_t)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&mutex);
        while (turn != me) pthread_cond_wait(&turn_changed, &mutex);
        volleys++;
        turn = 1 - me;
        pthread_cond_broadcast(&turn_changed);
        pthread_mutex_unlock(&mutex);
    }
    return NULL;
}

/* --- lock-free counters: amoadd, and an lr/sc loop written by hand --- */
static atomic_long amo_counter;
static long lrsc_counter;
static int plain_lock; /* a spin lock on amoswap.w.aq / sw with a release fence */
static long guarded;

static void lrsc_increment(long *p) {
    long old, fail;
    __asm__ volatile(
        "1: lr.d.aqrl %0, (%2)\n"
        "   addi %0, %0, 1\n"
        "   sc.d.aqrl %1, %0, (%2)\n"
        "   bnez %1, 1b\n"
        : "=&r"(old), "=&r"(fail)
        : "r"(p)
        : "memory");
}

static void *counter(void *arg) {
    (void)arg;
    for (int i = 0; i < 100000; i++) {
        atomic_fetch_add_explicit(&amo_counter, 1, memory_order_relaxed);
        lrsc_increment(&lrsc_counter);
        if (i % 16 == 0) {
            while (__atomic_exchange_n(&plain_lock, 1, __ATOMIC_ACQUIRE)) sched_yield();
            guarded++;
            __atomic_store_n(&plain_lock, 0, __ATOMIC_RELEASE);
        }
    }
    return NULL;
}

/* --- producer/consumer over a futex-guarded one-slot mailbox --- */
static uint32_t slot_full; /* 0 empty, 1 full: the futex word */
static long slot_value, consumed_sum;

static long futex(uint32_t *word, int op, uint32_t value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static void *producer(void *arg) {
    (void)arg;
    for (long v = 1; v <= 3000; v++) {
        while (__atomic_load_n(&slot_full, __ATOMIC_ACQUIRE) == 1) futex(&slot_full, FUTEX_WAIT_PRIVATE, 1);
        slot_value = v;
        __atomic_store_n(&slot_full, 1, __ATOMIC_RELEASE);
        futex(&slot_full, FUTEX_WAKE_PRIVATE, 1);
    }
    return NULL;
}

static void *consumer(void *arg) {
    (void)arg;
    for (int i = 0; i < 3000; i++) {
        while (__atomic_load_n(&slot_full, __ATOMIC_ACQUIRE) == 0) futex(&slot_full, FUTEX_WAIT_PRIVATE, 0);
        consumed_sum += slot_value;
        __atomic_store_n(&slot_full, 0, __ATOMIC_RELEASE);
        futex(&slot_full, FUTEX_WAKE_PRIVATE, 1);
    }
    return NULL;
}

/* --- thread-local storage --- */
static __thread long tls_value = 7;
static __thread char tls_name[16];

static void *tls_user(void *arg) {
    long id = (long)(intptr_t)arg;
    snprintf(tls_name, sizeof tls_name, "worker-%ld", id);
    for (int i = 0; i < 1000; i++) tls_value += id;
    sched_yield();
    char *result = malloc(64);
    snprintf(result, 64, "%s tls=%ld tid-differs=%d", tls_name, tls_value, (pid_t)syscall(SYS_gettid) != getpid());
    return result;
}

/* --- cancellation and pthread_exit --- */
static void *sleeper(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static void *exits_early(void *arg) {
    pthread_exit((void *)((intptr_t)arg * 3));
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];

    pthread_create(&t[0], NULL, player, (void *)0);
    pthread_create(&t[1], NULL, player, (void *)1);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    printf("ping-pong volleys %d\n", volleys);

    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, counter, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    printf("amo counter %ld, lr/sc counter %ld, spin-locked %ld\n", (long)amo_counter, lrsc_counter, guarded);

    pthread_create(&t[0], NULL, producer, NULL);
    pthread_create(&t[1], NULL, consumer, NULL);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    printf("futex mailbox sum %ld\n", consumed_sum);

    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, tls_user, (void *)(intptr_t)(i + 1));
    for (int i = 0; i < THREADS; i++) {
        char *r;
        pthread_join(t[i], (void **)&r);
        printf("%s\n", r);
        free(r);
    }
    printf("main tls=%ld main tid is pid=%d\n", tls_value, (pid_t)syscall(SYS_gettid) == getpid());

    void *value;
    pthread_create(&t[0], NULL, sleeper, NULL);
    pthread_cancel(t[0]);
    pthread_join(t[0], &value);
    printf("cancelled %d\n", value == PTHREAD_CANCELED);
    pthread_create(&t[0], NULL, exits_early, (void *)14);
    pthread_join(t[0], &value);
    printf("pthread_exit value %ld\n", (long)(intptr_t)value);

    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    printf("affinity ok %d\n", sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) >= 1);
    return 0;
}
