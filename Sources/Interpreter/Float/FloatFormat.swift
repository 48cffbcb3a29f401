/// An IEEE 754 binary interchange format, described by its field widths. The soft-float code
/// is generic over this so single and double share one implementation; values travel as the
/// raw encoding in the low bits of a `UInt64`.
public protocol FloatFormat {
    static var exponentBits: Int { get }
    static var fractionBits: Int { get }
}

/// binary32 (RISC-V F).
public enum Binary32: FloatFormat {
    public static var exponentBits: Int { 8 }
    public static var fractionBits: Int { 23 }
}

/// binary64 (RISC-V D).
public enum Binary64: FloatFormat {
    public static var exponentBits: Int { 11 }
    public static var fractionBits: Int { 52 }
}

extension FloatFormat {
    /// Significand bits including the hidden one.
    @inline(__always) static var precision: Int { fractionBits + 1 }
    @inline(__always) static var bias: Int { (1 << (exponentBits - 1)) - 1 }
    /// Exponent of the smallest normal number.
    @inline(__always) static var minExponent: Int { 1 - bias }
    /// Exponent of the largest finite numbers.
    @inline(__always) static var maxExponent: Int { bias }

    @inline(__always) static var signBit: UInt64 { 1 << UInt64(exponentBits + fractionBits) }
    @inline(__always) static var fractionMask: UInt64 { (1 << UInt64(fractionBits)) - 1 }
    @inline(__always) static var exponentField: UInt64 { ((1 << UInt64(exponentBits)) - 1) << UInt64(fractionBits) }
    @inline(__always) static var quietBit: UInt64 { 1 << UInt64(fractionBits - 1) }
    @inline(__always) static var infinity: UInt64 { exponentField }
    /// The largest finite magnitude (one below infinity's encoding).
    @inline(__always) static var maxFinite: UInt64 { exponentField - 1 }
    /// The NaN every RISC-V operation produces: positive, quiet, zero payload.
    @inline(__always) static var canonicalNaN: UInt64 { exponentField | quietBit }

    @inline(__always) static func sign(_ x: UInt64) -> Bool { x & signBit != 0 }
    @inline(__always) static func magnitude(_ x: UInt64) -> UInt64 { x & (signBit - 1) }
    @inline(__always) static func isNaN(_ x: UInt64) -> Bool { magnitude(x) > infinity }
    @inline(__always) static func isSignalingNaN(_ x: UInt64) -> Bool { isNaN(x) && x & quietBit == 0 }
    @inline(__always) static func isInfinite(_ x: UInt64) -> Bool { magnitude(x) == infinity }
    @inline(__always) static func isZero(_ x: UInt64) -> Bool { magnitude(x) == 0 }

    /// A finite nonzero value as `significand × 2^exponent` with the significand's top bit at
    /// bit 63, so every operation sees the same normalised shape whatever the format.
    @inline(__always)
    static func unpack(_ x: UInt64) -> (exponent: Int, significand: UInt64) {
        let field = Int(truncatingIfNeeded: (x & exponentField) >> UInt64(fractionBits))
        let fraction = x & fractionMask
        if field == 0 {
            let shift = fraction.leadingZeroBitCount
            return (minExponent - fractionBits - shift, fraction << UInt64(shift))
        }
        let shift = 63 - fractionBits
        return (field - bias - fractionBits - shift, (fraction | (1 << UInt64(fractionBits))) << UInt64(shift))
    }
}
