/* openat's flags and the file kinds it meets, one line each: creating, exclusive and truncating
 * opens, symlinks with and without O_NOFOLLOW, O_PATH, O_DIRECTORY, O_TMPFILE, FIFOs, devices,
 * directory descriptors, close-on-exec. The emulator opens files in several steps (so that a
 * /proc file is checked before it can be read); each answer must still be the kernel's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name(int e) {
    switch (e) {
    case EEXIST: return "EEXIST";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENXIO: return "ENXIO";
    case EBADF: return "EBADF";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EINVAL: return "EINVAL";
    default: return strerror(e);
    }
}

/* Prints the outcome of an open; keeps the descriptor when `keep` is set. */
static int show(const char *label, int fd, int keep) {
    if (fd < 0) printf("%-34s %s\n", label, name(errno));
    else printf("%-34s opened\n", label);
    if (fd >= 0 && !keep) close(fd);
    return fd;
}

static long sizeOf(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void contents(const char *label, const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    printf("%-34s \"%s\" (%ld)\n", label, n >= 0 ? buf : "?", n);
}

int main(void) {
    char dir[] = "/tmp/open_flags.XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0) { puts("no temporary directory"); return 1; }

    int fd = show("O_CREAT a new file", open("f", O_WRONLY | O_CREAT, 0644), 1);
    if (write(fd, "hello", 5) != 5) puts("write failed");
    close(fd);
    show("O_CREAT an existing file", open("f", O_RDWR | O_CREAT, 0644), 0);
    printf("%-34s %ld\n", "size kept", sizeOf("f"));
    show("O_CREAT|O_EXCL an existing file", open("f", O_RDWR | O_CREAT | O_EXCL, 0644), 0);
    fd = show("O_APPEND", open("f", O_WRONLY | O_APPEND), 1);
    if (write(fd, " world", 6) != 6) puts("write failed");
    close(fd);
    contents("after appending", "f");

    if (symlink("f", "link") != 0) puts("symlink failed");
    show("through a symlink", open("link", O_RDONLY), 0);
    show("O_NOFOLLOW on a symlink", open("link", O_RDONLY | O_NOFOLLOW), 0);
    fd = show("O_PATH|O_NOFOLLOW on a symlink", open("link", O_PATH | O_NOFOLLOW), 1);
    struct stat st;
    if (fd >= 0) {
        printf("%-34s %s\n", "  it is", fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && S_ISLNK(st.st_mode) ? "the symlink" : "WRONG");
        printf("%-34s %s\n", "  read from it", read(fd, &st, 1) < 0 ? name(errno) : "read");
        close(fd);
    }
    show("O_NOFOLLOW on a plain file", open("f", O_RDONLY | O_NOFOLLOW), 0);
    if (symlink("made-through-link", "dangling") != 0) puts("symlink failed");
    show("O_CREAT through a dangling link", open("dangling", O_WRONLY | O_CREAT, 0644), 0);
    printf("%-34s %ld\n", "  target made, size", sizeOf("made-through-link"));
    show("O_CREAT|O_EXCL on a symlink", open("link", O_WRONLY | O_CREAT | O_EXCL, 0644), 0);

    fd = show("O_TRUNC", open("f", O_WRONLY | O_TRUNC), 0);
    printf("%-34s %ld\n", "  size now", sizeOf("f"));
    show("missing file", open("missing", O_RDONLY), 0);
    show("missing directory", open("missing/f", O_RDONLY), 0);
    show("a file as a directory", open("f/x", O_RDONLY), 0);
    show("O_DIRECTORY on a file", open("f", O_RDONLY | O_DIRECTORY), 0);
    show("a directory for writing", open(".", O_WRONLY), 0);
    show("empty path", open("", O_RDONLY), 0);

    if (mkdir("sub", 0755) != 0) puts("mkdir failed");
    int sub = show("O_DIRECTORY", open("sub", O_RDONLY | O_DIRECTORY), 1);
    show("relative to a dirfd (O_CREAT)", openat(sub, "g", O_WRONLY | O_CREAT, 0600), 0);
    int subPath = show("O_PATH directory", open("sub", O_PATH), 1);
    show("relative to an O_PATH dirfd", openat(subPath, "g", O_RDONLY), 0);
    show("reading an O_PATH fd", read(subPath, &st, 1) < 0 ? -1 : 0, 0);
    close(subPath);
    fd = show("O_TMPFILE", openat(sub, ".", O_TMPFILE | O_RDWR, 0600), 0);
    DIR *d = fdopendir(sub);
    int entries = 0;
    while (d && readdir(d)) entries++;
    printf("%-34s %d\n", "entries in sub", entries);
    if (d) closedir(d);

    if (mkfifo("fifo", 0644) != 0) puts("mkfifo failed");
    show("FIFO O_RDONLY|O_NONBLOCK", open("fifo", O_RDONLY | O_NONBLOCK), 0);
    show("FIFO O_WRONLY|O_NONBLOCK, no reader", open("fifo", O_WRONLY | O_NONBLOCK), 0);
    int reader = open("fifo", O_RDONLY | O_NONBLOCK);
    int writer = show("FIFO O_WRONLY with a reader", open("fifo", O_WRONLY), 1);
    if (writer >= 0 && write(writer, "p", 1) == 1) {
        char c = 0;
        printf("%-34s %c\n", "  through it", read(reader, &c, 1) == 1 ? c : '?');
    }
    close(writer);
    close(reader);

    fd = show("/dev/null O_RDWR", open("/dev/null", O_RDWR), 1);
    printf("%-34s %ld\n", "  write", (long)write(fd, "x", 1));
    close(fd);
    show("/dev/stdin", open("/dev/stdin", O_RDONLY), 0);
    fd = show("O_CLOEXEC", open("f", O_RDONLY | O_CLOEXEC), 1);
    printf("%-34s %d\n", "  FD_CLOEXEC", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    fd = show("without O_CLOEXEC", open("f", O_RDONLY), 1);
    printf("%-34s %d\n", "  FD_CLOEXEC", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    printf("%-34s %d\n", "  lowest free number", fd);
    close(fd);
    fd = show("O_PATH without O_CLOEXEC", open("f", O_PATH), 1);
    printf("%-34s %d\n", "  FD_CLOEXEC", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);

    unlink("sub/g");
    rmdir("sub");
    unlink("f");
    unlink("link");
    unlink("dangling");
    unlink("made-through-link");
    unlink("fifo");
    if (chdir("/") != 0 || rmdir(dir) != 0) puts("cleanup failed");
    puts("done");
    return 0;
}
