/* Tries to get out of `trapeze run --sandbox --allow-path RW --allow-path RO:ro`: files outside
 * the allowed directories (directly, through a symlink, through a directory fd), writes to a
 * read-only one, /proc beyond the guest's own files, host programs, other processes, sockets.
 * Usage: hostile_sandbox RW RO. Run under Trapeze only (HostileSandboxTests). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *result(long r) {
    static char buf[32];
    if (r >= 0) return "allowed";
    snprintf(buf, sizeof buf, "%s", errno == EACCES ? "EACCES" : errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : strerror(errno));
    return buf;
}

static void try(const char *what, long r) {
    printf("%-34s %s\n", what, result(r));
    if (r > 2) close((int)r);
}

int main(int argc, char **argv) {
    if (argc < 3) { puts("usage: hostile_sandbox RW RO"); return 2; }
    char path[4096];
    try("read /etc/passwd", open("/etc/passwd", O_RDONLY));
    snprintf(path, sizeof path, "%s/file", argv[1]);
    try("create in the rw directory", open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    try("read it back", open(path, O_RDONLY));
    snprintf(path, sizeof path, "%s/link", argv[1]);
    unlink(path);
    try("symlink to /etc/passwd", symlink("/etc/passwd", path));
    try("open through the symlink", open(path, O_RDONLY));
    int dir = open(argv[1], O_RDONLY | O_DIRECTORY);
    try("openat dirfd ../../../etc/passwd", openat(dir, "../../../../../../etc/passwd", O_RDONLY));
    close(dir);
    snprintf(path, sizeof path, "%s/data", argv[2]);
    try("read in the ro directory", open(path, O_RDONLY));
    try("write in the ro directory", open(path, O_WRONLY));
    snprintf(path, sizeof path, "%s/new", argv[2]);
    try("create in the ro directory", open(path, O_WRONLY | O_CREAT, 0644));
    try("unlink in the ro directory", unlink(path));
    try("mkdir in /tmp", mkdir("/tmp/trapeze-sandbox-escape", 0700));
    try("/proc/self/maps", open("/proc/self/maps", O_RDONLY));
    try("/proc/self/status", open("/proc/self/status", O_RDONLY));
    try("/proc/cpuinfo", open("/proc/cpuinfo", O_RDONLY));
    try("/proc/1/cmdline", open("/proc/1/cmdline", O_RDONLY));
    try("/proc/self/cgroup", open("/proc/self/cgroup", O_RDONLY));
    try("kill the parent", kill(getppid(), 0));
    try("kill every process", kill(-1, 0));
    try("socket", socket(AF_INET, SOCK_STREAM, 0));
    fflush(stdout);
    char *args[] = {"/bin/true", 0};
    execv("/bin/true", args);
    printf("%-34s %s\n", "execve /bin/true", result(-1));
    puts("still running");
    return 0;
}
