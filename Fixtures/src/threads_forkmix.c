/* fork from a threaded program while another thread is busy reaching code and syscalls for the
 * first time, and children that do the same: Trapeze's lazily built tables (the decoder's, the
 * syscall table, /proc synthesis, signal sets...) must never be caught half-built by a fork. The
 * worker keeps starting new kinds of work while main forks; each child formats floats, sorts,
 * reads /proc/self/maps and its own status, installs a handler and raises a signal, then exits
 * with a status the parent checks. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static volatile int stop;
static volatile sig_atomic_t caught;

static void on_usr1(int sig) { caught = sig; }

static int compare(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Work that reaches many different paths: formatting, parsing, sorting, files, time, signals. */
static long mixed_work(int round) {
    char buf[256];
    long sum = 0;
    int values[64];
    for (int i = 0; i < 64; i++) values[i] = (i * 7919 + round) % 257;
    qsort(values, 64, sizeof values[0], compare);
    sum += values[0] + values[63];
    snprintf(buf, sizeof buf, "%.3f %e %g", round * 1.5, round / 7.0, (double)sum);
    sum += (long)strtod(buf, NULL);
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        sum += n > 0;
        close(fd);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sum += ts.tv_sec >= 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    sum += caught == SIGUSR1;
    return sum;
}

static void *worker(void *arg) {
    (void)arg;
    long total = 0;
    for (int round = 0; !stop; round++) total += mixed_work(round);
    return (void *)(total > 0 ? 1L : 0L);
}

int main(void) {
    enum { children = 12 };
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    int ok = 0;
    for (int k = 0; k < children; k++) {
        pid_t pid = fork();
        if (pid == 0) _exit(mixed_work(k) > 0 ? 10 + k : 1);
        int status;
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 10 + k) ok++;
    }
    stop = 1;
    void *r;
    pthread_join(t, &r);
    printf("%d of %d children ran, worker %ld\n", ok, children, (long)r);
    return ok == children ? 0 : 1;
}
