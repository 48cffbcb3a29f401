/// popcnt, lzcnt and tzcnt: F3-prefixed, 16/32/64-bit, defined for a zero source.
extension Assembler {
    public mutating func popcnt(_ dst: Reg, _ src: Reg) { bitCount(0xB8, dst, .gpr(src), src.size) }
    public mutating func popcnt(_ dst: Reg, _ src: Mem) { bitCount(0xB8, dst, .mem(src), dst.size) }
    /// Leading zeros; unlike bsr it is defined (the width) for 0 (LZCNT/ABM).
    public mutating func lzcnt(_ dst: Reg, _ src: Reg) { bitCount(0xBD, dst, .gpr(src), src.size) }
    public mutating func lzcnt(_ dst: Reg, _ src: Mem) { bitCount(0xBD, dst, .mem(src), dst.size) }
    /// Trailing zeros; unlike bsf it is defined (the width) for 0 (BMI1).
    public mutating func tzcnt(_ dst: Reg, _ src: Reg) { bitCount(0xBC, dst, .gpr(src), src.size) }
    public mutating func tzcnt(_ dst: Reg, _ src: Mem) { bitCount(0xBC, dst, .mem(src), dst.size) }

    private mutating func bitCount(_ op: UInt8, _ dst: Reg, _ rm: RM, _ size: OperandSize) {
        precondition(dst.size == size && !size.isByte, "bit counts take 16/32/64-bit operands of one size")
        var p = size.prefixes
        p.rep = 0xF3
        emit(p, w: size.rexW, .of(0x0F, op), reg: dst.gpr.rawValue, rm: rm)
    }
}


/// bsf and bsr: the baseline bit scans (ZF set and the destination undefined for a zero source).
extension Assembler {
    public mutating func bsf(_ dst: Reg, _ src: Reg) { bitScan(0xBC, dst, src) }
    public mutating func bsr(_ dst: Reg, _ src: Reg) { bitScan(0xBD, dst, src) }

    private mutating func bitScan(_ op: UInt8, _ dst: Reg, _ src: Reg) {
        precondition(dst.size == src.size && !dst.size.isByte, "bit scans take 16/32/64-bit operands of one size")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x0F, op), reg: dst.gpr.rawValue, rm: .gpr(src))
    }
}
