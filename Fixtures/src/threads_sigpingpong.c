/* Signal ping-pong between threads: a worker blocks SIGUSR1 and SIGUSR2 and takes them with
 * sigwaitinfo, the main thread sends one (directed with tgkill, or process-wide with kill, which
 * every thread blocks) and waits for the worker's answer before sending the next. Thousands of
 * round trips: a wake-up lost between the worker's look at its queue and its sleep would hang
 * the program (the test's timeout catches that). Prints the counts the worker saw. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 3000

static sem_t answered;
static volatile pid_t worker_tid;
static int directed, shared, values;

static void *worker(void *arg) {
    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sem_post(&answered);
    for (int i = 0; i < 2 * ROUNDS; i++) {
        siginfo_t info;
        int sig = sigwaitinfo(&set, &info);
        if (sig == SIGUSR1) directed++;
        else if (sig == SIGUSR2) shared++;
        if (info.si_pid == getpid()) values++;
        sem_post(&answered);
    }
    return NULL;
}

int main(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);  /* inherited by the worker */
    sem_init(&answered, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&answered);
    for (int i = 0; i < ROUNDS; i++) {
        syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
        sem_wait(&answered);
        kill(getpid(), SIGUSR2);
        sem_wait(&answered);
    }
    pthread_join(t, NULL);
    printf("directed %d shared %d from this process %d\n", directed, shared, values);
    return 0;
}
