#if canImport(Glibc)
import Glibc
#endif
@preconcurrency import CFFI

/// Host instruction-set extensions the translator may use, detected once with CPUID.
///
/// The baseline (x86-64's SSE2) is enough for every inline F/D lowering except the fused
/// multiply-adds, which need FMA3 (and an OS that saves the AVX state VEX code touches); without
/// it they go to `FloatUnit`. The bit group uses POPCNT, LZCNT, BMI1 (andn, tzcnt) and BMI2
/// where present, with plain x86-64 (bsr/bsf, not/and) or a helper call otherwise. Setting
/// `TRAPEZE_JIT_BASELINE=1` in the environment pretends the host has nothing beyond the
/// baseline, to exercise those fallbacks on a machine that has it all; `JITOptions.hostFeatures`
/// does the same for one engine.
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
    public var sse41: Bool
    public var fma: Bool
    public var popcnt = false
    public var lzcnt = false
    public var bmi1 = false
    public var bmi2 = false
    /// AES-NI (CPUID.1:ECX bit 25): the crypto group's aes64* lowerings.
    public var aes = false
    /// F16C (CPUID.1:ECX bit 29, with the AVX state): Zfh's widening conversions.
    public var f16c = false
    /// PCLMULQDQ (CPUID.1:ECX bit 1): clmul, clmulh and clmulr inline.
    public var pclmul = false

    public init(sse41: Bool, fma: Bool, popcnt: Bool = false, lzcnt: Bool = false, bmi1: Bool = false, bmi2: Bool = false) {
        self.sse41 = sse41
        self.fma = fma
        self.popcnt = popcnt
        self.lzcnt = lzcnt
        self.bmi1 = bmi1
        self.bmi2 = bmi2
    }

    public static let baseline = CPUFeatures(sse41: false, fma: false)

    /// What this host has, masked by `TRAPEZE_HOST_FEATURES` (or `baseline` when
    /// `TRAPEZE_JIT_BASELINE` is set).
    public static let host: CPUFeatures = {
        if let v = getenv("TRAPEZE_JIT_BASELINE"), v.pointee != 0, v.pointee != 0x30 /* "0" */ { return .baseline }
        guard let mask = getenv("TRAPEZE_HOST_FEATURES") else { return detect() }
        return detect().masked(by: String(cString: mask))
    }()

    /// The names `TRAPEZE_HOST_FEATURES` takes, with the key path of each.
    nonisolated(unsafe) static let names: [(String, WritableKeyPath<CPUFeatures, Bool>)] = [
        ("sse4.1", \.sse41), ("fma3", \.fma), ("popcnt", \.popcnt), ("lzcnt", \.lzcnt), ("bmi1", \.bmi1),
        ("bmi2", \.bmi2), ("aes", \.aes), ("pclmul", \.pclmul), ("f16c", \.f16c),
    ]

    /// These features as a `TRAPEZE_HOST_FEATURES` value says: `baseline` (nothing beyond SSE2),
    /// then comma-separated `-name` to take one away (`-pclmul,-aes`); other words are ignored.
    /// It only ever removes: a host cannot be given what it lacks.
    public func masked(by text: String) -> CPUFeatures {
        var result = self
        for word in text.split(separator: ",").map({ $0.filter { $0 != " " }.lowercased() }) {
            if word == "baseline" { result = .baseline; continue }
            guard word.hasPrefix("-"), let entry = CPUFeatures.names.first(where: { $0.0 == word.dropFirst() }) else { continue }
            result[keyPath: entry.1] = false
        }
        return result
    }

    public static func detect() -> CPUFeatures {
        #if arch(x86_64)
        let bits = trapeze_host_features()
        func has(_ bit: UInt32) -> Bool { bits & (1 << bit) != 0 }
        var features = CPUFeatures(sse41: has(0), fma: has(1), popcnt: has(2), lzcnt: has(3), bmi1: has(4), bmi2: has(5))
        features.aes = has(6)
        features.f16c = has(7)
        features.pclmul = has(8)
        return features
        #else
        return .baseline
        #endif
    }

    public var description: String {
        let names = [sse41 ? "sse4.1" : nil, fma ? "fma3" : nil, popcnt ? "popcnt" : nil, lzcnt ? "lzcnt" : nil,
                     bmi1 ? "bmi1" : nil, bmi2 ? "bmi2" : nil,
                     aes ? "aes" : nil, f16c ? "f16c" : nil, pclmul ? "pclmul" : nil].compactMap { $0 }
        return names.isEmpty ? "baseline (sse2)" : names.joined(separator: " ")
    }
}
