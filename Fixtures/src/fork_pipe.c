/* fork_pipe: pipe + fork. The first child writes numbered messages into the pipe
 * and exits with status 7; the parent reads until end of file (which needs every
 * write end closed), then waitpid()s and prints how the child ended. A second
 * child kills itself with SIGTERM, and the parent reports the signal. Only the
 * parent writes to stdout, so the output order is fixed. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    fflush(stdout); /* nothing buffered may be duplicated into the child */
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        close(fds[0]);
        char msg[64];
        for (int i = 1; i <= 5; i++) {
            int n = snprintf(msg, sizeof msg, "message %d from the child\n", i);
            if (write(fds[1], msg, n) != n)
                _exit(2);
        }
        close(fds[1]);
        _exit(7);
    }
    close(fds[1]);
    char buf[512];
    size_t total = 0;
    ssize_t n;
    while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    buf[total] = 0;
    close(fds[0]);
    printf("parent read %zu bytes:\n%s", total, buf);

    int status = 0;
    pid_t waited = waitpid(child, &status, 0);
    printf("waitpid returned the child: %s\n", waited == child ? "yes" : "no");
    if (WIFEXITED(status))
        printf("child exited with status %d\n", WEXITSTATUS(status));
    else
        printf("child did not exit normally\n");

    fflush(stdout);
    pid_t second = fork();
    if (second == 0) {
        kill(getpid(), SIGTERM);
        _exit(3); /* not reached */
    }
    waitpid(second, &status, 0);
    if (WIFSIGNALED(status))
        printf("second child killed by signal %d (%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        printf("second child was not killed by a signal\n");
    return WIFEXITED(status) ? 1 : 0;
}
