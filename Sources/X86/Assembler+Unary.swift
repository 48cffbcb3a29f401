/// The one-operand group-3/group-5 operations; the raw value is the ModRM /digit.
/// inc and dec use opcode FE/FF, the rest F6/F7.
public enum UnaryOp: UInt8, CaseIterable, Sendable {
    case inc = 0x10, dec = 0x11
    case not = 2, neg = 3
    /// Unsigned rdx:rax = rax * src (and the narrower widths).
    case mul = 4
    /// Signed rdx:rax = rax * src.
    case imul = 5
    /// Unsigned rax = rdx:rax / src, rdx = remainder. Faults on zero and on overflow.
    case div = 6
    /// Signed division; also faults on INT_MIN / -1.
    case idiv = 7

    var digit: UInt8 { rawValue & 7 }
    var opcode: UInt8 { rawValue >= 0x10 ? 0xFE : 0xF6 }
}

extension Assembler {
    public mutating func unary(_ op: UnaryOp, _ r: Reg) {
        let s = r.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(op.opcode)), reg: op.digit, rm: .gpr(r), byteRegs: .of(r))
    }

    public mutating func unary(_ op: UnaryOp, _ m: Mem) {
        let s = m.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(op.opcode)), reg: op.digit, rm: .mem(m))
    }

    public mutating func inc(_ r: Reg) { unary(.inc, r) }
    public mutating func inc(_ m: Mem) { unary(.inc, m) }
    public mutating func dec(_ r: Reg) { unary(.dec, r) }
    public mutating func dec(_ m: Mem) { unary(.dec, m) }
    public mutating func not(_ r: Reg) { unary(.not, r) }
    public mutating func not(_ m: Mem) { unary(.not, m) }
    public mutating func neg(_ r: Reg) { unary(.neg, r) }
    public mutating func neg(_ m: Mem) { unary(.neg, m) }
    public mutating func mul(_ r: Reg) { unary(.mul, r) }
    public mutating func mul(_ m: Mem) { unary(.mul, m) }
    public mutating func imul(_ r: Reg) { unary(.imul, r) }
    public mutating func imul(_ m: Mem) { unary(.imul, m) }
    public mutating func div(_ r: Reg) { unary(.div, r) }
    public mutating func div(_ m: Mem) { unary(.div, m) }
    public mutating func idiv(_ r: Reg) { unary(.idiv, r) }
    public mutating func idiv(_ m: Mem) { unary(.idiv, m) }
}

// MARK: - Multiplication and sign extension

extension Assembler {
    /// `imul dst, src`: the low half of the signed (or unsigned) product.
    public mutating func imul(_ dst: Reg, _ src: Reg) {
        precondition(dst.size == src.size && !dst.size.isByte, "imul r, r/m takes 16/32/64-bit operands")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x0F, 0xAF), reg: dst.gpr.rawValue, rm: .gpr(src))
    }

    public mutating func imul(_ dst: Reg, _ src: Mem) {
        precondition(!dst.size.isByte, "imul r, r/m takes 16/32/64-bit operands")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x0F, 0xAF), reg: dst.gpr.rawValue, rm: .mem(src))
    }

    /// `imul dst, src, imm`, with an imm8 when it fits.
    public mutating func imul(_ dst: Reg, _ src: Reg, imm: Int32) {
        precondition(dst.size == src.size, "operand sizes differ")
        imul3(dst, .gpr(src), imm)
    }

    public mutating func imul(_ dst: Reg, _ src: Mem, imm: Int32) { imul3(dst, .mem(src), imm) }

    private mutating func imul3(_ dst: Reg, _ rm: RM, _ imm: Int32) {
        let s = dst.size, v = s.fit(Int64(imm))
        precondition(!s.isByte, "imul r, r/m, imm takes 16/32/64-bit operands")
        let short = Int8(exactly: v) != nil
        emit(s.prefixes, w: s.rexW, .of(short ? 0x6B : 0x69), reg: dst.gpr.rawValue, rm: rm,
             imm: v, immSize: short ? 1 : s.immBytes)
    }

    /// Sign-extends rax into rdx:rax (before a 64-bit idiv).
    public mutating func cqo() { emitPlain(w: true, .of(0x99)) }
    /// Sign-extends eax into edx:eax (before a 32-bit idiv).
    public mutating func cdq() { emitPlain(.of(0x99)) }
    /// Sign-extends eax into rax.
    public mutating func cdqe() { emitPlain(w: true, .of(0x98)) }
}
