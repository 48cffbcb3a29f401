/* Process-directed signals that every thread blocks stay pending for the whole process (any
 * thread sees them in sigpending, the first thread to unblock one takes it, a dedicated sigwait
 * thread receives signals sent by the others), and rt_tgsigqueueinfo reaches another thread with
 * the sender's siginfo (but may not forge a kernel or kill() si_code). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static volatile pid_t usr1_tid, rt_tid;
static volatile int rt_value, rt_code;
static volatile int stage;
static pid_t worker_tid;

static void wait_stage(int s) {
    while (__atomic_load_n(&stage, __ATOMIC_SEQ_CST) < s) usleep(200);
}

static void set_stage(int s) { __atomic_store_n(&stage, s, __ATOMIC_SEQ_CST); }

static void on_usr1(int sig) {
    (void)sig;
    usr1_tid = gettid_();
}

static void on_rt(int sig, siginfo_t *info, void *ctx) {
    (void)sig;
    (void)ctx;
    rt_tid = gettid_();
    rt_value = info->si_value.sival_int;
    rt_code = info->si_code;
}

static int pending_has(int sig) {
    sigset_t set;
    sigpending(&set);
    return sigismember(&set, sig);
}

static const char *yes(int b) { return b ? "yes" : "no"; }

static void *worker(void *arg) {
    (void)arg;
    worker_tid = gettid_();
    set_stage(1);
    /* Stage 2: main sent SIGUSR1 to the process while both threads block it. */
    wait_stage(2);
    printf("worker sees the process's pending SIGUSR1: %s\n", yes(pending_has(SIGUSR1)));
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    printf("unblocking ran the handler in this thread: %s\n", yes(usr1_tid == gettid_()));
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    set_stage(3);
    /* Stage 4: a dedicated sigwait thread; main sends SIGUSR2 to the process after we wait. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    set_stage(4);
    siginfo_t info;
    int got = sigwaitinfo(&usr2, &info);
    printf("sigwaitinfo in the worker took the process signal: %s (from main: %s)\n",
           yes(got == SIGUSR2), yes(info.si_pid == getpid()));
    set_stage(5);
    /* Stage 6: wait for main's rt_tgsigqueueinfo (the handler runs in this thread). */
    wait_stage(6);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &sa, NULL);

    /* Both threads block SIGUSR1 and SIGUSR2 (the worker inherits the mask). */
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &both, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    wait_stage(1);

    kill(getpid(), SIGUSR1);
    printf("main sees the process's pending SIGUSR1: %s\n", yes(pending_has(SIGUSR1)));
    set_stage(2);
    wait_stage(3);
    printf("taken once, no longer pending: %s\n", yes(!pending_has(SIGUSR1)));

    wait_stage(4);
    usleep(20000); /* let the worker reach sigwaitinfo (either order must work) */
    kill(getpid(), SIGUSR2);
    wait_stage(5);

    /* rt_tgsigqueueinfo with a sigqueue-style code reaches the worker with its value... */
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGRTMIN + 1;
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_int = 4242;
    long r = syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, SIGRTMIN + 1, &info);
    while (rt_tid == 0) usleep(200);
    printf("rt_tgsigqueueinfo to the worker: %ld, handled there: %s, value %d, code SI_QUEUE: %s\n",
           r, yes(rt_tid == worker_tid), rt_value, yes(rt_code == SI_QUEUE));
    /* ...but may not pretend to be kill() or the kernel when aimed at another thread. */
    info.si_code = SI_USER;
    r = syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, SIGRTMIN + 1, &info);
    printf("forged SI_USER to another thread: %s\n", r == -1 && errno == EPERM ? "EPERM" : "accepted");
    info.si_code = SI_TKILL;
    r = syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, SIGRTMIN + 1, &info);
    printf("forged SI_TKILL to another thread: %s\n", r == -1 && errno == EPERM ? "EPERM" : "accepted");
    info.si_code = SI_QUEUE;
    r = syscall(SYS_rt_tgsigqueueinfo, getpid(), 0x7ffffff0, SIGRTMIN + 1, &info);
    printf("to a thread that does not exist: %s\n", r == -1 && errno == ESRCH ? "ESRCH" : "other");
    set_stage(6);
    pthread_join(t, NULL);
    return 0;
}
