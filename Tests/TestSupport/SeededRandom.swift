/// The tests' one random generator: Steele, Lea and Flood's SplitMix64, small and the same
/// sequence on every machine and Swift version, so a failure reproduces from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// In `0..<n` (`n` > 0), by remainder: the small bias does not matter to a test.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    public mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// True with probability `1/n`.
    public mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
}
