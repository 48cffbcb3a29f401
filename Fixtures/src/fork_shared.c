/* A MAP_SHARED | MAP_ANONYMOUS page written by a forked child is seen by the parent (and the
 * other way round), while a MAP_PRIVATE page stays copy-on-write; a process-shared futex on the
 * shared page wakes across the two processes. */
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    volatile uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile uint32_t *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED || private == MAP_FAILED) { perror("mmap"); return 1; }
    shared[0] = 1;
    private[0] = 1;
    pid_t pid = fork();
    if (pid == 0) {
        shared[0] = 42;
        private[0] = 42;
        /* Wait (process-shared futex) until the parent answers. */
        __atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, &shared[1], FUTEX_WAKE, 1, NULL, NULL, 0);
        while (__atomic_load_n(&shared[2], __ATOMIC_SEQ_CST) == 0)
            syscall(SYS_futex, &shared[2], FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(shared[3] == 7 ? 0 : 3);
    }
    while (__atomic_load_n(&shared[1], __ATOMIC_SEQ_CST) == 0)
        syscall(SYS_futex, &shared[1], FUTEX_WAIT, 0, NULL, NULL, 0);
    printf("parent sees shared %u private %u\n", shared[0], private[0]);
    shared[3] = 7;
    __atomic_store_n(&shared[2], 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &shared[2], FUTEX_WAKE, 1, NULL, NULL, 0);
    int status;
    waitpid(pid, &status, 0);
    printf("child saw the parent's write: %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "yes" : "no");
    return 0;
}
