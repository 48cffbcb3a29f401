/* hostile_fork: forks children (each waits for its parent to close a pipe) until
 * fork fails or 16 are alive, then releases and reaps them. Prints how many
 * forks succeeded and the errno of the one that failed, if any. With
 * --max-processes N Trapeze must stop it at N-1 children with EAGAIN. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAP 16

int main(void) {
    int gate[2];
    if (pipe(gate) != 0) { perror("pipe"); return 2; }
    int children = 0, err = 0;
    for (; children < CAP; children++) {
        pid_t pid = fork();
        if (pid < 0) { err = errno; break; }
        if (pid == 0) {
            char c;
            close(gate[1]);
            while (read(gate[0], &c, 1) > 0) {}
            _exit(0);
        }
    }
    close(gate[1]);
    int reaped = 0, status;
    while (wait(&status) > 0) reaped += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (err) printf("forked %d children, then fork failed: %s\n", children, err == EAGAIN ? "EAGAIN" : strerror(err));
    else printf("forked %d children\n", children);
    printf("reaped %d\n", reaped);
    /* Once they are gone, forking works again. */
    pid_t pid = fork();
    if (pid == 0) _exit(7);
    if (pid < 0) { printf("fork after reaping failed: %s\n", strerror(errno)); return 1; }
    waitpid(pid, &status, 0);
    printf("fork after reaping: child status %d\n", WEXITSTATUS(status));
    return 0;
}
