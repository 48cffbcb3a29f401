/* Limits that must hold across fork and execve for the whole process tree: a fork-and-exec
 * loop against --max-processes, an execve chain against --max-insns, children blocked in a
 * system call against --timeout, oversized execve arguments (E2BIG), and an argv[0] that starts
 * with '-' as login shells use. Run under Trapeze only (HostileTests). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *self;

static void execSelf(char *const argv[]) {
    execv(self, argv);
    printf("execve failed: %s\n", strerror(errno));
    exit(1);
}

/* Each child re-executes itself `depth` times, then waits on the gate. */
static int forkExecLoop(void) {
    int gate[2];
    if (pipe(gate) != 0) return 2;
    int children = 0, err = 0;
    char fd[16];
    snprintf(fd, sizeof fd, "%d", gate[0]);
    for (; children < 16; children++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) { err = errno; break; }
        if (pid == 0) {
            close(gate[1]);
            char *argv[] = {self, "chain", "3", fd, 0};
            execSelf(argv);
        }
    }
    close(gate[1]);
    int reaped = 0, status;
    while (wait(&status) > 0) reaped += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("forked %d exec'ing children, then fork failed: %s\n", children, err == EAGAIN ? "EAGAIN" : err ? strerror(err) : "no");
    printf("reaped %d\n", reaped);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(7);
    if (pid < 0) { printf("fork after reaping failed: %s\n", strerror(errno)); return 1; }
    waitpid(pid, &status, 0);
    printf("fork after reaping: child status %d\n", WEXITSTATUS(status));
    return 0;
}

static int chain(int depth, const char *fd) {
    if (depth > 0) {
        char next[16];
        snprintf(next, sizeof next, "%d", depth - 1);
        char *argv[] = {self, "chain", next, (char *)fd, 0};
        execSelf(argv);
    }
    char c;
    while (read(atoi(fd), &c, 1) > 0) {}
    return 0;
}

/* Spins about a million instructions per stage, then execs the next stage. */
static int stages(int n) {
    volatile unsigned long sum = 0;
    for (unsigned long i = 0; i < 250000; i++) sum += i;
    if (n == 0) { puts("all stages done"); return 0; }
    char next[16];
    snprintf(next, sizeof next, "%d", n - 1);
    char *argv[] = {self, "stages", next, 0};
    execSelf(argv);
    return 1;
}

/* A child blocked in read forever (and a grandchild exec'd into a chain); prints their pids. */
static int blockedChildren(void) {
    int gate[2];
    if (pipe(gate) != 0) return 2;
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            char c;
            if (i == 1) {
                char fd[16];
                snprintf(fd, sizeof fd, "%d", gate[0]);
                char *argv[] = {self, "chain", "1", fd, 0};
                execSelf(argv);
            }
            while (read(gate[0], &c, 1) > 0) {}
            _exit(0);
        }
        printf("child %d\n", pid);
    }
    fflush(stdout);
    int status;
    while (wait(&status) > 0) {}
    return 0;
}

static int bigArguments(void) {
    size_t n = 200 * 1024;
    char *big = malloc(n);
    memset(big, 'a', n - 1);
    big[n - 1] = 0;
    char *one[] = {self, big, 0};
    execv(self, one);
    printf("one 200 KiB argument: %s\n", errno == E2BIG ? "E2BIG" : strerror(errno));
    big[120 * 1024] = 0;
    char *many[32];
    many[0] = self;
    for (int i = 1; i < 31; i++) many[i] = big;
    many[31] = 0;
    execv(self, many);
    printf("30 arguments of 120 KiB: %s\n", errno == E2BIG ? "E2BIG" : strerror(errno));
    return 0;
}

int main(int argc, char **argv) {
    self = "/proc/self/exe";
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "forkexec")) return forkExecLoop();
    if (!strcmp(mode, "chain") && argc > 3) return chain(atoi(argv[2]), argv[3]);
    if (!strcmp(mode, "stages")) return stages(argc > 2 ? atoi(argv[2]) : 10);
    if (!strcmp(mode, "blocked")) return blockedChildren();
    if (!strcmp(mode, "e2big")) return bigArguments();
    if (!strcmp(mode, "dash")) {
        char *args[] = {"-dash", "argv0", 0};
        execSelf(args);
    }
    if (!strcmp(mode, "argv0")) { printf("argv[0] is %s\n", argv[0]); return 0; }
    if (argc > 1 && argv[0][0] == '-') { printf("argv[0] is %s\n", argv[0]); return 0; }
    puts("modes: forkexec stages blocked e2big dash");
    return 0;
}
