/* Opens, stats and closes absolute paths many times over, as dpkg does with its database: a
 * file that exists (argv[1], default "/") and one that does not. Prints how many of each call
 * gave the expected answer. Tests count the host calls each guest call costs (strace). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/";
    int n = argc > 2 ? atoi(argv[2]) : 100;
    int opened = 0, missing = 0, stated = 0;
    for (int i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            opened++;
            close(fd);
        }
        if (open("/nonexistent-trapeze-open-many/file", O_RDONLY) < 0 && errno == ENOENT) missing++;
        struct stat st;
        if (lstat(path, &st) == 0) stated++;
    }
    printf("opened %d, missing %d, stated %d of %d\n", opened, missing, stated, n);
    return opened == n && missing == n && stated == n ? 0 : 1;
}
