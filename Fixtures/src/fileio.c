/* fileio: file-system system calls through libc. In a fresh directory made by
 * mkdtemp under /tmp (or under argv[1]), it creates a file, writes, seeks, reads
 * back, uses pread/pwrite, dup, ftruncate and stdio, stats it, lists a directory
 * with opendir/readdir (sorted, since getdents order is the file system's),
 * renames, unlinks and removes everything again. Paths are never printed: the
 * directory name is random. Exits 0 when every step behaved, 1 otherwise. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what) {
    printf("%-44s %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    umask(022); /* the printed modes must not depend on the caller's umask */
    char dir[256];
    snprintf(dir, sizeof dir, "%s/trapeze-fileio-XXXXXX", argc > 1 ? argv[1] : "/tmp");
    if (mkdtemp(dir) == NULL) {
        printf("mkdtemp failed: errno %d\n", errno);
        return 1;
    }
    if (chdir(dir) != 0) {
        printf("chdir failed: errno %d\n", errno);
        return 1;
    }
    char cwd[256];
    check(getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, dir) == 0, "getcwd names the new directory");

    /* open/write/lseek/read */
    int fd = open("data.bin", O_CREAT | O_EXCL | O_RDWR, 0640);
    check(fd >= 0, "open O_CREAT|O_EXCL");
    const char text[] = "The quick brown fox jumps over the lazy dog.\n";
    check(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1), "write 45 bytes");
    check(lseek(fd, 0, SEEK_CUR) == 45, "lseek SEEK_CUR is 45");
    check(lseek(fd, 4, SEEK_SET) == 4, "lseek SEEK_SET 4");
    char buf[128] = {0};
    check(read(fd, buf, 5) == 5 && memcmp(buf, "quick", 5) == 0, "read 5 bytes: quick");
    check(lseek(fd, -5, SEEK_END) == 40, "lseek SEEK_END -5");
    memset(buf, 0, sizeof buf);
    check(read(fd, buf, sizeof buf) == 5 && strcmp(buf, "dog.\n") == 0, "read to end: dog.");
    check(read(fd, buf, sizeof buf) == 0, "read at end of file returns 0");

    /* pwrite/pread leave the offset alone */
    check(pwrite(fd, "QUICK", 5, 4) == 5, "pwrite at 4");
    memset(buf, 0, sizeof buf);
    check(pread(fd, buf, 9, 4) == 9 && strcmp(buf, "QUICK bro") == 0, "pread at 4");
    check(lseek(fd, 0, SEEK_CUR) == 45, "offset unchanged by pread/pwrite");

    /* a hole: seek past the end and write */
    check(lseek(fd, 100, SEEK_SET) == 100 && write(fd, "!", 1) == 1, "write after a hole");
    struct stat st;
    check(fstat(fd, &st) == 0 && st.st_size == 101, "fstat size 101");
    check(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640, "fstat regular file, mode 0640");
    check(pread(fd, buf, 1, 60) == 1 && buf[0] == 0, "hole reads as zero");

    /* dup shares the offset */
    int fd2 = dup(fd);
    check(fd2 > fd, "dup returns a new descriptor");
    check(lseek(fd2, 10, SEEK_SET) == 10 && lseek(fd, 0, SEEK_CUR) == 10, "dup shares the file offset");
    check(ftruncate(fd, 20) == 0 && fstat(fd2, &st) == 0 && st.st_size == 20, "ftruncate to 20");
    check(close(fd2) == 0 && close(fd) == 0, "close both");
    check(close(fd) == -1 && errno == EBADF, "close again fails with EBADF");

    /* stdio on top */
    FILE *f = fopen("data.bin", "a+");
    check(f != NULL, "fopen append");
    fprintf(f, "line %d\n", 2);
    fflush(f);
    rewind(f);
    memset(buf, 0, sizeof buf);
    size_t got = fread(buf, 1, sizeof buf, f);
    check(got == 27 && memcmp(buf, "The QUICK brown fox ", 20) == 0 && strcmp(buf + 20, "line 2\n") == 0,
          "fread after fprintf: 27 bytes");
    fclose(f);

    /* stat by path, access, errors */
    check(stat("data.bin", &st) == 0 && st.st_size == 27 && st.st_nlink == 1, "stat by path");
    check(access("data.bin", R_OK | W_OK) == 0, "access R_OK|W_OK");
    check(open("missing", O_RDONLY) == -1 && errno == ENOENT, "open missing file: ENOENT");
    check(mkdir("data.bin", 0755) == -1 && errno == EEXIST, "mkdir over a file: EEXIST");

    /* a directory with files, listed through getdents */
    check(mkdir("listing", 0755) == 0, "mkdir listing");
    const char *names[] = {"listing/delta", "listing/alpha", "listing/charlie", "listing/bravo"};
    for (int i = 0; i < 4; i++) {
        int nf = open(names[i], O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (nf < 0 || write(nf, names[i], strlen(names[i])) < 0)
            failures++;
        close(nf);
    }
    check(mkdir("listing/subdir", 0700) == 0, "mkdir listing/subdir");
    DIR *d = opendir("listing");
    check(d != NULL, "opendir listing");
    char *found[16];
    int count = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && count < 16) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char entry[300];
        snprintf(entry, sizeof entry, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
        found[count++] = strdup(entry);
    }
    if (d)
        closedir(d);
    qsort(found, count, sizeof found[0], compare_names);
    printf("listing has %d entries:", count);
    for (int i = 0; i < count; i++) {
        printf(" %s", found[i]);
        free(found[i]);
    }
    printf("\n");

    /* rename, then the old name is gone and the content moved */
    check(rename("listing/alpha", "listing/omega") == 0, "rename alpha -> omega");
    check(access("listing/alpha", F_OK) == -1 && errno == ENOENT, "old name gone");
    fd = open("listing/omega", O_RDONLY);
    memset(buf, 0, sizeof buf);
    check(fd >= 0 && read(fd, buf, sizeof buf) == 13 && strcmp(buf, "listing/alpha") == 0,
          "renamed file keeps its content");
    close(fd);
    check(rmdir("listing") == -1 && errno == ENOTEMPTY, "rmdir non-empty: ENOTEMPTY");

    /* clean up */
    const char *left[] = {"listing/omega", "listing/bravo", "listing/charlie", "listing/delta", "data.bin"};
    int unlinked = 0;
    for (int i = 0; i < 5; i++)
        unlinked += unlink(left[i]) == 0;
    check(unlinked == 5, "unlink five files");
    check(rmdir("listing/subdir") == 0 && rmdir("listing") == 0, "rmdir subdir and listing");
    check(chdir("/") == 0 && rmdir(dir) == 0, "rmdir the temporary directory");
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
