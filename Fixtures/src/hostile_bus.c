/* Guest pages that fault on the host even though their permissions allow the access: a file
 * mapping's pages past the end of the file, and a memfd truncated under its mapping. Linux
 * gives a load or store there SIGBUS (BUS_ADRERR), a system call buffer there EFAULT, and a
 * signal frame there SIGSEGV; the emulator must do the same and survive. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile char *expected;

static void onBus(int sig, siginfo_t *info, void *context) {
    (void)context;
    printf("SIGBUS %s, si_code %s, si_addr %s\n", sig == SIGBUS ? "caught" : "WRONG SIGNAL",
           info->si_code == BUS_ADRERR ? "BUS_ADRERR" : "WRONG",
           info->si_addr == (void *)expected ? "the page" : "WRONG");
    siglongjmp(back, 1);
}

/* Two pages of a one-byte file: the second lies wholly past the end. */
static char *pastEnd(int prot) {
    int fd = memfd_create("bus", 0);
    if (fd < 0 || ftruncate(fd, 8192) != 0) { puts("memfd failed"); exit(1); }
    char *p = mmap(0, 8192, prot, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { puts("mmap failed"); exit(1); }
    p[0] = 'x';
    if (ftruncate(fd, 1) != 0) { puts("truncate failed"); exit(1); }
    close(fd);
    return p + 4096;
}

/* A thread whose clear-child-tid word lies on the page: the kernel's store at its exit fails
 * quietly, and the thread still ends. */
static int exitedPipe[2];
static void *clearTidThread(void *bad) {
    syscall(SYS_set_tid_address, bad);
    if (write(exitedPipe[1], "x", 1) != 1) return 0;
    syscall(SYS_exit, 0);
    return 0;
}

/* Another thread truncates the file and grows it back without pause while this one loads,
 * stores and runs AMOs on its second page: each access either works or is the guest's SIGBUS,
 * however the two interleave (the emulator's own check and its access must be one step). */
static int raceFd;
static volatile int raceOver;
static sigjmp_buf raceBack;
static void onRaceBus(int sig) { (void)sig; siglongjmp(raceBack, 1); }
static void *truncator(void *unused) {
    (void)unused;
    while (!raceOver) if (ftruncate(raceFd, 1) != 0 || ftruncate(raceFd, 8192) != 0) break;
    return 0;
}

static void truncateRace(long rounds) {
    raceFd = memfd_create("race", 0);
    if (raceFd < 0 || ftruncate(raceFd, 8192) != 0) { puts("memfd failed"); return; }
    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, raceFd, 0);
    if (p == MAP_FAILED) { puts("mmap failed"); return; }
    volatile char *bytes = p + 4096;
    long *word = (long *)(p + 4096 + 64);
    signal(SIGBUS, onRaceBus);
    pthread_t t;
    if (pthread_create(&t, 0, truncator, 0) != 0) { puts("thread failed"); return; }
    long faults = 0, worked = 0;
    for (long i = 0; i < rounds; i++) {
        if (sigsetjmp(raceBack, 1) == 0) {
            bytes[i & 63] = 1;
            worked += bytes[(i + 1) & 63];
            __atomic_fetch_add(word, 1, __ATOMIC_SEQ_CST);
            long seen = *word;
            __atomic_compare_exchange_n(word, &seen, seen + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        } else {
            faults++;
        }
    }
    raceOver = 1;
    pthread_join(t, 0);
    printf("truncate race: %s\n", faults > 0 ? "SIGBUS caught, still running" : "no SIGBUS (the race was not met)");
}

static const char *err(long r) { return r >= 0 ? "succeeded" : errno == EFAULT ? "EFAULT" : strerror(errno); }

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "syscalls";
    int exec = !strcmp(mode, "fetch");
    char *bad = pastEnd(PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0));
    if (!strcmp(mode, "syscalls")) {
        printf("write from it: %s\n", err(write(1, bad, 8)));
        printf("read into it: %s\n", err(read(0, bad, 8)));
        printf("open a path there: %s\n", err(open(bad, O_RDONLY)));
        printf("clock_gettime into it: %s\n", err(clock_gettime(CLOCK_MONOTONIC, (struct timespec *)bad)));
        printf("nanosleep from it: %s\n", err(nanosleep((struct timespec *)bad, 0)));
        /* Raw rt_sigaction: glibc's wrapper would copy the struct itself, in the guest. */
        printf("sigaction from it: %s\n", err(syscall(134, SIGUSR1, bad, 0, 8)));
        printf("sigaction into it: %s\n", err(syscall(134, SIGUSR1, 0, bad, 8)));
        printf("uname into it: %s\n", err(syscall(160, bad)));
        char *argv2[] = {bad, 0};
        printf("execve with it: %s\n", err(execve("/nonexistent-but-checked-later", argv2, 0)));
    } else if (!strcmp(mode, "load") || !strcmp(mode, "store")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = onBus;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGBUS, &sa, 0);
        expected = bad;
        if (sigsetjmp(back, 1) == 0) {
            if (!strcmp(mode, "load")) printf("loaded %d\n", *(volatile char *)bad);
            else *(volatile char *)bad = 1;
            puts("no fault");
        }
    } else if (exec) {
        /* A jump onto the page, then a 4-byte instruction whose second half lies on it: each
         * fetch fault names the page. */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = onBus;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGBUS, &sa, 0);
        expected = bad;
        if (sigsetjmp(back, 1) == 0) {
            ((void (*)(void))bad)();
            puts("no fault");
        }
        bad[-2] = 0x13; /* the low half of addi x0,x0,0 */
        bad[-1] = 0x00;
        __builtin___clear_cache(bad - 2, bad);
        if (sigsetjmp(back, 1) == 0) {
            ((void (*)(void))(bad - 2))();
            puts("no fault");
        }
    } else if (!strcmp(mode, "frame")) {
        stack_t ss = {.ss_sp = bad, .ss_size = 4096, .ss_flags = 0};
        if (sigaltstack(&ss, 0) != 0) puts("sigaltstack failed");
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = onBus;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGUSR1, &sa, 0);
        fflush(stdout);
        raise(SIGUSR1);
        puts("handler ran on a bad stack");
    } else if (!strcmp(mode, "truncate")) {
        truncateRace(argc > 2 ? atol(argv[2]) : 100000);
    } else if (!strcmp(mode, "cleartid")) {
        pthread_t t;
        char c;
        if (pipe(exitedPipe) != 0 || pthread_create(&t, 0, clearTidThread, bad) != 0) puts("thread failed");
        if (read(exitedPipe[0], &c, 1) != 1) puts("read failed");
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, 0);
        puts("thread exited");
    } else if (!strcmp(mode, "mremap")) {
        char *moved = mremap(bad - 4096, 8192, 16384, MREMAP_MAYMOVE);
        printf("mremap: %s\n", moved == MAP_FAILED ? strerror(errno) : "moved");
    }
    puts("still running");
    return 0;
}
