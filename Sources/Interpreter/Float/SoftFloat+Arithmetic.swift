/// Bit-exact RISC-V floating-point arithmetic in software, generic over the format.
///
/// Every operation computes the exact result (or an exact-enough one, with lost bits jammed into
/// a sticky bit) in 128-bit integers and rounds it once in `roundPack`; special operands are
/// handled first, with RISC-V's canonical NaN and flag rules.
enum SoftFloat<F: FloatFormat> {
    /// NaN result of an operation with a NaN operand: canonical, NV if any operand was signalling.
    @inline(__always)
    static func propagateNaN(_ a: UInt64, _ b: UInt64, _ flags: inout UInt32) -> UInt64 {
        if F.isSignalingNaN(a) || F.isSignalingNaN(b) { flags |= FloatFlags.invalid }
        return F.canonicalNaN
    }

    @inline(__always)
    static func invalid(_ flags: inout UInt32) -> UInt64 {
        flags |= FloatFlags.invalid
        return F.canonicalNaN
    }

    /// An exact zero sum of nonzero or opposite-signed terms is +0, except −0 when rounding down.
    @inline(__always)
    static func exactZeroSum(_ mode: RoundingMode) -> UInt64 { mode == .rdn ? F.signBit : 0 }

    static func add(_ a: UInt64, _ b: UInt64, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        if F.isNaN(a) || F.isNaN(b) { return propagateNaN(a, b, &flags) }
        if F.isInfinite(a) {
            if F.isInfinite(b) && F.sign(a) != F.sign(b) { return invalid(&flags) }
            return a
        }
        if F.isInfinite(b) { return b }
        if F.isZero(a) {
            if F.isZero(b) { return F.sign(a) == F.sign(b) ? a : exactZeroSum(mode) }
            return b
        }
        if F.isZero(b) { return a }
        let ua = F.unpack(a), ub = F.unpack(b)
        return sum(F.sign(a), ua.exponent, UInt128(ua.significand),
                   F.sign(b), ub.exponent, UInt128(ub.significand), mode, &flags)
    }

    @inline(__always)
    static func sub(_ a: UInt64, _ b: UInt64, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        // Flipping the sign of a NaN cannot matter: NaN results are canonical.
        add(a, b ^ F.signBit, mode, &flags)
    }

    /// Rounds ±sigA·2^expA + ±sigB·2^expB, both terms nonzero and exact.
    ///
    /// Both significands are first normalised to top bit 125 (two bits of headroom for the carry),
    /// then the smaller term is shifted right with jamming. If it moved by two places or more the
    /// sum loses at most one leading bit, so the sticky bit stays far below the rounding point; if
    /// it moved by less, nothing was lost (every input has at least 20 trailing zero bits there).
    static func sum(_ signA: Bool, _ expA: Int, _ sigA: UInt128,
                    _ signB: Bool, _ expB: Int, _ sigB: UInt128,
                    _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        let shiftA = sigA.leadingZeroBitCount - 2, shiftB = sigB.leadingZeroBitCount - 2
        var (sa, ea, ma) = (signA, expA - shiftA, sigA << UInt128(shiftA))
        var (sb, eb, mb) = (signB, expB - shiftB, sigB << UInt128(shiftB))
        if ea < eb || (ea == eb && ma < mb) {
            swap(&sa, &sb); swap(&ea, &eb); swap(&ma, &mb)
        }
        mb = shiftRightJam(mb, ea - eb)
        if sa == sb {
            return F.roundPack(negative: sa, exponent: ea, significand: ma + mb, mode: mode, flags: &flags)
        }
        if ma == mb { return exactZeroSum(mode) }
        // |a| >= |b| here, so a's sign wins (after jamming mb can only have grown towards ma, never past it).
        return F.roundPack(negative: sa, exponent: ea, significand: ma - mb, mode: mode, flags: &flags)
    }

    static func mul(_ a: UInt64, _ b: UInt64, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        if F.isNaN(a) || F.isNaN(b) { return propagateNaN(a, b, &flags) }
        let negative = F.sign(a) != F.sign(b)
        let signBits = negative ? F.signBit : 0
        if F.isInfinite(a) || F.isInfinite(b) {
            if F.isZero(a) || F.isZero(b) { return invalid(&flags) }
            return signBits | F.infinity
        }
        if F.isZero(a) || F.isZero(b) { return signBits }
        let ua = F.unpack(a), ub = F.unpack(b)
        return F.roundPack(negative: negative, exponent: ua.exponent + ub.exponent,
                           significand: UInt128(ua.significand) * UInt128(ub.significand),
                           mode: mode, flags: &flags)
    }

    static func div(_ a: UInt64, _ b: UInt64, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        if F.isNaN(a) || F.isNaN(b) { return propagateNaN(a, b, &flags) }
        let negative = F.sign(a) != F.sign(b)
        let signBits = negative ? F.signBit : 0
        if F.isInfinite(a) {
            if F.isInfinite(b) { return invalid(&flags) }
            return signBits | F.infinity
        }
        if F.isInfinite(b) { return signBits }
        if F.isZero(b) {
            if F.isZero(a) { return invalid(&flags) }
            flags |= FloatFlags.divideByZero
            return signBits | F.infinity
        }
        if F.isZero(a) { return signBits }
        let ua = F.unpack(a), ub = F.unpack(b)
        // A quotient of 64 or 65 bits; a nonzero remainder becomes the sticky bit.
        let dividend = UInt128(ua.significand) << 64
        let divisor = UInt128(ub.significand)
        let (quotient, remainder) = dividend.quotientAndRemainder(dividingBy: divisor)
        return F.roundPack(negative: negative, exponent: ua.exponent - 64 - ub.exponent,
                           significand: quotient | (remainder == 0 ? 0 : 1), mode: mode, flags: &flags)
    }

    static func sqrt(_ a: UInt64, _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        if F.isNaN(a) { return propagateNaN(a, a, &flags) }
        if F.isZero(a) { return a }
        if F.sign(a) { return invalid(&flags) }
        if F.isInfinite(a) { return a }
        let ua = F.unpack(a)
        // Make the exponent even so it halves exactly; the radicand keeps 126 or 127 bits.
        let odd = ua.exponent & 1 != 0
        let radicand = UInt128(ua.significand) << (odd ? 63 : 64)
        let (root, remainder) = integerSquareRoot(radicand)
        return F.roundPack(negative: false, exponent: (ua.exponent - (odd ? 63 : 64)) / 2,
                           significand: root | (remainder == 0 ? 0 : 1), mode: mode, flags: &flags)
    }

    /// Fused multiply-add: ±(a·b) ± c with one rounding. `negateProduct` and `negateAddend` give
    /// fmsub (addend), fnmsub (product) and fnmadd (both).
    static func fma(_ a: UInt64, _ b: UInt64, _ c: UInt64, negateProduct: Bool, negateAddend: Bool,
                    _ mode: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        let infinityTimesZero = (F.isInfinite(a) && F.isZero(b)) || (F.isZero(a) && F.isInfinite(b))
        if F.isNaN(a) || F.isNaN(b) || F.isNaN(c) {
            // RISC-V raises NV for ∞·0 even when the addend is a quiet NaN.
            if infinityTimesZero || F.isSignalingNaN(a) || F.isSignalingNaN(b) || F.isSignalingNaN(c) {
                flags |= FloatFlags.invalid
            }
            return F.canonicalNaN
        }
        if infinityTimesZero { return invalid(&flags) }
        let productNegative = F.sign(a) != F.sign(b) ? !negateProduct : negateProduct
        let addend = negateAddend ? c ^ F.signBit : c
        if F.isInfinite(a) || F.isInfinite(b) {
            if F.isInfinite(addend) && F.sign(addend) != productNegative { return invalid(&flags) }
            return (productNegative ? F.signBit : 0) | F.infinity
        }
        if F.isInfinite(addend) { return addend }
        if F.isZero(a) || F.isZero(b) {
            if F.isZero(addend) {
                return F.sign(addend) == productNegative ? addend : exactZeroSum(mode)
            }
            return addend
        }
        let ua = F.unpack(a), ub = F.unpack(b)
        let product = UInt128(ua.significand) * UInt128(ub.significand)
        let productExponent = ua.exponent + ub.exponent
        if F.isZero(addend) {
            return F.roundPack(negative: productNegative, exponent: productExponent,
                               significand: product, mode: mode, flags: &flags)
        }
        // The product has at most 106 significant bits, so dropping its two low (zero) bits for
        // headroom is exact.
        let uc = F.unpack(addend)
        return sum(productNegative, productExponent + 2, product >> 2,
                   F.sign(addend), uc.exponent, UInt128(uc.significand), mode, &flags)
    }
}

/// The integer square root of `n` (floor) and the remainder `n − root²`.
///
/// The host's square root of an approximation of `n` is within about 2^-52 relative of the
/// answer; one integer Newton step then lands on or just above the floor (a Newton step from any
/// positive guess never goes below it), and at most a couple of decrements finish the job.
@inline(__always)
func integerSquareRoot(_ n: UInt128) -> (root: UInt128, remainder: UInt128) {
    if n == 0 { return (0, 0) }
    let approximate = Double(UInt64(truncatingIfNeeded: n >> 64)) * 0x1p64 + Double(UInt64(truncatingIfNeeded: n))
    var root = UInt128(max(approximate.squareRoot(), 1).rounded(.down))
    root = (root + n / root) >> 1
    // The floor of a square root of a 128-bit number fits in 64 bits, so root² cannot overflow.
    root = min(root, UInt128(UInt64.max))
    while root * root > n { root -= 1 }
    return (root, n - root * root)
}
