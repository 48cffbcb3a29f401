/// The eight classic two-operand integer operations; the raw value is both the ModRM /digit of
/// the immediate forms and the opcode row (`op*8 + 0…5`) of the register forms.
public enum ALUOp: UInt8, CaseIterable, Sendable {
    case add, or, adc, sbb, and, sub, xor, cmp
}

extension OperandSize {
    /// The 66 prefix and REX.W that select this operand size on a full-width opcode.
    var prefixes: Prefixes { self == .word ? .p66 : .none }
    var rexW: Bool { self == .qword }
    var isByte: Bool { self == .byte }
    /// Byte forms use the even opcode, the others the odd one right after it.
    func opcode(_ byteForm: UInt8) -> UInt8 { isByte ? byteForm : byteForm + 1 }
    /// How many immediate bytes a full-size immediate has (32 bits at most, sign-extended for qword).
    var immBytes: Int { min(rawValue, 4) }

    /// `v` reduced to this size and sign-extended back, which is what the CPU will see.
    func fit(_ v: Int64) -> Int64 {
        switch self {
        case .byte: Int64(Int8(truncatingIfNeeded: v))
        case .word: Int64(Int16(truncatingIfNeeded: v))
        case .dword, .qword, .xmmword: Int64(Int32(truncatingIfNeeded: v))
        }
    }
}

extension Assembler {
    /// `op dst, src` between registers of the same width (the r/m, reg form binutils and LLVM pick).
    public mutating func alu(_ op: ALUOp, _ dst: Reg, _ src: Reg) {
        precondition(dst.size == src.size, "operand sizes differ")
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(op.rawValue << 3)), reg: src.gpr.rawValue, rm: .gpr(dst),
             byteRegs: .of(dst, src))
    }

    /// `op [mem], src`.
    public mutating func alu(_ op: ALUOp, _ dst: Mem, _ src: Reg) {
        let s = src.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(op.rawValue << 3)), reg: src.gpr.rawValue, rm: .mem(dst),
             byteRegs: .of(src))
    }

    /// `op dst, [mem]`.
    public mutating func alu(_ op: ALUOp, _ dst: Reg, _ src: Mem) {
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(op.rawValue << 3 | 2)), reg: dst.gpr.rawValue, rm: .mem(src),
             byteRegs: .of(dst))
    }

    /// `op dst, imm`: a sign-extended imm8 when it fits, the short accumulator form for
    /// al/ax/eax/rax, otherwise a full immediate (sign-extended from 32 bits for 64-bit operands).
    public mutating func alu(_ op: ALUOp, _ dst: Reg, imm: Int32) {
        let s = dst.size, v = s.fit(Int64(imm))
        if !s.isByte && Int8(exactly: v) != nil {
            emit(s.prefixes, w: s.rexW, .of(0x83), reg: op.rawValue, rm: .gpr(dst), imm: v, immSize: 1)
        } else if dst.gpr == .rax {
            emitPlain(s.prefixes, w: s.rexW, .of(s.opcode(op.rawValue << 3 | 4)))
            emitImmediate(v, size: s.immBytes)
        } else {
            emit(s.prefixes, w: s.rexW, .of(s.opcode(0x80)), reg: op.rawValue, rm: .gpr(dst), byteRegs: .of(dst),
                 imm: v, immSize: s.immBytes)
        }
    }

    /// `op size ptr [mem], imm`, with the operand size taken from `dst`.
    public mutating func alu(_ op: ALUOp, _ dst: Mem, imm: Int32) {
        let s = dst.size, v = s.fit(Int64(imm))
        if !s.isByte && Int8(exactly: v) != nil {
            emit(s.prefixes, w: s.rexW, .of(0x83), reg: op.rawValue, rm: .mem(dst), imm: v, immSize: 1)
        } else {
            emit(s.prefixes, w: s.rexW, .of(s.opcode(0x80)), reg: op.rawValue, rm: .mem(dst), imm: v, immSize: s.immBytes)
        }
    }

    /// `cmp dword [mem], imm32` always with the four-byte immediate, which ends the instruction,
    /// so that it can be rewritten after installation (a chained exit's epoch check); nops
    /// before it align the immediate to 4 bytes at its final address, so that one aligned
    /// 32-bit store rewrites it. Returns the immediate's offset in the buffer.
    @discardableResult
    public mutating func cmpPatchable(_ dst: Mem, imm: Int32) -> Int {
        precondition(dst.size == .dword, "cmpPatchable compares a dword")
        let start = offset
        emit(dst.size.prefixes, w: false, .of(0x81), reg: ALUOp.cmp.rawValue, rm: .mem(dst), imm: Int64(imm), immSize: 4)
        let length = offset - start
        let pad = Int((0 &- (baseAddress &+ UInt64(offset - 4))) & 3)
        if pad > 0 {
            bytes.removeLast(length)
            nop(pad)
            emit(dst.size.prefixes, w: false, .of(0x81), reg: ALUOp.cmp.rawValue, rm: .mem(dst), imm: Int64(imm), immSize: 4)
        }
        return offset - 4
    }

    public mutating func add(_ d: Reg, _ s: Reg) { alu(.add, d, s) }
    public mutating func add(_ d: Mem, _ s: Reg) { alu(.add, d, s) }
    public mutating func add(_ d: Reg, _ s: Mem) { alu(.add, d, s) }
    public mutating func add(_ d: Reg, imm: Int32) { alu(.add, d, imm: imm) }
    public mutating func add(_ d: Mem, imm: Int32) { alu(.add, d, imm: imm) }

    public mutating func or(_ d: Reg, _ s: Reg) { alu(.or, d, s) }
    public mutating func or(_ d: Mem, _ s: Reg) { alu(.or, d, s) }
    public mutating func or(_ d: Reg, _ s: Mem) { alu(.or, d, s) }
    public mutating func or(_ d: Reg, imm: Int32) { alu(.or, d, imm: imm) }
    public mutating func or(_ d: Mem, imm: Int32) { alu(.or, d, imm: imm) }

    public mutating func adc(_ d: Reg, _ s: Reg) { alu(.adc, d, s) }
    public mutating func adc(_ d: Mem, _ s: Reg) { alu(.adc, d, s) }
    public mutating func adc(_ d: Reg, _ s: Mem) { alu(.adc, d, s) }
    public mutating func adc(_ d: Reg, imm: Int32) { alu(.adc, d, imm: imm) }
    public mutating func adc(_ d: Mem, imm: Int32) { alu(.adc, d, imm: imm) }

    public mutating func sbb(_ d: Reg, _ s: Reg) { alu(.sbb, d, s) }
    public mutating func sbb(_ d: Mem, _ s: Reg) { alu(.sbb, d, s) }
    public mutating func sbb(_ d: Reg, _ s: Mem) { alu(.sbb, d, s) }
    public mutating func sbb(_ d: Reg, imm: Int32) { alu(.sbb, d, imm: imm) }
    public mutating func sbb(_ d: Mem, imm: Int32) { alu(.sbb, d, imm: imm) }

    public mutating func and(_ d: Reg, _ s: Reg) { alu(.and, d, s) }
    public mutating func and(_ d: Mem, _ s: Reg) { alu(.and, d, s) }
    public mutating func and(_ d: Reg, _ s: Mem) { alu(.and, d, s) }
    public mutating func and(_ d: Reg, imm: Int32) { alu(.and, d, imm: imm) }
    public mutating func and(_ d: Mem, imm: Int32) { alu(.and, d, imm: imm) }

    public mutating func sub(_ d: Reg, _ s: Reg) { alu(.sub, d, s) }
    public mutating func sub(_ d: Mem, _ s: Reg) { alu(.sub, d, s) }
    public mutating func sub(_ d: Reg, _ s: Mem) { alu(.sub, d, s) }
    public mutating func sub(_ d: Reg, imm: Int32) { alu(.sub, d, imm: imm) }
    public mutating func sub(_ d: Mem, imm: Int32) { alu(.sub, d, imm: imm) }

    public mutating func xor(_ d: Reg, _ s: Reg) { alu(.xor, d, s) }
    public mutating func xor(_ d: Mem, _ s: Reg) { alu(.xor, d, s) }
    public mutating func xor(_ d: Reg, _ s: Mem) { alu(.xor, d, s) }
    public mutating func xor(_ d: Reg, imm: Int32) { alu(.xor, d, imm: imm) }
    public mutating func xor(_ d: Mem, imm: Int32) { alu(.xor, d, imm: imm) }

    public mutating func cmp(_ d: Reg, _ s: Reg) { alu(.cmp, d, s) }
    public mutating func cmp(_ d: Mem, _ s: Reg) { alu(.cmp, d, s) }
    public mutating func cmp(_ d: Reg, _ s: Mem) { alu(.cmp, d, s) }
    public mutating func cmp(_ d: Reg, imm: Int32) { alu(.cmp, d, imm: imm) }
    public mutating func cmp(_ d: Mem, imm: Int32) { alu(.cmp, d, imm: imm) }
}

// MARK: - test

extension Assembler {
    /// `test dst, src` (flags of `dst & src`).
    public mutating func test(_ dst: Reg, _ src: Reg) {
        precondition(dst.size == src.size, "operand sizes differ")
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0x84)), reg: src.gpr.rawValue, rm: .gpr(dst), byteRegs: .of(dst, src))
    }

    public mutating func test(_ dst: Mem, _ src: Reg) {
        let s = src.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0x84)), reg: src.gpr.rawValue, rm: .mem(dst), byteRegs: .of(src))
    }

    /// `test dst, imm`: there is no imm8 form, so the immediate is full size (short form for the accumulator).
    public mutating func test(_ dst: Reg, imm: Int32) {
        let s = dst.size, v = s.fit(Int64(imm))
        if dst.gpr == .rax {
            emitPlain(s.prefixes, w: s.rexW, .of(s.opcode(0xA8)))
            emitImmediate(v, size: s.immBytes)
        } else {
            emit(s.prefixes, w: s.rexW, .of(s.opcode(0xF6)), reg: 0, rm: .gpr(dst), byteRegs: .of(dst), imm: v, immSize: s.immBytes)
        }
    }

    public mutating func test(_ dst: Mem, imm: Int32) {
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0xF6)), reg: 0, rm: .mem(dst), imm: s.fit(Int64(imm)), immSize: s.immBytes)
    }
}
