/* libc functions Swift's Glibc module leaves out: GNU extensions (mremap, memfd_create) and
 * variadic functions (syscall). They are declared here under our own names, bound to the libc
 * symbols with asm labels so nothing clashes with glibc's own declarations, and reached through
 * fixed-argument inline wrappers so every call is a proper C (variadic) call.
 *
 * Linking against these symbols directly instead of looking them up with dlsym at run time
 * keeps them working in the statically linked `trapeze` executable, which has no dynamic
 * symbol table to look in. */
#include <stddef.h>

extern long trapeze_libc_syscall(long number, ...) __asm__("syscall");
extern void *trapeze_libc_mremap(void *old, size_t oldSize, size_t newSize, int flags, ...) __asm__("mremap");
extern int trapeze_libc_memfd_create(const char *name, unsigned int flags) __asm__("memfd_create");

extern unsigned long trapeze_libc_getauxval(unsigned long type) __asm__("getauxval");

/* getauxval(3): the value of one of this process's auxiliary vector entries, or 0 with errno
 * ENOENT when the kernel did not pass it. */
static inline unsigned long trapeze_getauxval(unsigned long type) {
    return trapeze_libc_getauxval(type);
}

/* syscall(2) with six arguments: a value, or -1 with errno set. */
static inline long trapeze_syscall(long number, long a, long b, long c, long d, long e, long f) {
    return trapeze_libc_syscall(number, a, b, c, d, e, f);
}

/* mremap(2) without MREMAP_FIXED (whose new address would be the fifth argument). */
static inline void *trapeze_mremap(void *old, size_t oldSize, size_t newSize, int flags) {
    return trapeze_libc_mremap(old, oldSize, newSize, flags);
}

/* memfd_create(2). */
static inline int trapeze_memfd_create(const char *name, unsigned int flags) {
    return trapeze_libc_memfd_create(name, flags);
}

/* Host atomics over raw guest memory, for the interpreter's AMOs and sc (several guest threads
 * share memory): sequentially consistent compare-and-exchange and a full fence. */
static inline int trapeze_cas32(void *p, unsigned int *expected, unsigned int desired) {
    return __atomic_compare_exchange_n((unsigned int *)p, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static inline int trapeze_cas64(void *p, unsigned long *expected, unsigned long desired) {
    return __atomic_compare_exchange_n((unsigned long *)p, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/* amocas.q: one `lock cmpxchg16b` on a 16-byte-aligned pair; on failure `expected` receives
 * what memory holds. */
static inline int trapeze_cas128(void *p, unsigned long *expected, unsigned long low, unsigned long high) {
    unsigned char ok;
    __asm__ __volatile__("lock cmpxchg16b %1\n\tsete %0"
                         : "=q"(ok), "+m"(*(volatile unsigned long (*)[2])p), "+a"(expected[0]), "+d"(expected[1])
                         : "b"(low), "c"(high)
                         : "memory", "cc");
    return ok;
}
static inline void trapeze_full_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
