import Guest
import Interpreter
import Linux
import RISCV
import TestSupport

extension Hart {
    /// Executes one instruction at pc through the single-instruction API.
    @discardableResult
    func exec(_ inst: Instruction) -> StepResult { Interpreter.execute(inst, self) }

    /// Sets x registers (index, value) pairs.
    func set(_ pairs: (Int, UInt64)...) {
        for (i, v) in pairs { state.setX(i, v) }
    }
}

// Instruction builders, so tests read like assembly.
func r(_ op: Opcode, _ rd: UInt8, _ rs1: UInt8, _ rs2: UInt8) -> Instruction {
    Instruction(opcode: op, rd: rd, rs1: rs1, rs2: rs2)
}
func i(_ op: Opcode, _ rd: UInt8, _ rs1: UInt8, _ imm: Int64) -> Instruction {
    Instruction(opcode: op, rd: rd, rs1: rs1, imm: imm)
}
/// Stores and branches: rs1, rs2, imm.
func s(_ op: Opcode, _ rs1: UInt8, _ rs2: UInt8, _ imm: Int64) -> Instruction {
    Instruction(opcode: op, rs1: rs1, rs2: rs2, imm: imm)
}
func u(_ op: Opcode, _ rd: UInt8, _ imm: Int64) -> Instruction {
    Instruction(opcode: op, rd: rd, imm: imm)
}
func csr(_ op: Opcode, _ rd: UInt8, _ number: UInt16, _ rs1: UInt8) -> Instruction {
    Instruction(opcode: op, rd: rd, rs1: rs1, csr: number, raw: 0x73 | UInt32(number) << 20)
}

/// A program of pre-built instructions placed in guest memory under made-up encodings, with a
/// decoder that maps them back — so the run loop (fetch, blocks, permissions, limits) can be
/// tested independently of the real decoder. 4-byte instructions are encoded as
/// `index << 12 | 0x7f`, 2-byte ones as `index << 2` (low bits 00); index 0 is never used, so a
/// zero word is undecodable, as it is on RISC-V.
final class TestProgram: @unchecked Sendable {
    private(set) var table: [Instruction] = [Instruction(opcode: .fence)]
    private(set) var words: [(address: UInt64, bytes: [UInt8])] = []

    var decoder: (UInt32) -> Instruction? {
        let table = self.table
        return { word in
            let index = word & 3 == 3 ? Int(word >> 12) : Int((word & 0xffff) >> 2)
            guard index > 0, index < table.count else { return nil }
            let inst = table[index]
            guard (word & 3 == 3) == (inst.length == 4) else { return nil }
            return inst
        }
    }

    /// Places `instructions` one after another from `address`; returns the address after them.
    @discardableResult
    func place(_ instructions: [Instruction], at address: UInt64, in memory: GuestMemory) -> UInt64 {
        var a = address
        for inst in instructions {
            let index = UInt32(table.count)
            table.append(inst)
            let bytes: [UInt8]
            if inst.length == 2 {
                let parcel = UInt16(truncatingIfNeeded: index << 2)
                bytes = [UInt8(parcel & 0xff), UInt8(parcel >> 8)]
            } else {
                let word = index << 12 | 0x7f
                bytes = (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) }
            }
            _ = memory.poke(a, bytes)
            a &+= UInt64(inst.length)
        }
        return a
    }

    func interpreter() -> Interpreter { Interpreter(decoder: decoder) }
}
