#include <ffi.h>

/* The host features the JIT may use (Sources/JIT/CPUFeatures.swift), as glibc found them at
   start-up: its cpuid results, with the OS's register-state check for VEX code (AVX, FMA, F16C
   are "active" only when XCR0 enables the AVX state). Asking cpuid again cost six VM exits per
   process under a hypervisor (~50 us of a 2.5 ms start). Bits: 0 SSE4.1, 1 FMA, 2 POPCNT,
   3 LZCNT, 4 BMI1, 5 BMI2, 6 AES, 7 F16C, 8 PCLMULQDQ. */
#if defined(__x86_64__)
#include <sys/platform/x86.h>
static inline unsigned trapeze_host_features(void) {
    return (CPU_FEATURE_ACTIVE(SSE4_1) ? 1u << 0 : 0) | (CPU_FEATURE_ACTIVE(FMA) ? 1u << 1 : 0)
         | (CPU_FEATURE_ACTIVE(POPCNT) ? 1u << 2 : 0) | (CPU_FEATURE_ACTIVE(LZCNT) ? 1u << 3 : 0)
         | (CPU_FEATURE_ACTIVE(BMI1) ? 1u << 4 : 0) | (CPU_FEATURE_ACTIVE(BMI2) ? 1u << 5 : 0)
         | (CPU_FEATURE_ACTIVE(AES) ? 1u << 6 : 0) | (CPU_FEATURE_ACTIVE(F16C) ? 1u << 7 : 0)
         | (CPU_FEATURE_ACTIVE(PCLMULQDQ) ? 1u << 8 : 0);
}
#endif
