/* Attacks the emulator through /proc: every spelling of the files that describe the process
 * (mem, auxv, cmdline, stat, ...) must give the guest's own view or be refused, never the
 * emulator's. Prints one line per probe; run only under Trapeze (HostileTests), since on real
 * hardware or qemu-user the answers differ on purpose. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *outcome(int fd) {
    static char buf[64];
    if (fd >= 0) { close(fd); return "opened"; }
    snprintf(buf, sizeof buf, "%s", errno == EACCES ? "EACCES" : errno == ENOENT ? "ENOENT" : strerror(errno));
    return buf;
}

static void probe(const char *label, int dirfd, const char *path, int flags) {
    printf("%-28s %s\n", label, outcome(openat(dirfd, path, flags)));
}

/* A word only this program's memory holds, at a guest address (small-data: writable). */
static const unsigned long marker = 0x4d454d2d50524f43ul;

/* For a mem descriptor: does reading at the marker's guest address give the marker? */
static const char *memOutcome(int fd) {
    if (fd < 0) return outcome(fd);
    unsigned long v = 0;
    long n = pread(fd, &v, sizeof v, (off_t)(unsigned long)&marker);
    close(fd);
    return n == sizeof v && v == marker ? "guest memory" : "NOT THE GUEST'S";
}

static void memProbe(const char *label, int dirfd, const char *path, int flags) {
    printf("%-28s %s\n", label, memOutcome(openat(dirfd, path, flags)));
}

static const char *result(long r) {
    static char buf[64];
    if (r >= 0) { snprintf(buf, sizeof buf, "%ld", r); return buf; }
    return errno == EIO ? "EIO" : errno == EFAULT ? "EFAULT" : errno == EBADF ? "EBADF" :
           errno == EINVAL ? "EINVAL" : errno == ENODEV ? "ENODEV" : strerror(errno);
}

/* Reads and writes through mem: guest addresses, the guest's page permissions. */
static void memIO(void) {
    static volatile unsigned long target = 1;
    static char big[8192];
    unsigned long v = 0, seven = 7;
    int fd = open("/proc/self/mem", O_RDWR);
    if (fd < 0) { printf("open: %s\n", result(fd)); return; }
    lseek(fd, (off_t)(unsigned long)&marker, SEEK_SET);
    long n = read(fd, &v, sizeof v);
    printf("read at the position: %s, %s\n", result(n), v == marker ? "the marker" : "WRONG");
    printf("position after: %s\n", lseek(fd, 0, SEEK_CUR) == (off_t)(unsigned long)&marker + 8 ? "moved by 8" : "WRONG");
    n = pwrite(fd, &seven, sizeof seven, (off_t)(unsigned long)&target);
    printf("pwrite a variable: %s, now %lu\n", result(n), target);
    unsigned short cnop = 0x0001;
    printf("pwrite read-only text: %s\n", result(pwrite(fd, &cnop, 2, (off_t)(unsigned long)&memIO)));
    printf("pread unmapped: %s\n", result(pread(fd, &v, sizeof v, 0x1000)));
    printf("pread past the address space: %s\n", result(pread(fd, &v, sizeof v, (off_t)1 << 40)));
    char *two = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    printf("pread across a mapping's end: %s\n", result(pread(fd, big, sizeof big, (off_t)(unsigned long)two)));
    char *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("pread a PROT_NONE page: %s\n", result(pread(fd, &v, sizeof v, (off_t)(unsigned long)none)));
    /* The buffer is the program's own text: not writable by the guest, so EFAULT. */
    printf("pread into read-only text: %s\n", result(pread(fd, (void *)&memIO, 8, (off_t)(unsigned long)two)));
    unsigned long lo = 0, hi = 0;
    struct iovec iov[2] = {{&lo, 4}, {&hi, 4}};
    n = preadv(fd, iov, 2, (off_t)(unsigned long)&marker);
    printf("preadv: %s, %s\n", result(n), lo == (marker & 0xffffffff) && hi == marker >> 32 ? "both halves" : "WRONG");
    void *mapped = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mmap it: %s\n", mapped == MAP_FAILED ? result(-1) : "mapped");
    int copy = dup(fd);
    printf("a dup reads: %s\n", memOutcome(copy));
    close(fd);
    fd = open("/proc/self/mem", O_RDONLY);
    printf("write on a read-only open: %s\n", result(pwrite(fd, &seven, sizeof seven, (off_t)(unsigned long)&target)));
    close(fd);
}

/* One thread opens /proc/self/auxv over and over while another reads every low descriptor: the
 * host's file must never be readable under the number, not even for an instant. The host's auxv
 * has a vDSO (AT_SYSINFO_EHDR) and addresses above any guest one; the guest's has neither. */
static volatile int raceOver;

static int hostLooking(const unsigned long *words, long n) {
    for (long i = 0; i + 1 < n / 8; i += 2) {
        if (words[i] == AT_NULL) break;
        if (words[i] == AT_SYSINFO_EHDR || (words[i] == AT_RANDOM && words[i + 1] >= 1ul << 40)) return 1;
    }
    return 0;
}

static void *racer(void *unused) {
    (void)unused;
    static unsigned long words[128];
    long leaks = 0;
    while (!raceOver) {
        for (int fd = 3; fd < 12; fd++) {
            long n = pread(fd, words, sizeof words, 0);
            if (n > 0 && hostLooking(words, n)) leaks++;
        }
    }
    return (void *)leaks;
}

static void race(int rounds) {
    pthread_t t;
    if (pthread_create(&t, 0, racer, 0) != 0) { puts("pthread_create failed"); return; }
    long opened = 0;
    for (int i = 0; i < rounds; i++) {
        int fd = open("/proc/self/auxv", O_RDONLY);
        if (fd >= 0) { opened++; close(fd); }
    }
    raceOver = 1;
    void *leaks;
    pthread_join(t, &leaks);
    printf("opened auxv %ld times, the host's seen %ld times\n", opened, (long)leaks);
}

static long readAll(const char *path, char *buf, long size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    long total = 0, n;
    while (total < size && (n = read(fd, buf + total, size - total)) > 0) total += n;
    close(fd);
    return total;
}

/* A second thread's mem, by its thread id at the top of /proc (not under task/). */
static void *threadMem(void *unused) {
    (void)unused;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", gettid());
    memProbe("a thread's /proc/TID/mem", AT_FDCWD, path, O_RDWR);
    return 0;
}

static void memFiles(void) {
    char path[128];
    memProbe("mem rdwr", AT_FDCWD, "/proc/self/mem", O_RDWR);
    memProbe("mem rdonly", AT_FDCWD, "/proc/self/mem", O_RDONLY);
    memProbe("thread-self mem", AT_FDCWD, "/proc/thread-self/mem", O_RDWR);
    snprintf(path, sizeof path, "/proc/%d/mem", getpid());
    memProbe("pid mem", AT_FDCWD, path, O_RDWR);
    snprintf(path, sizeof path, "/proc/self/task/%d/mem", gettid());
    memProbe("task mem", AT_FDCWD, path, O_RDWR);
    pthread_t t;
    if (pthread_create(&t, 0, threadMem, 0) == 0) pthread_join(t, 0);
    memProbe("dotted mem", AT_FDCWD, "/proc/self/../self/./mem", O_RDWR);
    memProbe("root mem", AT_FDCWD, "/proc/self/root/proc/self/mem", O_RDWR);
    int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
    memProbe("dirfd mem", dir, "mem", O_RDWR);
    snprintf(path, sizeof path, "/proc/self/fd/%d/mem", dir);
    memProbe("through a dirfd's link", AT_FDCWD, path, O_RDWR);
    int pathfd = open("/proc/self/mem", O_PATH);
    printf("%-28s %s\n", "O_PATH mem", pathfd >= 0 ? "opened" : errno == EACCES ? "EACCES" : strerror(errno));
    if (pathfd >= 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", pathfd);
        memProbe("reopened O_PATH mem", AT_FDCWD, path, O_RDWR);
        close(pathfd);
    }
    snprintf(path, sizeof path, "/tmp/trapeze-hostile-proc-%d", getpid());
    unlink(path);
    if (symlink("/proc/self/mem", path) == 0) {
        memProbe("symlinked mem", AT_FDCWD, path, O_RDWR);
        unlink(path);
    }
    if (fchdir(dir) == 0) memProbe("relative mem", AT_FDCWD, "mem", O_RDWR);
    if (chdir("/") != 0) puts("chdir failed");
    close(dir);
    probe("syscall", AT_FDCWD, "/proc/self/syscall", O_RDONLY);
    probe("map_files", AT_FDCWD, "/proc/self/map_files", O_RDONLY | O_DIRECTORY);
    probe("pagemap", AT_FDCWD, "/proc/self/pagemap", O_RDONLY);
    probe("auxv for writing", AT_FDCWD, "/proc/self/auxv", O_RDWR);
}

static void synthesised(int argc, char **argv) {
    static char buf[1 << 16];
    long n = readAll("/proc/self/auxv", buf, sizeof buf);
    unsigned long *words = (unsigned long *)buf;
    int same = n > 0 && n % 16 == 0, pairs = 0;
    for (long i = 0; same && i + 1 < n / 8; i += 2, pairs++) {
        if (words[i] == AT_NULL) break;
        if (words[i] != AT_RANDOM && words[i] != AT_EXECFN && getauxval(words[i]) != words[i + 1]) same = 0;
    }
    printf("auxv %s (%s)\n", same ? "matches getauxval" : "DIFFERS", pairs > 10 ? "full" : "short");

    n = readAll("/proc/self/cmdline", buf, sizeof buf);
    long expected = 0;
    int match = 1;
    for (int i = 0; i < argc; i++) {
        long len = (long)strlen(argv[i]) + 1;
        if (expected + len > n || memcmp(buf + expected, argv[i], len) != 0) match = 0;
        expected += len;
    }
    printf("cmdline %s\n", match && n == expected ? "is the guest's argv" : "DIFFERS");

    n = readAll("/proc/self/stat", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    char *name = strchr(buf, '('), *close = strrchr(buf, ')');
    unsigned long field[64] = {0};
    int count = 3;
    if (close) {
        char *p = close + 4;  /* past ") S " : field 3, the state, is a letter */
        while (*p && count < 63) {
            field[++count] = strtoul(p, &p, 10);
            while (*p == ' ') p++;
        }
    }
    if (name && close) *close = 0;
    unsigned long sp = (unsigned long)__builtin_frame_address(0);
    printf("stat name %s\n", name ? name + 1 : "?");
    printf("stat startstack %s\n", field[28] > sp && field[28] < (1ul << 38) ? "is a guest address above sp" : "DIFFERS");
    printf("stat startcode %s\n", field[26] > 0 && field[26] < (unsigned long)&synthesised && (unsigned long)&synthesised < field[27] ? "brackets guest code" : "DIFFERS");
    printf("stat arg_start %s\n", (char *)field[48] == argv[0] ? "is argv[0]" : "DIFFERS");

    n = readAll("/proc/self/status", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("status %s\n", buf);
    n = readAll("/proc/self/comm", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("comm %s", buf);
    char link[256];
    n = readlink("/proc/self/exe", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("exe ends in %s\n", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
    snprintf(link, sizeof link, "/proc/self/task/%d/exe", gettid());
    char target[256];
    n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    printf("task exe ends in %s\n", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
    n = readAll("/proc/self/maps", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("maps %s\n", strstr(buf, "[stack]") ? "lists the guest stack" : "DIFFERS");
}

/* Parent and child each try the other's mem. */
static void family(void) {
    int ready[2], done[2];
    if (pipe(ready) || pipe(done)) return;
    fflush(stdout);
    pid_t child = fork();
    char path[64], c = 0;
    if (child == 0) {
        snprintf(path, sizeof path, "/proc/%d/mem", getppid());
        printf("%-28s %s\n", "child opens parent mem", outcome(open(path, O_RDWR)));
        fflush(stdout);
        if (write(ready[1], "x", 1) != 1) _exit(1);
        if (read(done[0], &c, 1) != 1) _exit(1);
        _exit(0);
    }
    if (read(ready[0], &c, 1) != 1) return;
    snprintf(path, sizeof path, "/proc/%d/mem", child);
    printf("%-28s %s\n", "parent opens child mem", outcome(open(path, O_RDWR)));
    snprintf(path, sizeof path, "/proc/%d/auxv", child);
    printf("%-28s %s\n", "parent opens child auxv", outcome(open(path, O_RDONLY)));
    snprintf(path, sizeof path, "/proc/%d/cgroup", child);
    printf("%-28s %s\n", "parent opens child cgroup", outcome(open(path, O_RDONLY)));
    if (write(done[1], "x", 1) != 1) return;
    int status;
    waitpid(child, &status, 0);
    printf("child exited %d\n", WEXITSTATUS(status));
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "all";
    if (!strcmp(mode, "all") || !strcmp(mode, "mem")) memFiles();
    if (!strcmp(mode, "all") || !strcmp(mode, "memio")) memIO();
    if (!strcmp(mode, "all") || !strcmp(mode, "race")) race(argc > 2 ? atoi(argv[2]) : 2000);
    if (!strcmp(mode, "all") || !strcmp(mode, "self")) synthesised(argc, argv);
    if (!strcmp(mode, "all") || !strcmp(mode, "family")) family();
    puts("still running");
    return 0;
}
