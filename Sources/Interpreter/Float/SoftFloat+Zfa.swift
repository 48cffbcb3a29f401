/// Zfa's operations on the soft-float formats, written from the Zfa specification 1.0.
extension SoftFloat {
    /// `fminm`/`fmaxm` (IEEE 754-2019 minimum/maximum): like `fmin`/`fmax` (−0 below +0, NV for
    /// a signalling NaN), except that a NaN operand makes the result the canonical NaN.
    static func minMaxPropagatingNaN(_ a: UInt64, _ b: UInt64, max: Bool, _ flags: inout UInt32) -> UInt64 {
        if F.isSignalingNaN(a) || F.isSignalingNaN(b) { flags |= FloatFlags.invalid }
        if F.isNaN(a) || F.isNaN(b) { return F.canonicalNaN }
        var none: UInt32 = 0
        return minMax(a, b, max: max, &none)
    }

    /// `fltq`: `flt` made quiet (NV only for a signalling NaN).
    static func quietLess(_ a: UInt64, _ b: UInt64, _ flags: inout UInt32) -> Bool {
        if F.isNaN(a) || F.isNaN(b) {
            if F.isSignalingNaN(a) || F.isSignalingNaN(b) { flags |= FloatFlags.invalid }
            return false
        }
        return orderKey(a) < orderKey(b)
    }

    /// `fleq`: `fle` made quiet.
    static func quietLessOrEqual(_ a: UInt64, _ b: UInt64, _ flags: inout UInt32) -> Bool {
        if F.isNaN(a) || F.isNaN(b) {
            if F.isSignalingNaN(a) || F.isSignalingNaN(b) { flags |= FloatFlags.invalid }
            return false
        }
        return orderKey(a) <= orderKey(b)
    }

    /// `fround`/`froundnx`: the integral value `mode` rounds `a` to, in the same format and with
    /// `a`'s sign (so −0.3 rounds to −0). NaN gives the canonical NaN (NV for a signalling one);
    /// infinities and zeros are returned as they are. Only `froundnx` (`signalInexact`) raises
    /// NX, when the result differs from `a`; nothing else is ever raised.
    static func roundToIntegral(_ a: UInt64, _ mode: RoundingMode, signalInexact: Bool, _ flags: inout UInt32) -> UInt64 {
        if F.isNaN(a) {
            if F.isSignalingNaN(a) { flags |= FloatFlags.invalid }
            return F.canonicalNaN
        }
        if F.isInfinite(a) || F.isZero(a) { return a }
        let negative = F.sign(a)
        let ua = F.unpack(a)
        if ua.exponent >= 0 { return a } // already an integer
        let (rounded, inexact) = roundToTopBits(UInt128(ua.significand) << 64, keep: 64 + ua.exponent,
                                                negative: negative, mode: mode)
        if inexact && signalInexact { flags |= FloatFlags.inexact }
        if rounded == 0 { return negative ? F.signBit : 0 }
        var none: UInt32 = 0 // an integer below 2^64 with at most the format's precision: exact
        return F.roundPack(negative: negative, exponent: 0, significand: rounded, mode: mode, flags: &none)
    }

    /// `fcvtmod.w.d`: `a` truncated to an integer, modulo 2^32, sign-extended from bit 31.
    /// NaN and infinities give 0 and NV; a truncated value outside the int32 range raises NV
    /// (and not NX); an in-range inexact one NX.
    static func toInt32Modulo(_ a: UInt64, _ flags: inout UInt32) -> UInt64 {
        if F.isNaN(a) || F.isInfinite(a) {
            flags |= FloatFlags.invalid
            return 0
        }
        if F.isZero(a) { return 0 }
        let negative = F.sign(a)
        let ua = F.unpack(a)
        let low: UInt64
        if ua.exponent >= 0 {
            // At least 2^63: out of range, and only the bits the shift leaves below 2^32 count.
            flags |= FloatFlags.invalid
            low = ua.exponent >= 64 ? 0 : ua.significand &<< UInt64(ua.exponent)
        } else {
            let (rounded, inexact) = roundToTopBits(UInt128(ua.significand) << 64, keep: 64 + ua.exponent,
                                                    negative: negative, mode: .rtz)
            let magnitude = UInt64(truncatingIfNeeded: rounded)
            if magnitude > (negative ? 0x8000_0000 : 0x7fff_ffff) {
                flags |= FloatFlags.invalid
            } else if inexact {
                flags |= FloatFlags.inexact
            }
            low = magnitude
        }
        let value = negative ? 0 &- low : low
        return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
    }
}

extension FloatOps {
    public static func minimumS(a: UInt32, b: UInt32, flags: inout UInt32) -> UInt32 {
        s(S.minMaxPropagatingNaN(UInt64(a), UInt64(b), max: false, &flags))
    }
    public static func maximumS(a: UInt32, b: UInt32, flags: inout UInt32) -> UInt32 {
        s(S.minMaxPropagatingNaN(UInt64(a), UInt64(b), max: true, &flags))
    }
    public static func minimumD(a: UInt64, b: UInt64, flags: inout UInt32) -> UInt64 {
        D.minMaxPropagatingNaN(a, b, max: false, &flags)
    }
    public static func maximumD(a: UInt64, b: UInt64, flags: inout UInt32) -> UInt64 {
        D.minMaxPropagatingNaN(a, b, max: true, &flags)
    }
    public static func quietLtS(a: UInt32, b: UInt32, flags: inout UInt32) -> Bool { S.quietLess(UInt64(a), UInt64(b), &flags) }
    public static func quietLeS(a: UInt32, b: UInt32, flags: inout UInt32) -> Bool { S.quietLessOrEqual(UInt64(a), UInt64(b), &flags) }
    public static func quietLtD(a: UInt64, b: UInt64, flags: inout UInt32) -> Bool { D.quietLess(a, b, &flags) }
    public static func quietLeD(a: UInt64, b: UInt64, flags: inout UInt32) -> Bool { D.quietLessOrEqual(a, b, &flags) }
    public static func roundIntegralS(a: UInt32, rm: RoundingMode, signalInexact: Bool, flags: inout UInt32) -> UInt32 {
        s(S.roundToIntegral(UInt64(a), rm, signalInexact: signalInexact, &flags))
    }
    public static func roundIntegralD(a: UInt64, rm: RoundingMode, signalInexact: Bool, flags: inout UInt32) -> UInt64 {
        D.roundToIntegral(a, rm, signalInexact: signalInexact, &flags)
    }
    public static func toInt32ModuloD(a: UInt64, flags: inout UInt32) -> UInt64 { D.toInt32Modulo(a, &flags) }
}
