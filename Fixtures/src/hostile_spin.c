/* hostile_spin: a guest that never finishes, for --timeout, --max-insns and
 * signals sent to Trapeze.
 *   spin        busy loop forever (no system calls)
 *   sleep       one nanosleep of an hour (blocked in a system call)
 *   handlers    SIGINT/SIGTERM/SIGHUP handlers that print the signal and exit
 *               with 40 + its number; then a busy loop
 *   badhandler  a SIGTERM handler that itself stores through NULL; then a busy loop
 *   faulthandlers  SIGSEGV/SIGBUS handlers like `handlers` (for those signals sent with kill)
 * Each mode prints "ready" once set up, so a test can send its signal after that.
 * Without an argument: spins for 10^6 iterations and exits 0, so the manifest run
 * finishes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void on_signal(int sig) {
    char msg[32];
    int n = snprintf(msg, sizeof msg, "caught signal %d\n", sig);
    write(1, msg, (size_t)n);
    _exit(40 + sig);
}

static void faulting_handler(int sig) {
    (void)sig;
    write(1, "handler faulting\n", 17);
    volatile unsigned long address = 0x8;
    *(volatile int *)address = 1;
}

static void ready(void) {
    printf("ready\n");
    fflush(stdout);
}

static void spin(void) {
    volatile unsigned long n = 0;
    for (;;) n++;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "spin") == 0) {
        ready();
        spin();
    } else if (strcmp(mode, "sleep") == 0) {
        ready();
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
        printf("woke up\n");
    } else if (strcmp(mode, "handlers") == 0) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        ready();
        spin();
    } else if (strcmp(mode, "faulthandlers") == 0) {
        signal(SIGSEGV, on_signal);
        signal(SIGBUS, on_signal);
        ready();
        spin();
    } else if (strcmp(mode, "badhandler") == 0) {
        signal(SIGTERM, faulting_handler);
        ready();
        spin();
    } else {
        volatile unsigned long n = 0;
        for (unsigned long i = 0; i < 1000000; i++) n += i;
        printf("spun %lu\n", (unsigned long)n);
    }
    return 0;
}
