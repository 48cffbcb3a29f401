/// The integer side of an `fcvt`: which of the four integer types it converts to or from.
public enum IntegerKind: Sendable, CaseIterable {
    /// `.w`: signed 32-bit.
    case int32
    /// `.wu`: unsigned 32-bit.
    case uint32
    /// `.l`: signed 64-bit.
    case int64
    /// `.lu`: unsigned 64-bit.
    case uint64

    var signed: Bool { self == .int32 || self == .int64 }
    var bitWidth: Int { self == .int32 || self == .uint32 ? 32 : 64 }

    /// The largest magnitude representable with the given sign.
    var limit: (positive: UInt64, negative: UInt64) {
        switch self {
        case .int32: (0x7fff_ffff, 0x8000_0000)
        case .uint32: (0xffff_ffff, 0)
        case .int64: (0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000)
        case .uint64: (0xffff_ffff_ffff_ffff, 0)
        }
    }

    /// The x-register value of ±magnitude (already in range): two's complement, and 32-bit
    /// results sign-extended from bit 31 as every RV64 W-form result is (even for `.wu`).
    func register(negative: Bool, magnitude: UInt64) -> UInt64 {
        let value = negative ? 0 &- magnitude : magnitude
        return bitWidth == 32 ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value))) : value
    }

    /// Reads an x-register operand as sign and magnitude.
    func operand(_ x: UInt64) -> (negative: Bool, magnitude: UInt64) {
        switch self {
        case .int32:
            let v = Int64(Int32(truncatingIfNeeded: x))
            return (v < 0, v.magnitude)
        case .uint32: return (false, x & 0xffff_ffff)
        case .int64:
            let v = Int64(bitPattern: x)
            return (v < 0, v.magnitude)
        case .uint64: return (false, x)
        }
    }
}

extension SoftFloat {
    /// `fcvt.{w,wu,l,lu}.{s,d}`: rounds by `mode`, then saturates. NaN gives the largest positive
    /// value; an out-of-range result raises NV only (not NX); an in-range inexact one raises NX.
    static func toInteger(_ a: UInt64, _ kind: IntegerKind, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        let limit = kind.limit
        if F.isNaN(a) {
            flags |= FloatFlags.invalid
            return kind.register(negative: false, magnitude: limit.positive)
        }
        let negative = F.sign(a)
        let saturated = kind.register(negative: negative, magnitude: negative ? limit.negative : limit.positive)
        if F.isInfinite(a) {
            flags |= FloatFlags.invalid
            return saturated
        }
        if F.isZero(a) { return 0 }
        let ua = F.unpack(a)
        // value = significand · 2^exponent with the significand's top bit at 63.
        if ua.exponent > 0 {
            flags |= FloatFlags.invalid
            return saturated
        }
        let (rounded, inexact) = roundToTopBits(UInt128(ua.significand) << 64, keep: 64 + ua.exponent,
                                                negative: negative, mode: mode)
        let bound = negative ? limit.negative : limit.positive
        guard rounded <= UInt128(bound) else {
            flags |= FloatFlags.invalid
            return saturated
        }
        if inexact { flags |= FloatFlags.inexact }
        return kind.register(negative: negative, magnitude: UInt64(truncatingIfNeeded: rounded))
    }

    /// `fcvt.{s,d}.{w,wu,l,lu}`: exact for small magnitudes, rounded by `mode` with NX otherwise.
    static func fromInteger(_ x: UInt64, _ kind: IntegerKind, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        let (negative, magnitude) = kind.operand(x)
        if magnitude == 0 { return 0 }
        return F.roundPack(negative: negative, exponent: 0, significand: UInt128(magnitude), mode: mode, flags: &flags)
    }

    /// `fcvt.s.d` and `fcvt.d.s`: converts a value of format `From` to this format.
    static func convert<From: FloatFormat>(from a: UInt64, _: From.Type, _ mode: RoundingMode,
                                            _ flags: inout UInt32) -> UInt64 {
        if From.isNaN(a) {
            if From.isSignalingNaN(a) { flags |= FloatFlags.invalid }
            return F.canonicalNaN
        }
        let signBits = From.sign(a) ? F.signBit : 0
        if From.isInfinite(a) { return signBits | F.infinity }
        if From.isZero(a) { return signBits }
        let ua = From.unpack(a)
        return F.roundPack(negative: From.sign(a), exponent: ua.exponent, significand: UInt128(ua.significand),
                           mode: mode, flags: &flags)
    }
}
