/* The one fault-recovering copy between Trapeze and guest memory (used only by the Guest
 * module's GuestFaultRecovery). A guest page can fault even when its permissions allow the
 * access: a file mapping past the end of its file, or a truncated memfd, raises SIGBUS. The copy
 * runs here, in C, with a jump buffer armed, and the fault handler jumps back out of it; no
 * Swift frame lies between the two, so nothing is skipped that needed to run. */
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct trapeze_guard {
    sigjmp_buf jump;
    volatile int armed;
    volatile uintptr_t address;
    /* The signal of the last host fault on a guest access on this thread (a guarded copy's, or
     * translated code's), so a SIGBUS is told apart from a SIGSEGV after the fact. */
    volatile int signal;
};

/* This thread's guard; a function-local static, which Swift's C importer emits with the
 * function (it emits no file-scope static variables). */
static inline struct trapeze_guard *trapeze_guard_current(void) {
    static __thread struct trapeze_guard state;
    return &state;
}

/* Copies n bytes; returns 0, or 1 when a host fault stopped the copy. */
static inline int trapeze_guarded_copy(void *dst, const void *src, size_t n) {
    struct trapeze_guard *g = trapeze_guard_current();
    if (sigsetjmp(g->jump, 0)) return 1;
    g->armed = 1;
    memmove(dst, src, n);
    g->armed = 0;
    return 0;
}

/* Fills n bytes with `byte`; returns 0, or 1 when a host fault stopped it. */
static inline int trapeze_guarded_fill(void *dst, int byte, size_t n) {
    struct trapeze_guard *g = trapeze_guard_current();
    if (sigsetjmp(g->jump, 0)) return 1;
    g->armed = 1;
    memset(dst, byte, n);
    g->armed = 0;
    return 0;
}

/* Compare-and-exchange of the 4 or 8 bytes at p: 1 when it stored `desired`, 0 when memory
 * held something else (now in *expected), -1 when a host fault stopped it. */
static inline int trapeze_guarded_cas(void *p, size_t size, uint64_t *expected, uint64_t desired) {
    struct trapeze_guard *g = trapeze_guard_current();
    if (sigsetjmp(g->jump, 0)) return -1;
    g->armed = 1;
    int stored;
    if (size == 4) {
        uint32_t seen = (uint32_t)*expected;
        stored = __atomic_compare_exchange_n((uint32_t *)p, &seen, (uint32_t)desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = seen;
    } else {
        stored = __atomic_compare_exchange_n((uint64_t *)p, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    g->armed = 0;
    return stored;
}
/* Records a host fault on a guest access that translated code took (async-signal-safe). */
static inline void trapeze_note_host_fault(int signal, void *address) {
    struct trapeze_guard *g = trapeze_guard_current();
    g->address = (uintptr_t)address;
    g->signal = signal;
}
/* The signal of the last host fault on a guest access on this thread (0 before any). */
static inline int trapeze_last_host_fault_signal(void) { return trapeze_guard_current()->signal; }
/* The host address of the last fault a guarded copy took. */
static inline uintptr_t trapeze_guarded_fault_address(void) { return trapeze_guard_current()->address; }

/* Called from a SIGSEGV/SIGBUS handler: when a guarded copy is running on this thread, unblocks
 * the signal (the jump does not restore the mask) and resumes the copy's caller with failure.
 * Returns only when no copy is running. */
static inline void trapeze_guarded_recover(int signal, void *address) {
    struct trapeze_guard *g = trapeze_guard_current();
    if (!g->armed) return;
    g->armed = 0;
    g->address = (uintptr_t)address;
    g->signal = signal;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    pthread_sigmask(SIG_UNBLOCK, &set, 0);
    siglongjmp(g->jump, 1);
}
