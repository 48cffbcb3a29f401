/* signals: signal delivery in the order a program observes it. Every line is
 * written with write(2) at the moment it happens (async-signal-safe, unbuffered),
 * so the output is the order of events:
 *   1. SIGUSR1 by raise() (tgkill, si_code SI_TKILL) and by kill(getpid()) (SI_USER)
 *      to an SA_SIGINFO handler;
 *   2. SIGUSR2 whose handler raises SIGUSR1, which sa_mask defers until it returns;
 *   3. sigprocmask: SIGUSR1 blocked stays pending, and is delivered on unblock
 *      before sigprocmask returns;
 *   4. SIGALRM from an interval timer, waited for with pause() and then with a busy
 *      loop (delivery must interrupt running code); alarm()'s remaining seconds;
 *   5. SIGSEGV from a bad load, caught by a handler that siglongjmps out; twice,
 *      which only works if siglongjmp restored the signal mask.
 * (alarm() itself counts whole seconds; the waits use a 20 ms setitimer, which is
 * the same system call glibc makes for alarm() on riscv64, to keep the run short.) */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static void say(const char *s) {
    ssize_t ignored = write(1, s, strlen(s));
    (void)ignored;
}

static void say_number(const char *prefix, long n) {
    char buf[64], digits[24];
    int len = 0, neg = n < 0;
    unsigned long u = neg ? -(unsigned long)n : (unsigned long)n;
    do
        digits[len++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    size_t p = strlen(prefix);
    memcpy(buf, prefix, p);
    if (neg)
        buf[p++] = '-';
    while (len > 0)
        buf[p++] = digits[--len];
    buf[p++] = '\n';
    buf[p] = 0;
    say(buf);
}

static volatile sig_atomic_t usr1_count, alarm_count;

static void on_usr1(int sig, siginfo_t *info, void *context) {
    (void)context;
    usr1_count++;
    say_number("  SIGUSR1 handler: signal ", sig);
    say(info->si_code == SI_TKILL ? "  si_code SI_TKILL\n"
        : info->si_code == SI_USER ? "  si_code SI_USER\n"
                                   : "  si_code other\n");
    say(info->si_pid == getpid() ? "  si_pid is our pid\n" : "  si_pid is NOT our pid\n");
}

static void on_usr2(int sig) {
    (void)sig;
    say("  SIGUSR2 handler: enter, raising SIGUSR1 (masked by sa_mask)\n");
    raise(SIGUSR1);
    say("  SIGUSR2 handler: leave\n");
}

static void on_alarm(int sig) {
    (void)sig;
    alarm_count++;
    say("  SIGALRM handler\n");
}

static sigjmp_buf recover;
static volatile void *fault_address;

static void on_segv(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    fault_address = info->si_addr;
    siglongjmp(recover, 1);
}

static void arm_timer_ms(int ms) {
    struct itimerval t = {{0, 0}, {0, ms * 1000}};
    setitimer(ITIMER_REAL, &t, NULL);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);

    say("1. raise(SIGUSR1)\n");
    raise(SIGUSR1);
    say("1. kill(getpid(), SIGUSR1)\n");
    kill(getpid(), SIGUSR1);
    say_number("1. handler ran times: ", usr1_count);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGUSR2, &sa, NULL);
    say("2. raise(SIGUSR2)\n");
    raise(SIGUSR2);
    say("2. back in main\n");

    sigset_t block, pending, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    say("3. SIGUSR1 blocked, raising it\n");
    raise(SIGUSR1);
    sigpending(&pending);
    say(sigismember(&pending, SIGUSR1) ? "3. SIGUSR1 is pending\n" : "3. SIGUSR1 is NOT pending\n");
    say("3. unblocking\n");
    sigprocmask(SIG_SETMASK, &old, NULL);
    say("3. sigprocmask returned\n");
    sigpending(&pending);
    say(sigismember(&pending, SIGUSR1) ? "3. still pending\n" : "3. nothing pending\n");

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    say("4. timer armed, pause()\n");
    arm_timer_ms(20);
    pause();
    say("4. pause returned\n");
    say("4. timer armed, busy loop\n");
    arm_timer_ms(20);
    volatile uint64_t spin = 1;
    while (alarm_count < 2)
        spin = spin * 6364136223846793005ULL + 1;
    say("4. busy loop saw the signal\n");
    alarm(5);
    say_number("4. alarm(0) after alarm(5) returned ", alarm(0));

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    for (int round = 1; round <= 2; round++) {
        if (sigsetjmp(recover, 1) == 0) {
            say_number("5. bad load, round ", round);
            volatile int *bad = (volatile int *)(uintptr_t)(0x40 * round);
            (void)*bad;
            say("5. the load did not fault\n");
        } else {
            say(fault_address == (void *)(uintptr_t)(0x40 * round) ? "5. recovered, si_addr matches\n"
                                                                    : "5. recovered, si_addr WRONG\n");
            sigset_t now;
            sigprocmask(SIG_BLOCK, NULL, &now);
            say(sigismember(&now, SIGSEGV) ? "5. SIGSEGV still blocked\n" : "5. SIGSEGV unblocked\n");
        }
    }
    say("done\n");
    return 0;
}
