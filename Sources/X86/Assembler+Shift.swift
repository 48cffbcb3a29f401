/// Shifts and rotates; the raw value is the ModRM /digit of group 2.
public enum ShiftOp: UInt8, CaseIterable, Sendable {
    case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7
}

/// The only register a variable shift count can live in. Spelling it out keeps the call
/// reading like the instruction: `a.shl(.rax, .cl)`.
public enum ShiftCount: Sendable {
    case cl
}

extension Assembler {
    /// `op dst, imm`; a count of 1 uses the short D0/D1 form, as assemblers do.
    /// The CPU masks the count to 5 bits (6 for 64-bit operands).
    public mutating func shift(_ op: ShiftOp, _ dst: Reg, imm: UInt8) {
        shift(op, .gpr(dst), dst, imm)
    }

    public mutating func shift(_ op: ShiftOp, _ dst: Mem, imm: UInt8) {
        shift(op, .mem(dst), nil, imm, size: dst.size)
    }

    /// `op dst, cl`.
    public mutating func shift(_ op: ShiftOp, _ dst: Reg, _ count: ShiftCount) {
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0xD2)), reg: op.rawValue, rm: .gpr(dst), byteRegs: .of(dst))
    }

    public mutating func shift(_ op: ShiftOp, _ dst: Mem, _ count: ShiftCount) {
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0xD2)), reg: op.rawValue, rm: .mem(dst))
    }

    private mutating func shift(_ op: ShiftOp, _ rm: RM, _ r: Reg?, _ imm: UInt8, size: OperandSize? = nil) {
        let s = r?.size ?? size ?? .qword
        let regs: ByteRegs = r.map { .of($0) } ?? .of()
        if imm == 1 {
            emit(s.prefixes, w: s.rexW, .of(s.opcode(0xD0)), reg: op.rawValue, rm: rm, byteRegs: regs)
        } else {
            emit(s.prefixes, w: s.rexW, .of(s.opcode(0xC0)), reg: op.rawValue, rm: rm, byteRegs: regs,
                 imm: Int64(imm), immSize: 1)
        }
    }

    public mutating func shl(_ d: Reg, imm: UInt8) { shift(.shl, d, imm: imm) }
    public mutating func shl(_ d: Mem, imm: UInt8) { shift(.shl, d, imm: imm) }
    public mutating func shl(_ d: Reg, _ c: ShiftCount) { shift(.shl, d, c) }
    public mutating func shl(_ d: Mem, _ c: ShiftCount) { shift(.shl, d, c) }
    public mutating func shr(_ d: Reg, imm: UInt8) { shift(.shr, d, imm: imm) }
    public mutating func shr(_ d: Mem, imm: UInt8) { shift(.shr, d, imm: imm) }
    public mutating func shr(_ d: Reg, _ c: ShiftCount) { shift(.shr, d, c) }
    public mutating func shr(_ d: Mem, _ c: ShiftCount) { shift(.shr, d, c) }
    public mutating func sar(_ d: Reg, imm: UInt8) { shift(.sar, d, imm: imm) }
    public mutating func sar(_ d: Mem, imm: UInt8) { shift(.sar, d, imm: imm) }
    public mutating func sar(_ d: Reg, _ c: ShiftCount) { shift(.sar, d, c) }
    public mutating func sar(_ d: Mem, _ c: ShiftCount) { shift(.sar, d, c) }
    public mutating func rol(_ d: Reg, imm: UInt8) { shift(.rol, d, imm: imm) }
    public mutating func rol(_ d: Mem, imm: UInt8) { shift(.rol, d, imm: imm) }
    public mutating func rol(_ d: Reg, _ c: ShiftCount) { shift(.rol, d, c) }
    public mutating func rol(_ d: Mem, _ c: ShiftCount) { shift(.rol, d, c) }
    public mutating func ror(_ d: Reg, imm: UInt8) { shift(.ror, d, imm: imm) }
    public mutating func ror(_ d: Mem, imm: UInt8) { shift(.ror, d, imm: imm) }
    public mutating func ror(_ d: Reg, _ c: ShiftCount) { shift(.ror, d, c) }
    public mutating func ror(_ d: Mem, _ c: ShiftCount) { shift(.ror, d, c) }
}

// MARK: - BMI1/BMI2 (VEX-encoded, 32 or 64 bit, flags untouched except andn/bzhi)

extension Assembler {
    /// `shlx dst, src, count`: shift without touching flags, count in any register (BMI2).
    public mutating func shlx(_ dst: Reg, _ src: Reg, _ count: Reg) { bmiShift(pp: 1, dst, .gpr(src), count) }
    public mutating func shlx(_ dst: Reg, _ src: Mem, _ count: Reg) { bmiShift(pp: 1, dst, .mem(src), count) }
    public mutating func shrx(_ dst: Reg, _ src: Reg, _ count: Reg) { bmiShift(pp: 3, dst, .gpr(src), count) }
    public mutating func shrx(_ dst: Reg, _ src: Mem, _ count: Reg) { bmiShift(pp: 3, dst, .mem(src), count) }
    public mutating func sarx(_ dst: Reg, _ src: Reg, _ count: Reg) { bmiShift(pp: 2, dst, .gpr(src), count) }
    public mutating func sarx(_ dst: Reg, _ src: Mem, _ count: Reg) { bmiShift(pp: 2, dst, .mem(src), count) }

    /// `rorx dst, src, imm`: rotate right by a constant into another register, flags untouched (BMI2).
    public mutating func rorx(_ dst: Reg, _ src: Reg, imm: UInt8) {
        precondition(dst.size == .dword || dst.size == .qword, "BMI instructions take 32/64-bit operands")
        precondition(src.size == dst.size, "operand sizes differ")
        emitVEX(map: 3, pp: 3, w: dst.size == .qword, vvvv: 0, 0xF0, reg: dst.gpr.rawValue, rm: .gpr(src), immSize: 1)
        bytes.append(imm)
    }

    /// `andn dst, a, b` = `~a & b` (BMI1).
    public mutating func andn(_ dst: Reg, _ a: Reg, _ b: Reg) { andn(dst, a, .gpr(b)) }
    public mutating func andn(_ dst: Reg, _ a: Reg, _ b: Mem) { andn(dst, a, .mem(b)) }

    /// `bzhi dst, src, index`: `src` with the bits from `index[7:0]` up cleared (BMI2).
    public mutating func bzhi(_ dst: Reg, _ src: Reg, _ index: Reg) { bmi(pp: 0, 0xF5, dst, .gpr(src), index) }
    public mutating func bzhi(_ dst: Reg, _ src: Mem, _ index: Reg) { bmi(pp: 0, 0xF5, dst, .mem(src), index) }

    private mutating func andn(_ dst: Reg, _ a: Reg, _ b: RM) {
        precondition(dst.size == a.size, "operand sizes differ")
        bmi(pp: 0, 0xF2, dst, b, a)
    }

    private mutating func bmiShift(pp: UInt8, _ dst: Reg, _ src: RM, _ count: Reg) {
        bmi(pp: pp, 0xF7, dst, src, count)
    }

    private mutating func bmi(pp: UInt8, _ opcode: UInt8, _ dst: Reg, _ rm: RM, _ v: Reg) {
        precondition(dst.size == .dword || dst.size == .qword, "BMI instructions take 32/64-bit operands")
        precondition(v.size == dst.size, "operand sizes differ")
        emitVEX(map: 2, pp: pp, w: dst.size == .qword, vvvv: v.gpr.rawValue, opcode, reg: dst.gpr.rawValue, rm: rm)
    }
}
