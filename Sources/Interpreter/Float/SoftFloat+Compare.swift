extension SoftFloat {
    /// An integer that orders non-NaN values as IEEE does, with −0 and +0 equal.
    @inline(__always)
    static func orderKey(_ x: UInt64) -> Int64 {
        let magnitude = Int64(bitPattern: F.magnitude(x))
        return F.sign(x) ? -magnitude : magnitude
    }

    /// `feq`: quiet, NV only for a signalling NaN.
    static func equal(_ a: UInt64, _ b: UInt64, _ flags: inout UInt32) -> Bool {
        if F.isNaN(a) || F.isNaN(b) {
            if F.isSignalingNaN(a) || F.isSignalingNaN(b) { flags |= FloatFlags.invalid }
            return false
        }
        return orderKey(a) == orderKey(b)
    }

    /// `flt`: signalling, NV for any NaN.
    static func less(_ a: UInt64, _ b: UInt64, _ flags: inout UInt32) -> Bool {
        if F.isNaN(a) || F.isNaN(b) {
            flags |= FloatFlags.invalid
            return false
        }
        return orderKey(a) < orderKey(b)
    }

    /// `fle`: signalling, NV for any NaN.
    static func lessOrEqual(_ a: UInt64, _ b: UInt64, _ flags: inout UInt32) -> Bool {
        if F.isNaN(a) || F.isNaN(b) {
            flags |= FloatFlags.invalid
            return false
        }
        return orderKey(a) <= orderKey(b)
    }

    /// `fmin`/`fmax` (IEEE 754-2019 minimumNumber/maximumNumber): −0 is below +0, a NaN
    /// operand yields the other operand, two NaNs yield the canonical NaN; sNaN raises NV.
    static func minMax(_ a: UInt64, _ b: UInt64, max: Bool, _ flags: inout UInt32) -> UInt64 {
        if F.isSignalingNaN(a) || F.isSignalingNaN(b) { flags |= FloatFlags.invalid }
        if F.isNaN(a) { return F.isNaN(b) ? F.canonicalNaN : b }
        if F.isNaN(b) { return a }
        // Here −0 must sort below +0, so the key keeps zeros' signs apart.
        let ka = F.sign(a) ? ~Int64(bitPattern: F.magnitude(a)) : Int64(bitPattern: F.magnitude(a))
        let kb = F.sign(b) ? ~Int64(bitPattern: F.magnitude(b)) : Int64(bitPattern: F.magnitude(b))
        return (ka < kb) != max ? a : b
    }

    /// `fclass`: a one-hot 10-bit mask.
    static func classify(_ a: UInt64) -> UInt64 {
        let negative = F.sign(a)
        let bit: Int
        if F.isNaN(a) {
            bit = F.isSignalingNaN(a) ? 8 : 9
        } else if F.isInfinite(a) {
            bit = negative ? 0 : 7
        } else if F.isZero(a) {
            bit = negative ? 3 : 4
        } else if a & F.exponentField == 0 {
            bit = negative ? 2 : 5
        } else {
            bit = negative ? 1 : 6
        }
        return 1 << UInt64(bit)
    }

    /// `fsgnj`, `fsgnjn`, `fsgnjx`: a's magnitude with a sign taken from b; never canonicalises.
    static func injectSign(_ a: UInt64, _ b: UInt64, _ kind: SignInjection) -> UInt64 {
        let sign: UInt64
        switch kind {
        case .copy: sign = b & F.signBit
        case .negate: sign = ~b & F.signBit
        case .xor: sign = (a ^ b) & F.signBit
        }
        return F.magnitude(a) | sign
    }
}

/// Where `fsgnj*` takes the result's sign from.
public enum SignInjection: Sendable, CaseIterable {
    /// `fsgnj`: b's sign.
    case copy
    /// `fsgnjn`: the opposite of b's sign.
    case negate
    /// `fsgnjx`: a's sign XOR b's sign.
    case xor
}
