/* The guest's own /proc/self/maps: glibc's pthread_getattr_np finds the main thread's stack by
 * parsing it, and the program's text must be listed under its own name. Prints relations, not
 * addresses (Trapeze's layout differs from QEMU's). qemu-riscv64 only recognizes the literal
 * /proc/self/ and /proc/<pid>/ spellings; LinuxTests cover the others (thread-self, `..`). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef PROGRAM_NAME
#define PROGRAM_NAME "/procmaps"
#endif

static int count_text_lines(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        const char *slash = strrchr(line, '/');
        if (strstr(line, " r-xp ") && slash && strcmp(slash, PROGRAM_NAME) == 0) n++;
    }
    fclose(f);
    return n;
}

int main(void) {
    volatile int local = 0;
    pthread_attr_t attr;
    int rc = pthread_getattr_np(pthread_self(), &attr);
    printf("pthread_getattr_np: %d\n", rc);
    if (rc == 0) {
        void *base;
        size_t size;
        pthread_attr_getstack(&attr, &base, &size);
        char *p = (char *)&local;
        printf("local inside stack: %d\n", p >= (char *)base && p < (char *)base + size);
        printf("stack at least 128 KiB: %d\n", size >= 128 * 1024);
        pthread_attr_destroy(&attr);
    }
    printf("r-xp lines naming the program (/proc/self/maps): %d\n", count_text_lines("/proc/self/maps"));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)getpid());
    printf("same via /proc/<pid>/maps: %d\n", count_text_lines(path));
    int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
    int fd = openat(dir, "maps", O_RDONLY);
    char head[64];
    ssize_t got = fd >= 0 ? pread(fd, head, sizeof head - 1, 0) : -1;
    printf("openat(dirfd) + pread: %d\n", got > 0);
    char again[64];
    int rewound = fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && read(fd, again, sizeof again - 1) == got;
    printf("lseek to 0 + read again: %d\n", rewound && memcmp(head, again, (size_t)got) == 0);
    if (fd >= 0) close(fd);
    if (dir >= 0) close(dir);
    return 0;
}
