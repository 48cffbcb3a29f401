import Guest
import RISCV

/// binary16 (RISC-V Zfh). The soft-float in `SoftFloat` is generic over the format and works on
/// exact 128-bit integer significands, so half precision is this one description: every Zfh
/// operation computes its exact result and rounds it once, to 11 bits, in `roundPack`.
public enum Binary16: FloatFormat {
    public static var exponentBits: Int { 5 }
    public static var fractionBits: Int { 10 }
}

/// NaN boxing of halves: a half lives in the low 16 bits of an f register with the upper 48 bits
/// all ones (a half boxed in a boxed single). An improperly boxed input reads as the canonical NaN.
public enum HalfBox {
    public static let boxBits: UInt64 = 0xffff_ffff_ffff_0000
    public static let canonicalHalf: UInt16 = 0x7e00

    @inline(__always) public static func box(_ bits: UInt16) -> UInt64 { boxBits | UInt64(bits) }

    @inline(__always) public static func unbox(_ register: UInt64) -> UInt16 {
        register & boxBits == boxBits ? UInt16(truncatingIfNeeded: register) : canonicalHalf
    }
}

/// The Zfh operations on raw half encodings, for the interpreter and the JIT's helper calls.
public enum HalfOps {
    typealias H = SoftFloat<Binary16>
    @inline(__always) static func h(_ x: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: x) }

    public static func add(_ a: UInt16, _ b: UInt16, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.add(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func sub(_ a: UInt16, _ b: UInt16, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.sub(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func mul(_ a: UInt16, _ b: UInt16, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.mul(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func div(_ a: UInt16, _ b: UInt16, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.div(UInt64(a), UInt64(b), rm, &flags))
    }
    public static func sqrt(_ a: UInt16, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.sqrt(UInt64(a), rm, &flags))
    }
    public static func fma(_ a: UInt16, _ b: UInt16, _ c: UInt16, negateProduct: Bool = false, negateAddend: Bool = false,
                           _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.fma(UInt64(a), UInt64(b), UInt64(c), negateProduct: negateProduct, negateAddend: negateAddend, rm, &flags))
    }
    public static func minMax(_ a: UInt16, _ b: UInt16, max: Bool, _ flags: inout UInt32) -> UInt16 {
        h(H.minMax(UInt64(a), UInt64(b), max: max, &flags))
    }
    public static func minMaxPropagatingNaN(_ a: UInt16, _ b: UInt16, max: Bool, _ flags: inout UInt32) -> UInt16 {
        h(H.minMaxPropagatingNaN(UInt64(a), UInt64(b), max: max, &flags))
    }
    public static func equal(_ a: UInt16, _ b: UInt16, _ flags: inout UInt32) -> Bool { H.equal(UInt64(a), UInt64(b), &flags) }
    public static func less(_ a: UInt16, _ b: UInt16, _ flags: inout UInt32) -> Bool { H.less(UInt64(a), UInt64(b), &flags) }
    public static func lessOrEqual(_ a: UInt16, _ b: UInt16, _ flags: inout UInt32) -> Bool {
        H.lessOrEqual(UInt64(a), UInt64(b), &flags)
    }
    public static func quietLess(_ a: UInt16, _ b: UInt16, _ flags: inout UInt32) -> Bool {
        H.quietLess(UInt64(a), UInt64(b), &flags)
    }
    public static func quietLessOrEqual(_ a: UInt16, _ b: UInt16, _ flags: inout UInt32) -> Bool {
        H.quietLessOrEqual(UInt64(a), UInt64(b), &flags)
    }
    public static func classify(_ a: UInt16) -> UInt64 { H.classify(UInt64(a)) }
    public static func signInject(_ a: UInt16, _ b: UInt16, _ kind: SignInjection) -> UInt16 {
        h(H.injectSign(UInt64(a), UInt64(b), kind))
    }
    public static func roundIntegral(_ a: UInt16, _ rm: RoundingMode, signalInexact: Bool, _ flags: inout UInt32) -> UInt16 {
        h(H.roundToIntegral(UInt64(a), rm, signalInexact: signalInexact, &flags))
    }
    /// `fcvt.{w,wu,l,lu}.h`: the x-register result.
    public static func toInteger(_ a: UInt16, _ kind: IntegerKind, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt64 {
        H.toInteger(UInt64(a), kind, rm, &flags)
    }
    /// `fcvt.h.{w,wu,l,lu}` from an x-register value.
    public static func fromInteger(_ x: UInt64, _ kind: IntegerKind, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.fromInteger(x, kind, rm, &flags))
    }
    /// `fcvt.h.s`.
    public static func fromSingle(_ a: UInt32, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.convert(from: UInt64(a), Binary32.self, rm, &flags))
    }
    /// `fcvt.h.d`.
    public static func fromDouble(_ a: UInt64, _ rm: RoundingMode, _ flags: inout UInt32) -> UInt16 {
        h(H.convert(from: a, Binary64.self, rm, &flags))
    }
    /// `fcvt.s.h` (exact; a NaN becomes the canonical single, NV if it was signalling).
    public static func toSingle(_ a: UInt16, _ flags: inout UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: SoftFloat<Binary32>.convert(from: UInt64(a), Binary16.self, .rne, &flags))
    }
    /// `fcvt.d.h` (exact).
    public static func toDouble(_ a: UInt16, _ flags: inout UInt32) -> UInt64 {
        SoftFloat<Binary64>.convert(from: UInt64(a), Binary16.self, .rne, &flags)
    }

    /// fli.h's constant `index`: Zfa's table in half precision (2^-16 and 2^-15 are subnormal,
    /// 2^16 is beyond the largest half and loads +∞, "min" is the half's smallest normal).
    public static func constant(_ index: Int) -> UInt16 {
        if index & 31 == 1 { return 1 << 10 }
        var none: UInt32 = 0
        return fromDouble(FloatConstantTable.value(index, double: true), .rne, &none)
    }
}

extension FloatUnit {
    /// Zfh, Zfhmin's register instructions and Zfa's half forms.
    @inline(__always)
    static func executeHalf(_ op: FloatOp, _ inst: Instruction, _ r: FloatOperands) -> Bool {
        switch op {
        case .fmadd_h: return r.rounded { r.setH(HalfOps.fma(r.h1, r.h2, r.h3, $0, &$1)) }
        case .fmsub_h: return r.rounded { r.setH(HalfOps.fma(r.h1, r.h2, r.h3, negateAddend: true, $0, &$1)) }
        case .fnmsub_h: return r.rounded { r.setH(HalfOps.fma(r.h1, r.h2, r.h3, negateProduct: true, $0, &$1)) }
        case .fnmadd_h:
            return r.rounded { r.setH(HalfOps.fma(r.h1, r.h2, r.h3, negateProduct: true, negateAddend: true, $0, &$1)) }
        case .fadd_h: return r.rounded { r.setH(HalfOps.add(r.h1, r.h2, $0, &$1)) }
        case .fsub_h: return r.rounded { r.setH(HalfOps.sub(r.h1, r.h2, $0, &$1)) }
        case .fmul_h: return r.rounded { r.setH(HalfOps.mul(r.h1, r.h2, $0, &$1)) }
        case .fdiv_h: return r.rounded { r.setH(HalfOps.div(r.h1, r.h2, $0, &$1)) }
        case .fsqrt_h: return r.rounded { r.setH(HalfOps.sqrt(r.h1, $0, &$1)) }
        case .fsgnj_h: r.setH(HalfOps.signInject(r.h1, r.h2, .copy)); return true
        case .fsgnjn_h: r.setH(HalfOps.signInject(r.h1, r.h2, .negate)); return true
        case .fsgnjx_h: r.setH(HalfOps.signInject(r.h1, r.h2, .xor)); return true
        case .fmin_h: return r.unrounded { r.setH(HalfOps.minMax(r.h1, r.h2, max: false, &$0)) }
        case .fmax_h: return r.unrounded { r.setH(HalfOps.minMax(r.h1, r.h2, max: true, &$0)) }
        case .feq_h: return r.unrounded { r.setX(HalfOps.equal(r.h1, r.h2, &$0)) }
        case .flt_h: return r.unrounded { r.setX(HalfOps.less(r.h1, r.h2, &$0)) }
        case .fle_h: return r.unrounded { r.setX(HalfOps.lessOrEqual(r.h1, r.h2, &$0)) }
        case .fclass_h: r.setX(HalfOps.classify(r.h1)); return true
        case .fcvt_w_h: return r.rounded { r.setX(HalfOps.toInteger(r.h1, .int32, $0, &$1)) }
        case .fcvt_wu_h: return r.rounded { r.setX(HalfOps.toInteger(r.h1, .uint32, $0, &$1)) }
        case .fcvt_l_h: return r.rounded { r.setX(HalfOps.toInteger(r.h1, .int64, $0, &$1)) }
        case .fcvt_lu_h: return r.rounded { r.setX(HalfOps.toInteger(r.h1, .uint64, $0, &$1)) }
        case .fcvt_h_w: return r.rounded { r.setH(HalfOps.fromInteger(r.x1, .int32, $0, &$1)) }
        case .fcvt_h_wu: return r.rounded { r.setH(HalfOps.fromInteger(r.x1, .uint32, $0, &$1)) }
        case .fcvt_h_l: return r.rounded { r.setH(HalfOps.fromInteger(r.x1, .int64, $0, &$1)) }
        case .fcvt_h_lu: return r.rounded { r.setH(HalfOps.fromInteger(r.x1, .uint64, $0, &$1)) }
        // Widening never rounds but, like fcvt.d.s, still rejects a reserved rm.
        case .fcvt_s_h: return r.rounded { _, flags in r.setS(HalfOps.toSingle(r.h1, &flags)) }
        case .fcvt_d_h: return r.rounded { _, flags in r.setD(HalfOps.toDouble(r.h1, &flags)) }
        case .fcvt_h_s: return r.rounded { r.setH(HalfOps.fromSingle(r.s1, $0, &$1)) }
        case .fcvt_h_d: return r.rounded { r.setH(HalfOps.fromDouble(r.d1, $0, &$1)) }
        // fmv.x.h sign-extends bits 15:0 without an unboxing check; fmv.h.x boxes.
        case .fmv_x_h: r.setX(UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: r.d1)))); return true
        case .fmv_h_x: r.setH(UInt16(truncatingIfNeeded: r.x1)); return true
        // Zfa.
        case .fli_h: r.setH(HalfOps.constant(Int(inst.rs1))); return true
        case .fminm_h: return r.unrounded { r.setH(HalfOps.minMaxPropagatingNaN(r.h1, r.h2, max: false, &$0)) }
        case .fmaxm_h: return r.unrounded { r.setH(HalfOps.minMaxPropagatingNaN(r.h1, r.h2, max: true, &$0)) }
        case .fround_h: return r.rounded { r.setH(HalfOps.roundIntegral(r.h1, $0, signalInexact: false, &$1)) }
        case .froundnx_h: return r.rounded { r.setH(HalfOps.roundIntegral(r.h1, $0, signalInexact: true, &$1)) }
        case .fleq_h: return r.unrounded { r.setX(HalfOps.quietLessOrEqual(r.h1, r.h2, &$0)) }
        case .fltq_h: return r.unrounded { r.setX(HalfOps.quietLess(r.h1, r.h2, &$0)) }
        default: return false
        }
    }
}

extension FloatOperands {
    @inline(__always) var h1: UInt16 { HalfBox.unbox(d1) }
    @inline(__always) var h2: UInt16 { HalfBox.unbox(d2) }
    @inline(__always) var h3: UInt16 { HalfBox.unbox(d3) }
    @inline(__always) func setH(_ v: UInt16) { state.setF(Int(inst.rd), HalfBox.box(v)) }
}
