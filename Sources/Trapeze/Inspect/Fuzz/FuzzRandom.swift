/// A small seedable generator (SplitMix64), so a seed names the same instruction streams on
/// every machine and Swift version.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// True with probability `1/n`.
    /// Uniform in `0..<n` (`n` > 0).
    mutating func below(_ n: Int) -> Int { Int(truncatingIfNeeded: next(upperBound: UInt64(max(1, n)))) }

    /// True with probability `1/n`.
    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// Register and memory values that find bugs: zero, ±1, the integer extremes, and for floats the
/// NaNs (quiet and signalling), ±0, ±infinity, subnormals and the normal extremes, as single
/// (NaN-boxed) and double bit patterns.
enum EdgeValues {
    static let integers: [UInt64] = [
        0, 1, UInt64.max, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000, 0x7fff_ffff,
        0xffff_ffff, 0xffff_ffff_8000_0000, 0x1_0000_0000, 2, 0xff, 0x80, 63, 64, 31, 32,
    ]
    static let singles: [UInt32] = [
        0x0000_0000, 0x8000_0000, 0x3f80_0000, 0xbf80_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000,
        0x7f80_0001, 0xffc0_0001, 0x0000_0001, 0x807f_ffff, 0x0080_0000, 0x7f7f_ffff, 0x4f00_0000,
        0xcf00_0000, 0x5f00_0000, 0x3f00_0000, 0x4b00_0001,
    ]
    static let doubles: [UInt64] = [
        0, 0x8000_0000_0000_0000, 0x3ff0_0000_0000_0000, 0xbff0_0000_0000_0000, 0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000, 0x7ff8_0000_0000_0000, 0x7ff0_0000_0000_0001, 0xfff8_0000_0000_0001,
        0x0000_0000_0000_0001, 0x800f_ffff_ffff_ffff, 0x0010_0000_0000_0000, 0x7fef_ffff_ffff_ffff,
        0x41e0_0000_0000_0000, 0xc3e0_0000_0000_0000, 0x43f0_0000_0000_0000, 0x3fe0_0000_0000_0000,
        0x4330_0000_0000_0001,
    ]

    static func integer(_ r: inout FuzzRandom) -> UInt64 {
        r.oneIn(2) ? r.pick(integers) : (r.oneIn(3) ? r.next() & 0xffff : r.next())
    }

    /// A NaN-boxed single, a double, or now and then a badly boxed value.
    static func float(_ r: inout FuzzRandom) -> UInt64 {
        switch r.below(8) {
        case 0, 1, 2: 0xffff_ffff_0000_0000 | UInt64(r.oneIn(2) ? r.pick(singles) : UInt32(truncatingIfNeeded: r.next()))
        case 3, 4, 5, 6: r.oneIn(2) ? r.pick(doubles) : r.next()
        default: UInt64(r.pick(singles))
        }
    }
}
