/* A thread that faults while others run: the whole process dies of SIGSEGV. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static volatile long spins;

static void *spinner(void *arg) {
    (void)arg;
    for (;;) spins++;
    return NULL;
}

static void *faulter(void *arg) {
    (void)arg;
    while (spins < 1000) {}
    *(volatile int *)16 = 1;
    return NULL;
}

int main(void) {
    pthread_t a, b;
    printf("starting\n");
    fflush(stdout);
    pthread_create(&a, NULL, spinner, NULL);
    pthread_create(&b, NULL, faulter, NULL);
    pthread_join(b, NULL);
    printf("not reached\n");
    return 0;
}
