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
#include <sys/auxv.h>
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

static long readAll(const char *path, char *buf, long size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    long total = 0, n;
    while (total < size && (n = read(fd, buf + total, size - total)) > 0) total += n;
    close(fd);
    return total;
}

static void memFiles(void) {
    char path[128];
    probe("mem rdwr", AT_FDCWD, "/proc/self/mem", O_RDWR);
    probe("mem rdonly", AT_FDCWD, "/proc/self/mem", O_RDONLY);
    probe("thread-self mem", AT_FDCWD, "/proc/thread-self/mem", O_RDWR);
    snprintf(path, sizeof path, "/proc/%d/mem", getpid());
    probe("pid mem", AT_FDCWD, path, O_RDWR);
    snprintf(path, sizeof path, "/proc/self/task/%d/mem", gettid());
    probe("task mem", AT_FDCWD, path, O_RDWR);
    probe("dotted mem", AT_FDCWD, "/proc/self/../self/./mem", O_RDWR);
    probe("root mem", AT_FDCWD, "/proc/self/root/proc/self/mem", O_RDWR);
    int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
    probe("dirfd mem", dir, "mem", O_RDWR);
    int pathfd = open("/proc/self/mem", O_PATH);
    printf("%-28s %s\n", "O_PATH mem", pathfd >= 0 ? "opened" : errno == EACCES ? "EACCES" : strerror(errno));
    if (pathfd >= 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", pathfd);
        probe("reopened O_PATH mem", AT_FDCWD, path, O_RDWR);
        close(pathfd);
    }
    snprintf(path, sizeof path, "/tmp/trapeze-hostile-proc-%d", getpid());
    unlink(path);
    if (symlink("/proc/self/mem", path) == 0) {
        probe("symlinked mem", AT_FDCWD, path, O_RDWR);
        unlink(path);
    }
    if (fchdir(dir) == 0) probe("relative mem", AT_FDCWD, "mem", O_RDWR);
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
    if (!strcmp(mode, "all") || !strcmp(mode, "self")) synthesised(argc, argv);
    if (!strcmp(mode, "all") || !strcmp(mode, "family")) family();
    puts("still running");
    return 0;
}
