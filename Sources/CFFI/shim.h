#include <ffi.h>

/* CPUID and XGETBV for the JIT's start-up feature detection (Sources/JIT/CPUFeatures.swift). */
#if defined(__x86_64__)
#include <cpuid.h>
static inline void trapeze_cpuid(unsigned leaf, unsigned subleaf, unsigned out[4]) {
    __cpuid_count(leaf, subleaf, out[0], out[1], out[2], out[3]);
}
/* XCR0: which register states the OS saves (bits 1 and 2: SSE and AVX, needed for VEX code). */
static inline unsigned long long trapeze_xgetbv0(void) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif
