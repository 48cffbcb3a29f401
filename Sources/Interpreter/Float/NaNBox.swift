/// NaN boxing: how a single-precision value lives in a 64-bit f register.
public enum NaNBox {
    /// The bits above a properly boxed single.
    public static let boxBits: UInt64 = 0xffff_ffff_0000_0000
    /// The canonical single-precision NaN.
    public static let canonicalSingle: UInt32 = 0x7fc0_0000

    /// The register value holding the single `bits`.
    @inline(__always)
    public static func box(_ bits: UInt32) -> UInt64 { boxBits | UInt64(bits) }

    /// The single an F instruction reads from a register: its low 32 bits if the upper 32 are
    /// all ones, otherwise the canonical NaN.
    @inline(__always)
    public static func unbox(_ register: UInt64) -> UInt32 {
        register & boxBits == boxBits ? UInt32(truncatingIfNeeded: register) : canonicalSingle
    }
}
