import RISCV

/// Constants built in two instructions: `lui`/`auipc` followed by an `addi`/`addiw` of the same
/// register (`li` of a 32-bit value, `la`) become one store of the final value.
extension Translator {
    /// `rd = upper + imm`, or, when the next instruction only adds to rd, the sum of both; then
    /// `foldedNext` tells the translation loop that the next instruction's work is done.
    mutating func upperImmediate(_ i: Instruction, upper: UInt64) {
        var value = upper &+ UInt64(bitPattern: i.imm)
        // Not into a join (BlockJoins.swift): a branch may reach the addi without the lui.
        if index + 1 < block.instructions.count, i.rd != 0, !joins.isJoin(index + 1) {
            let next = block.instructions[index + 1]
            if next.rd == i.rd, next.rs1 == i.rd, next.opcode == .addi || next.opcode == .addiw {
                value = value &+ UInt64(bitPattern: next.imm)
                if next.opcode == .addiw { value = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value))) }
                foldedNext = true
            }
        }
        storeConstant(i.rd, value)
    }
}
