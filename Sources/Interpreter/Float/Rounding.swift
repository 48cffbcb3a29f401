/// Where the discarded bits of a rounded value lay, relative to half a unit in the last kept place.
enum RoundingRemainder {
    case exact, belowHalf, half, aboveHalf
}

extension RoundingMode {
    /// Whether a truncated magnitude `kept` must be bumped by one unit, given the discarded bits.
    @inline(__always)
    func roundsUp(negative: Bool, kept: UInt128, remainder: RoundingRemainder) -> Bool {
        if remainder == .exact { return false }
        switch self {
        case .rne: return remainder == .aboveHalf || (remainder == .half && kept & 1 == 1)
        case .rmm: return remainder != .belowHalf
        case .rtz: return false
        case .rdn: return negative
        case .rup: return !negative
        }
    }
}

/// Shifts right, OR-ing every bit shifted out into bit 0 ("jamming"), so later rounding still
/// sees that the value was inexact. Exact as long as the rounding point stays two bits above bit 0.
@inline(__always)
func shiftRightJam(_ x: UInt128, _ count: Int) -> UInt128 {
    if count <= 0 { return x }
    if count >= 128 { return x == 0 ? 0 : 1 }
    let lost = x << UInt128(128 - count)
    return (x >> UInt128(count)) | (lost == 0 ? 0 : 1)
}

/// Truncates a significand whose top bit is bit 127 to its top `keep` bits (keep may be 0 or
/// negative: everything is discarded) and rounds the result by `mode`.
/// Returns the rounded integer (which may have carried into a new top bit) and whether it was inexact.
@inline(__always)
func roundToTopBits(_ sig: UInt128, keep: Int, negative: Bool, mode: RoundingMode) -> (value: UInt128, inexact: Bool) {
    let kept: UInt128
    let remainder: RoundingRemainder
    if keep < 0 {
        // The value is below half of the last place: never a tie, never exact (sig != 0).
        kept = 0
        remainder = .belowHalf
    } else {
        let shift = 128 - keep
        let half: UInt128 = 1 << UInt128(shift - 1)
        let rest = shift == 128 ? sig : sig & ((1 << UInt128(shift)) - 1)
        kept = shift == 128 ? 0 : sig >> UInt128(shift)
        remainder = rest == 0 ? .exact : rest < half ? .belowHalf : rest == half ? .half : .aboveHalf
    }
    let up = mode.roundsUp(negative: negative, kept: kept, remainder: remainder)
    return (up ? kept + 1 : kept, remainder != .exact)
}

extension FloatFormat {
    /// Rounds the exact value ±`significand × 2^exponent` (significand nonzero; bits below the
    /// rounding point may be jammed into bit 0) to this format: the one place where results are
    /// rounded, overflow and underflow are decided, and OF/UF/NX are raised.
    ///
    /// Tininess is detected after rounding, as RISC-V requires: a result is tiny only if rounding
    /// it to full precision with an unbounded exponent would still leave it below the smallest normal.
    static func roundPack(negative: Bool, exponent: Int, significand: UInt128,
                          mode: RoundingMode, flags: inout UInt32) -> UInt64 {
        let shift = significand.leadingZeroBitCount
        let sig = significand << UInt128(shift)
        // The value lies in [2^top, 2^(top+1)).
        let top = exponent - shift + 127
        let signBits = negative ? signBit : 0

        if top >= minExponent {
            var (kept, inexact) = roundToTopBits(sig, keep: precision, negative: negative, mode: mode)
            var biased = top + bias
            if kept >> UInt128(precision) != 0 {   // rounding carried into a new binade
                kept >>= 1
                biased += 1
            }
            if biased >= (1 << exponentBits) - 1 {
                flags |= FloatFlags.overflow | FloatFlags.inexact
                let toInfinity: Bool
                switch mode {
                case .rne, .rmm: toInfinity = true
                case .rtz: toInfinity = false
                case .rdn: toInfinity = negative
                case .rup: toInfinity = !negative
                }
                return signBits | (toInfinity ? infinity : maxFinite)
            }
            if inexact { flags |= FloatFlags.inexact }
            let fraction = UInt64(truncatingIfNeeded: kept) & fractionMask
            return signBits | (UInt64(biased) << UInt64(fractionBits)) | fraction
        }

        // Below the normal range: only the bits at or above the smallest subnormal's place survive.
        var tiny = true
        if top == minExponent - 1 {
            let full = roundToTopBits(sig, keep: precision, negative: negative, mode: mode)
            tiny = full.value >> UInt128(precision) == 0
        }
        let keep = max(precision - (minExponent - top), -1)
        let (kept, inexact) = roundToTopBits(sig, keep: keep, negative: negative, mode: mode)
        if inexact {
            flags |= FloatFlags.inexact
            if tiny { flags |= FloatFlags.underflow }
        }
        // A carry out of the fraction lands in the exponent field: the smallest normal number.
        return signBits | UInt64(truncatingIfNeeded: kept)
    }
}
