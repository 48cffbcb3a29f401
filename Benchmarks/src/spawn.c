/* spawn: a process-heavy workload, like a shell script or a build running many short programs.
 * `spawn N` starts N children one after another, each with fork + execve of this same program
 * (through /proc/self/exe) as `spawn -child K`; a child sorts a few hundred generated lines, as
 * `sort | uniq -c` would, prints a checksum of its result on a pipe, and exits. The parent
 * prints the sum of the children's checksums. Under an emulator every child is a fresh process
 * that starts from nothing, so start-up cost (loading, translating code that runs once)
 * dominates: the case for a persistent translation cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static unsigned long child(int k) {
    enum { LINES = 300 };
    static char text[LINES][24];
    char *lines[LINES];
    unsigned long x = 2463534242UL + (unsigned long)k * 7919UL;
    for (int i = 0; i < LINES; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        snprintf(text[i], sizeof text[i], "w%lu-%lu", (x >> 8) % 97, (x >> 20) % 5);
        lines[i] = text[i];
    }
    qsort(lines, LINES, sizeof lines[0], compare);
    unsigned long sum = 0, run = 1;
    for (int i = 1; i <= LINES; i++) {
        if (i < LINES && strcmp(lines[i], lines[i - 1]) == 0) { run++; continue; }
        for (const char *p = lines[i - 1]; *p; p++) sum = sum * 31 + (unsigned char)*p;
        sum += run * 1000003UL;
        run = 1;
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "-child") == 0) {
        printf("%lu\n", child(atoi(argv[2])));
        return 0;
    }
    int n = argc > 1 ? atoi(argv[1]) : 20;
    unsigned long total = 0;
    for (int k = 0; k < n; k++) {
        int fds[2];
        if (pipe(fds) != 0) { perror("pipe"); return 1; }
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            char arg[16];
            snprintf(arg, sizeof arg, "%d", k);
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            char *args[] = {argv[0], "-child", arg, NULL};
            execv("/proc/self/exe", args);
            perror("execv");
            _exit(127);
        }
        close(fds[1]);
        char buf[64];
        ssize_t got = read(fds[0], buf, sizeof buf - 1);
        close(fds[0]);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || got <= 0) {
            fprintf(stderr, "child %d failed\n", k);
            return 1;
        }
        buf[got] = 0;
        total += strtoul(buf, NULL, 10);
    }
    printf("spawn: %d children, checksum %lu\n", n, total);
    return 0;
}
