/// Which scalar floating-point format an SSE instruction works on.
public enum Precision: Sendable {
    /// 32-bit float (the `ss` forms, prefix F3).
    case single
    /// 64-bit float (the `sd` forms, prefix F2).
    case double

    var scalarPrefix: Prefixes { self == .single ? .pF3 : .pF2 }
    /// ucomis/comis and the packed bitwise forms use no prefix for single and 66 for double.
    var packedPrefix: Prefixes { self == .single ? .none : .p66 }
}

/// Scalar SSE arithmetic; the raw value is the opcode after 0F.
public enum ScalarOp: UInt8, CaseIterable, Sendable {
    case sqrt = 0x51, add = 0x58, mul = 0x59, sub = 0x5C, min = 0x5D, div = 0x5E, max = 0x5F
}

/// Bitwise operations on whole xmm registers (used on scalars for sign tricks).
public enum BitwiseOp: CaseIterable, Sendable {
    case andps, andpd, andnps, andnpd, orps, orpd, xorps, xorpd, pxor

    var encoding: (Prefixes, UInt8) {
        switch self {
        case .andps: (.none, 0x54)
        case .andpd: (.p66, 0x54)
        case .andnps: (.none, 0x55)
        case .andnpd: (.p66, 0x55)
        case .orps: (.none, 0x56)
        case .orpd: (.p66, 0x56)
        case .xorps: (.none, 0x57)
        case .xorpd: (.p66, 0x57)
        case .pxor: (.p66, 0xEF)
        }
    }
}

extension Assembler {
    /// `op{ss,sd} dst, src` (`sqrt` computes `dst = sqrt(src)`).
    /// x86 min/max return the second operand when either is NaN or both are zero.
    public mutating func scalar(_ op: ScalarOp, _ p: Precision, _ dst: XMM, _ src: XMM) {
        emit(p.scalarPrefix, .of(0x0F, op.rawValue), reg: dst.rawValue, rm: .xmm(src))
    }

    public mutating func scalar(_ op: ScalarOp, _ p: Precision, _ dst: XMM, _ src: Mem) {
        emit(p.scalarPrefix, .of(0x0F, op.rawValue), reg: dst.rawValue, rm: .mem(src))
    }

    public mutating func addss(_ d: XMM, _ s: XMM) { scalar(.add, .single, d, s) }
    public mutating func addss(_ d: XMM, _ s: Mem) { scalar(.add, .single, d, s) }
    public mutating func addsd(_ d: XMM, _ s: XMM) { scalar(.add, .double, d, s) }
    public mutating func addsd(_ d: XMM, _ s: Mem) { scalar(.add, .double, d, s) }
    public mutating func subss(_ d: XMM, _ s: XMM) { scalar(.sub, .single, d, s) }
    public mutating func subss(_ d: XMM, _ s: Mem) { scalar(.sub, .single, d, s) }
    public mutating func subsd(_ d: XMM, _ s: XMM) { scalar(.sub, .double, d, s) }
    public mutating func subsd(_ d: XMM, _ s: Mem) { scalar(.sub, .double, d, s) }
    public mutating func mulss(_ d: XMM, _ s: XMM) { scalar(.mul, .single, d, s) }
    public mutating func mulss(_ d: XMM, _ s: Mem) { scalar(.mul, .single, d, s) }
    public mutating func mulsd(_ d: XMM, _ s: XMM) { scalar(.mul, .double, d, s) }
    public mutating func mulsd(_ d: XMM, _ s: Mem) { scalar(.mul, .double, d, s) }
    public mutating func divss(_ d: XMM, _ s: XMM) { scalar(.div, .single, d, s) }
    public mutating func divss(_ d: XMM, _ s: Mem) { scalar(.div, .single, d, s) }
    public mutating func divsd(_ d: XMM, _ s: XMM) { scalar(.div, .double, d, s) }
    public mutating func divsd(_ d: XMM, _ s: Mem) { scalar(.div, .double, d, s) }
    public mutating func sqrtss(_ d: XMM, _ s: XMM) { scalar(.sqrt, .single, d, s) }
    public mutating func sqrtss(_ d: XMM, _ s: Mem) { scalar(.sqrt, .single, d, s) }
    public mutating func sqrtsd(_ d: XMM, _ s: XMM) { scalar(.sqrt, .double, d, s) }
    public mutating func sqrtsd(_ d: XMM, _ s: Mem) { scalar(.sqrt, .double, d, s) }
    public mutating func minss(_ d: XMM, _ s: XMM) { scalar(.min, .single, d, s) }
    public mutating func minss(_ d: XMM, _ s: Mem) { scalar(.min, .single, d, s) }
    public mutating func minsd(_ d: XMM, _ s: XMM) { scalar(.min, .double, d, s) }
    public mutating func minsd(_ d: XMM, _ s: Mem) { scalar(.min, .double, d, s) }
    public mutating func maxss(_ d: XMM, _ s: XMM) { scalar(.max, .single, d, s) }
    public mutating func maxss(_ d: XMM, _ s: Mem) { scalar(.max, .single, d, s) }
    public mutating func maxsd(_ d: XMM, _ s: XMM) { scalar(.max, .double, d, s) }
    public mutating func maxsd(_ d: XMM, _ s: Mem) { scalar(.max, .double, d, s) }

    /// `op dst, src` on all 128 bits.
    public mutating func bitwise(_ op: BitwiseOp, _ dst: XMM, _ src: XMM) {
        let (p, o) = op.encoding
        emit(p, .of(0x0F, o), reg: dst.rawValue, rm: .xmm(src))
    }

    /// `op dst, xmmword ptr [mem]`: the memory operand must be 16-byte aligned.
    public mutating func bitwise(_ op: BitwiseOp, _ dst: XMM, _ src: Mem) {
        let (p, o) = op.encoding
        emit(p, .of(0x0F, o), reg: dst.rawValue, rm: .mem(src))
    }

    public mutating func andps(_ d: XMM, _ s: XMM) { bitwise(.andps, d, s) }
    public mutating func andpd(_ d: XMM, _ s: XMM) { bitwise(.andpd, d, s) }
    public mutating func andnps(_ d: XMM, _ s: XMM) { bitwise(.andnps, d, s) }
    public mutating func andnpd(_ d: XMM, _ s: XMM) { bitwise(.andnpd, d, s) }
    public mutating func orps(_ d: XMM, _ s: XMM) { bitwise(.orps, d, s) }
    public mutating func orpd(_ d: XMM, _ s: XMM) { bitwise(.orpd, d, s) }
    public mutating func xorps(_ d: XMM, _ s: XMM) { bitwise(.xorps, d, s) }
    public mutating func xorpd(_ d: XMM, _ s: XMM) { bitwise(.xorpd, d, s) }
    public mutating func pxor(_ d: XMM, _ s: XMM) { bitwise(.pxor, d, s) }

    /// `ucomis{s,d} a, b`: compares, setting ZF/PF/CF (PF = unordered); only sNaN raises invalid.
    public mutating func ucomis(_ p: Precision, _ a: XMM, _ b: XMM) { emit(p.packedPrefix, .of(0x0F, 0x2E), reg: a.rawValue, rm: .xmm(b)) }
    public mutating func ucomis(_ p: Precision, _ a: XMM, _ b: Mem) { emit(p.packedPrefix, .of(0x0F, 0x2E), reg: a.rawValue, rm: .mem(b)) }
    /// `comis{s,d} a, b`: like ucomis, but any NaN raises invalid.
    public mutating func comis(_ p: Precision, _ a: XMM, _ b: XMM) { emit(p.packedPrefix, .of(0x0F, 0x2F), reg: a.rawValue, rm: .xmm(b)) }
    public mutating func comis(_ p: Precision, _ a: XMM, _ b: Mem) { emit(p.packedPrefix, .of(0x0F, 0x2F), reg: a.rawValue, rm: .mem(b)) }

    public mutating func ucomiss(_ a: XMM, _ b: XMM) { ucomis(.single, a, b) }
    public mutating func ucomisd(_ a: XMM, _ b: XMM) { ucomis(.double, a, b) }
    public mutating func comiss(_ a: XMM, _ b: XMM) { comis(.single, a, b) }
    public mutating func comisd(_ a: XMM, _ b: XMM) { comis(.double, a, b) }

    /// `rounds{s,d} dst, src, mode`: mode bits 1:0 pick the rounding (0 nearest-even, 1 down,
    /// 2 up, 3 toward zero), bit 2 says "use MXCSR instead", bit 3 suppresses inexact (SSE4.1).
    public mutating func round(_ p: Precision, _ dst: XMM, _ src: XMM, mode: UInt8) {
        emit(.p66, .of(0x0F, 0x3A, p == .single ? 0x0A : 0x0B), reg: dst.rawValue, rm: .xmm(src), imm: Int64(mode), immSize: 1)
    }

    public mutating func round(_ p: Precision, _ dst: XMM, _ src: Mem, mode: UInt8) {
        emit(.p66, .of(0x0F, 0x3A, p == .single ? 0x0A : 0x0B), reg: dst.rawValue, rm: .mem(src), imm: Int64(mode), immSize: 1)
    }

    public mutating func roundss(_ d: XMM, _ s: XMM, mode: UInt8) { round(.single, d, s, mode: mode) }
    public mutating func roundsd(_ d: XMM, _ s: XMM, mode: UInt8) { round(.double, d, s, mode: mode) }

    /// `ldmxcsr dword ptr [mem]`: loads the SSE control/status register.
    public mutating func ldmxcsr(_ m: Mem) { emit(.none, .of(0x0F, 0xAE), reg: 2, rm: .mem(m)) }
    /// `stmxcsr dword ptr [mem]`.
    public mutating func stmxcsr(_ m: Mem) { emit(.none, .of(0x0F, 0xAE), reg: 3, rm: .mem(m)) }
}
