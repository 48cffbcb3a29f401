#if canImport(Glibc)
import Glibc
#endif
@preconcurrency import CFFI

/// Host instruction-set extensions the translator may use, detected once with CPUID.
///
/// The baseline (x86-64's SSE2) is enough for every inline F/D lowering except the fused
/// multiply-adds, which need FMA3 (and an OS that saves the AVX state VEX code touches); without
/// it they go to `FloatUnit`. Setting `TRAPEZE_JIT_BASELINE=1` in the environment pretends the
/// host has nothing beyond the baseline, to exercise that fallback on a machine that has FMA3.
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
    public var sse41: Bool
    public var fma: Bool

    public static let baseline = CPUFeatures(sse41: false, fma: false)

    /// What this host has (or `baseline` when `TRAPEZE_JIT_BASELINE` is set).
    public static let host: CPUFeatures = {
        if let v = getenv("TRAPEZE_JIT_BASELINE"), v.pointee != 0, v.pointee != 0x30 /* "0" */ { return .baseline }
        return detect()
    }()

    static func detect() -> CPUFeatures {
        #if arch(x86_64)
        var r: [UInt32] = [0, 0, 0, 0]
        trapeze_cpuid(0, 0, &r)
        guard r[0] >= 1 else { return .baseline }
        trapeze_cpuid(1, 0, &r)
        let ecx = r[2]
        let sse41 = ecx & (1 << 19) != 0
        let osxsave = ecx & (1 << 27) != 0
        let avx = ecx & (1 << 28) != 0
        // VEX-encoded instructions fault unless the OS has enabled the SSE and AVX states.
        let avxState = osxsave && trapeze_xgetbv0() & 0b110 == 0b110
        let fma = ecx & (1 << 12) != 0 && avx && avxState
        return CPUFeatures(sse41: sse41, fma: fma)
        #else
        return .baseline
        #endif
    }

    public var description: String {
        let names = [sse41 ? "sse4.1" : nil, fma ? "fma3" : nil].compactMap { $0 }
        return names.isEmpty ? "baseline (sse2)" : names.joined(separator: " ")
    }
}
