/// The F and D operations one at a time, for the interpreter and for the JIT's helper calls.
///
/// Singles are passed and returned as raw 32-bit encodings (unbox operands with
/// `NaNBox.unbox` and box results with `NaNBox.box`); doubles as raw 64-bit encodings. Every
/// function ORs the exceptions it raises into `flags` (the `FloatFlags` bits) and rounds by `rm`.
public enum FloatOps {
    typealias S = SoftFloat<Binary32>
    typealias D = SoftFloat<Binary64>

    @inline(__always) static func s(_ x: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: x) }

    // MARK: Arithmetic

    public static func addS(a: UInt32, b: UInt32, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.add(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func addD(a: UInt64, b: UInt64, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.add(a, b, rm, &flags)
    }
    public static func subS(a: UInt32, b: UInt32, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.sub(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func subD(a: UInt64, b: UInt64, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.sub(a, b, rm, &flags)
    }
    public static func mulS(a: UInt32, b: UInt32, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.mul(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func mulD(a: UInt64, b: UInt64, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.mul(a, b, rm, &flags)
    }
    public static func divS(a: UInt32, b: UInt32, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.div(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func divD(a: UInt64, b: UInt64, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.div(a, b, rm, &flags)
    }
    public static func sqrtS(a: UInt32, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.sqrt(UInt64(a), rm, &flags))
    }
    public static func sqrtD(a: UInt64, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.sqrt(a, rm, &flags)
    }

    /// Fused (a·b) + c, one rounding. `negateProduct`/`negateAddend` select fmsub (addend),
    /// fnmsub (product) and fnmadd (both).
    public static func fmaS(a: UInt32, b: UInt32, c: UInt32, negateProduct: Bool = false, negateAddend: Bool = false,
                            rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.fma(UInt64(a), UInt64(b), UInt64(c), negateProduct: negateProduct, negateAddend: negateAddend, rm, &flags))
    }
    public static func fmaD(a: UInt64, b: UInt64, c: UInt64, negateProduct: Bool = false, negateAddend: Bool = false,
                            rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.fma(a, b, c, negateProduct: negateProduct, negateAddend: negateAddend, rm, &flags)
    }

    // MARK: Min, max, comparisons, classification, sign injection (no rounding)

    public static func minS(a: UInt32, b: UInt32, flags: inout UInt32) -> UInt32 {
        s(S.minMax(UInt64(a), UInt64(b), max: false, &flags))
    }
    public static func minD(a: UInt64, b: UInt64, flags: inout UInt32) -> UInt64 {
        D.minMax(a, b, max: false, &flags)
    }
    public static func maxS(a: UInt32, b: UInt32, flags: inout UInt32) -> UInt32 {
        s(S.minMax(UInt64(a), UInt64(b), max: true, &flags))
    }
    public static func maxD(a: UInt64, b: UInt64, flags: inout UInt32) -> UInt64 {
        D.minMax(a, b, max: true, &flags)
    }
    public static func eqS(a: UInt32, b: UInt32, flags: inout UInt32) -> Bool { S.equal(UInt64(a), UInt64(b), &flags) }
    public static func eqD(a: UInt64, b: UInt64, flags: inout UInt32) -> Bool { D.equal(a, b, &flags) }
    public static func ltS(a: UInt32, b: UInt32, flags: inout UInt32) -> Bool { S.less(UInt64(a), UInt64(b), &flags) }
    public static func ltD(a: UInt64, b: UInt64, flags: inout UInt32) -> Bool { D.less(a, b, &flags) }
    public static func leS(a: UInt32, b: UInt32, flags: inout UInt32) -> Bool { S.lessOrEqual(UInt64(a), UInt64(b), &flags) }
    public static func leD(a: UInt64, b: UInt64, flags: inout UInt32) -> Bool { D.lessOrEqual(a, b, &flags) }
    /// The `fclass` mask: bit 0 −∞, 1 negative normal, 2 negative subnormal, 3 −0, 4 +0,
    /// 5 positive subnormal, 6 positive normal, 7 +∞, 8 signalling NaN, 9 quiet NaN.
    public static func classS(a: UInt32) -> UInt64 { S.classify(UInt64(a)) }
    public static func classD(a: UInt64) -> UInt64 { D.classify(a) }
    public static func signInjectS(a: UInt32, b: UInt32, _ kind: SignInjection) -> UInt32 {
        s(S.injectSign(UInt64(a), UInt64(b), kind))
    }
    public static func signInjectD(a: UInt64, b: UInt64, _ kind: SignInjection) -> UInt64 {
        D.injectSign(a, b, kind)
    }

    // MARK: Conversions

    /// `fcvt.{w,wu,l,lu}.s`: the x-register result (32-bit results sign-extended).
    public static func toIntegerS(a: UInt32, _ kind: IntegerKind, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        S.toInteger(UInt64(a), kind, rm, &flags)
    }
    /// `fcvt.{w,wu,l,lu}.d`: the x-register result (32-bit results sign-extended).
    public static func toIntegerD(a: UInt64, _ kind: IntegerKind, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.toInteger(a, kind, rm, &flags)
    }
    /// `fcvt.s.{w,wu,l,lu}` from an x-register value (W forms read its low 32 bits).
    public static func fromIntegerS(x: UInt64, _ kind: IntegerKind, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.fromInteger(x, kind, rm, &flags))
    }
    /// `fcvt.d.{w,wu,l,lu}` from an x-register value (W forms read its low 32 bits).
    public static func fromIntegerD(x: UInt64, _ kind: IntegerKind, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.fromInteger(x, kind, rm, &flags)
    }
    /// `fcvt.s.d`.
    public static func doubleToSingle(a: UInt64, rm: RoundingMode, flags: inout UInt32) -> UInt32 {
        s(S.convert(from: a, Binary64.self, rm, &flags))
    }
    /// `fcvt.d.s` (always exact; NaNs still become canonical).
    public static func singleToDouble(a: UInt32, rm: RoundingMode, flags: inout UInt32) -> UInt64 {
        D.convert(from: UInt64(a), Binary32.self, rm, &flags)
    }
}
