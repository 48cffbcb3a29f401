/* Descriptors the emulator holds for itself (a process table, a perf map, a trace file) must be
 * invisible: the first open gets 3, as on Linux; no number the guest can name is open unless
 * the guest opened it; /proc/self/fd lists only the guest's; and nothing the guest does to a
 * number it did not open (close, dup2 over it, write to it) reaches the emulator's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int isOpen(int fd) { return fcntl(fd, F_GETFD) >= 0; }

int main(void) {
    int first = open("/dev/null", O_RDONLY);
    printf("first open: %d\n", first);

    /* Every number the guest may name: the low ones, and the top of the descriptor limit, where
     * an emulator would hide its own. */
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    long top = limit.rlim_cur > (1 << 20) ? (1 << 20) : (long)limit.rlim_cur;
    printf("open:");
    for (long fd = 0; fd < 1024 && fd < top; fd++)
        if (isOpen(fd)) printf(" %ld", fd);
    long high = 0;
    for (long fd = top > 1024 ? top - 256 : top; fd < top; fd++) {
        if (fd >= 1024 && isOpen(fd)) { printf(" %ld", fd); high++; }
        /* Taking the number over must not reach anything of the emulator's. */
        if (fd >= 1024 && !isOpen(fd) && dup2(first, fd) == fd) close(fd);
    }
    printf("\n");

    DIR *dir = opendir("/proc/self/fd");
    if (!dir) { printf("opendir: %s\n", strerror(errno)); return 1; }
    int listed = 0, strangers = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        listed++;
        if (fd > 3 && fd != dirfd(dir)) strangers++;
    }
    closedir(dir);
    printf("/proc/self/fd: %d entries, %d not the program's\n", listed, strangers);

    /* Blind writes, closes and dup2s over the whole range the program did not open. */
    int refused = 0, tried = 0;
    for (long fd = 4; fd < top; fd++) {
        if (fd == 1024 && top > 1024) fd = top - 256 > 1024 ? top - 256 : 1024;
        if (isOpen(fd)) continue;
        tried++;
        if (write((int)fd, "x", 1) < 0 && errno == EBADF) refused++;
        close((int)fd);
    }
    printf("writes to unopened numbers: %s\n", refused == tried ? "all EBADF" : "SOME WENT THROUGH");
    puts("still running");
    return 0;
}
