/* A system-call fuzzer inside the guest: random pointers (wild, NULL, near the end of a page,
 * on a page past a file's end, read-only), lengths and flags fed to the emulated calls. Each
 * batch runs in a forked child whose fault signals end it with status 99 (a guest fault is
 * fine); the emulator itself must never die: a batch killed by a signal is counted and printed.
 * Usage: hostile_syscalls SEED BATCHES. Run under Trapeze only (HostileTests). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Calls that cannot end or stall the fuzzing child on purpose: no exit, signals, process
 * creation, sleeping, waiting or blocking reads, nor mapping changes that could unmap the
 * fuzzer itself (munmap, mremap and mprotect get page-aligned addresses of a scratch area). */
static const long calls[] = {
    17, 23, 24, 25, 29, 32, 34, 35, 36, 37, 38, 43, 44, 45, 46, 48, 49, 50, 52, 53, 54, 55, 56, 57,
    59, 61, 62, 64, 66, 68, 70, 71, 78, 79, 80, 82, 83, 88, 96, 99, 122, 123, 124, 148, 150, 153,
    155, 156, 158, 160, 163, 165, 166, 167, 168, 169, 172, 173, 174, 175, 176, 177, 178, 179,
    214, 222, 226, 227, 233, 258, 259, 261, 276, 278, 279, 283, 291, 439,
};

static unsigned long long state;
static unsigned long long next(void) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return state;
}

static char *scratch, *readonly, *pastEnd;

static long pointer(void) {
    switch (next() % 10) {
    case 0: return 0;
    case 1: return (long)next();                               /* anywhere */
    case 2: return (long)(next() & ((1ul << 39) - 1));          /* around the guest limit */
    case 3: return (long)(scratch + 4096 - (next() % 16));      /* straddling into a hole */
    case 4: return (long)readonly + (long)(next() % 4096);
    case 5: return (long)pastEnd + (long)(next() % 4096);        /* SIGBUS page */
    case 6: return -(long)(next() % 4096);                      /* kernel half */
    default: return (long)scratch + (long)(next() % 4096);
    }
}

static long argument(void) {
    switch (next() % 6) {
    case 0: return pointer();
    case 1: return (long)(next() % 64);                         /* small: fds, flags, lengths */
    case 2: return -(long)(next() % 4);
    case 3: return (long)(next() % 0x100000);
    case 4: return (long)next();
    default: return pointer();
    }
}

static void guestFault(int sig) { (void)sig; _exit(99); }

static void batch(int calls_per_batch) {
    signal(SIGSEGV, guestFault);
    signal(SIGBUS, guestFault);
    signal(SIGILL, guestFault);
    signal(SIGPIPE, SIG_IGN);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 1);  /* random writes go nowhere */
    for (int i = 0; i < calls_per_batch; i++) {
        long n = calls[next() % (sizeof calls / sizeof calls[0])];
        long a[6];
        for (int k = 0; k < 6; k++) a[k] = argument();
        if (n == 57 || n == 23 || n == 24) a[0] = a[1] = 3 + (long)(next() % 8);  /* never close or replace 0-2 */
        if (n == 24) a[1] = 3 + (long)(next() % 8);
        if (n == 214 || n == 222) { a[0] = 0; a[2] &= 7; }          /* brk/mmap: let Trapeze place it */
        if (n == 222) { a[3] = (a[3] & 0x22) | 0x2; }                /* private, maybe anonymous */
        if (n == 226 || n == 227 || n == 233) a[0] = (long)scratch + 4096 * (long)(next() % 2);
        if (n == 226) a[2] |= 1;                                      /* keep it readable */
        if (n == 49 || n == 50) continue;                            /* chdir/fchdir: stay put */
        syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    _exit(0);
}

int main(int argc, char **argv) {
    state = argc > 1 ? strtoull(argv[1], 0, 0) | 1 : 1;
    int batches = argc > 2 ? atoi(argv[2]) : 20;
    scratch = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(scratch + 4096 * 2, 4096);                                /* a hole after two pages */
    readonly = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = memfd_create("fuzz", 0);
    if (ftruncate(fd, 8192) != 0) return 2;
    pastEnd = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ftruncate(fd, 1) != 0) return 2;
    pastEnd += 4096;
    /* Whatever paths the calls create land in a directory of their own. */
    char dir[] = "/tmp/trapeze-fuzz-XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0) return 2;
    int clean = 0, faulted = 0, killed = 0;
    for (int b = 0; b < batches; b++) {
        unsigned long long seed = next();
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) { state = seed | 1; alarm(10); batch(200); }
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) clean++;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 99) faulted++;
        else { killed++; printf("batch %d: status 0x%x\n", b, status); }
    }
    printf("%d batches: %d clean, %d ended by a guest fault, %d killed\n", batches, clean, faulted, killed);
    return killed != 0;
}
