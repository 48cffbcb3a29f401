/* Ends of threaded programs: `fork` from a threaded program (the child has one thread), and
 * pthread_exit from main while other threads still run (the process lives until the last one is
 * done; glibc then exits with status 0). */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready;

static void *background(void *arg) {
    (void)arg;
    pthread_mutex_lock(&m);
    while (!ready) pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    usleep(20000);
    printf("background thread outlived main\n");
    fflush(stdout);
    return NULL;
}

static void *forker(void *arg) {
    (void)arg;
    pid_t pid = fork();
    if (pid == 0) {
        printf("child of a thread runs\n");
        fflush(stdout);
        _exit(5);
    }
    int status;
    waitpid(pid, &status, 0);
    return (void *)(long)WEXITSTATUS(status);
}

int main(void) {
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, forker, NULL);
    pthread_join(t, &r);
    printf("forked child exit %ld\n", (long)r);
    fflush(stdout);

    pthread_create(&t, NULL, background, NULL);
    printf("main calls pthread_exit\n");
    fflush(stdout);
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&c);
    pthread_mutex_unlock(&m);
    pthread_exit(NULL);
}
