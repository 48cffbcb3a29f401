import RISCV

/// Guest registers known, at a point of the block being translated, to hold a 32-bit value
/// sign-extended to 64 bits (bits 63..31 all equal). A `sext.w` (`addiw rd, rs, 0`, or `addw`
/// with x0) of such a register is a plain move, so no `movsxd` is emitted for it: crc32's
/// `xor s0, s0, a3; sext.w s0, s0` over a `lw` and a `srliw` result, or SHA-256's and AES's
/// `xor`s of loaded words, lose one instruction from their dependency chains.
///
/// The facts are about the guest values, not about where they live, so they hold on every path
/// through the block whatever the register allocation; they start empty at the block's start
/// (which a loop's back edge returns to) and are updated after each instruction, before the
/// next is lowered.
struct SignExtended {
    /// A bit per guest register; x0 (zero) always counts.
    private(set) var known: UInt32 = 1

    func contains(_ x: UInt8) -> Bool { known & (1 << UInt32(x & 31)) != 0 }

    /// Records what `inst` (which the block executed in full) wrote.
    mutating func update(_ inst: Instruction) {
        guard inst.opcode.files.writesX else { return }
        known &= ~inst.secondWritten
        guard inst.rd != 0 else { return }
        let bit: UInt32 = 1 << UInt32(inst.rd)
        if SignExtended.result(inst, known: self) { known |= bit } else { known &= ~bit }
    }

    /// What holds on both of two ways into a join (BlockJoins.swift).
    mutating func meet(_ other: SignExtended) { known &= other.known }

    /// Forgets rd of `inst`: an instruction whose result was not computed (a shift only the
    /// rotate peephole reads, Peephole+Rotate.swift).
    mutating func forget(_ inst: Instruction) {
        guard inst.opcode.files.writesX, inst.rd != 0 else { return }
        known &= ~(1 << UInt32(inst.rd))
    }

    /// Whether `inst`'s result is a sign-extended 32-bit value given what is known of its sources.
    static func result(_ inst: Instruction, known: SignExtended) -> Bool {
        switch inst.opcode {
        // W operations sign-extend their 32-bit result; lw sign-extends; byte and half loads,
        // either way, and set-less-than give values well inside 32 bits; lui's is a sign-extended
        // 32-bit value by definition.
        case .addiw, .slliw, .srliw, .sraiw, .addw, .subw, .sllw, .srlw, .sraw,
             .mulw, .divw, .divuw, .remw, .remuw,
             .lw, .lb, .lh, .lbu, .lhu, .lui, .slt, .sltu, .slti, .sltiu:
            return true
        case .addi:
            // li of a 12-bit immediate, or mv.
            return inst.rs1 == 0 || (inst.imm == 0 && known.contains(inst.rs1))
        case .andi:
            // A non-negative immediate leaves 0...2047; a negative one (itself sign-extended)
            // keeps bits 63..31 of rs1, all equal when rs1's are.
            return inst.imm >= 0 || known.contains(inst.rs1)
        case .ori, .xori:
            return known.contains(inst.rs1)
        case .and, .or, .xor:
            // Bitwise operations of two values whose bits 63..31 are each uniform.
            return known.contains(inst.rs1) && known.contains(inst.rs2)
        case .srli:
            return inst.imm & 63 >= 33 // below 2^31
        case .srai:
            return inst.imm & 63 >= 32
        default:
            return false
        }
    }
}
