/* binfmt_probe: what a program started through binfmt_misc sees. Prints argc and every argv
 * string, where /proc/self/exe and AT_EXECFN point (last path component only: harnesses
 * spell paths differently) and AT_SECURE. `binfmt_probe exec PROG ARGS...` then execs PROG
 * with argv = {PROG, ARGS...}, so a chain of riscv64 programs goes through execve. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static const char *base(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int main(int argc, char **argv) {
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n < 0 ? 0 : n] = 0;
    printf("/proc/self/exe ends in \"%s\"\n", n < 0 ? strerror(errno) : base(exe));
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN = \"%s\"\n", execfn ? execfn : "(none)");
    printf("AT_SECURE = %lu\n", getauxval(AT_SECURE));
    if (argc >= 3 && strcmp(argv[1], "exec") == 0) {
        fflush(stdout);
        execv(argv[2], argv + 2);
        printf("execv %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    return argc;
}
