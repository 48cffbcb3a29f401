/* Signals and threads: pthread_kill reaches the named thread; a process-directed signal goes to
 * a thread that does not block it; masks and sigaltstack are per thread; a blocked futex wait in
 * the target thread is interrupted by its signal. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile pid_t usr1_tid, usr2_tid;
static volatile int on_altstack;
static volatile uintptr_t alt_base, alt_size;
static volatile int worker_ready, release_worker;
static pid_t worker_tid;

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static void on_usr1(int sig) {
    (void)sig;
    int here;
    usr1_tid = gettid_();
    on_altstack = (uintptr_t)&here >= alt_base && (uintptr_t)&here < alt_base + alt_size;
}

static void on_usr2(int sig) {
    (void)sig;
    usr2_tid = gettid_();
}

static void *worker(void *arg) {
    (void)arg;
    worker_tid = gettid_();
    /* This thread blocks SIGUSR2 and has an alternate stack for SIGUSR1. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0 };
    alt_base = (uintptr_t)ss.ss_sp;
    alt_size = ss.ss_size;
    sigaltstack(&ss, NULL);
    __atomic_store_n(&worker_ready, 1, __ATOMIC_SEQ_CST);
    /* Sleep in the kernel until main's SIGUSR1 interrupts us (then keep waiting for release). */
    while (!__atomic_load_n(&release_worker, __ATOMIC_SEQ_CST)) usleep(1000);
    /* A signal to the whole process while this thread blocks it: main takes it. */
    kill(getpid(), SIGUSR2);
    return NULL;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);

    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!__atomic_load_n(&worker_ready, __ATOMIC_SEQ_CST)) usleep(1000);
    pthread_kill(t, SIGUSR1);
    while (usr1_tid == 0) usleep(1000);
    printf("pthread_kill ran the handler in the target thread: %s\n", usr1_tid == worker_tid ? "yes" : "no");
    printf("on the target thread's sigaltstack: %s\n", on_altstack ? "yes" : "no");

    stack_t mine;
    sigaltstack(NULL, &mine);
    printf("main has no sigaltstack: %s\n", (mine.ss_flags & SS_DISABLE) ? "yes" : "no");

    __atomic_store_n(&release_worker, 1, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    while (usr2_tid == 0) usleep(1000);
    printf("process signal went to the thread not blocking it: %s\n", usr2_tid == gettid_() ? "yes" : "no");

    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    printf("main's mask unchanged by the worker's: %s\n", sigismember(&now, SIGUSR2) ? "no" : "yes");
    return 0;
}
