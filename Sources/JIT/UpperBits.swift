import RISCV
import X86

/// W results whose sign extension nobody sees (issue 20): the `movsxd` after a 32-bit operation
/// is left out when the upper 32 bits of its result are never observed before the register is
/// written again.
///
/// A backward pass over the block decides it. Every instruction that may leave the block, fault,
/// call a helper or read a register in full (branches, loads and stores, writes of sp/gp/tp,
/// which are checked, anything not listed below) observes every register in full, as does the
/// block's end. Between such points, a W operation reads only the low 32 bits of its sources,
/// and `add`, `sub`, `and`, `or`, `xor`, their immediate forms and `slli` compute the low 32
/// bits of their result from the low 32 bits of theirs: those read their sources in full only
/// where their own result is read in full. So in SHA-256's `addw a4,a4,s9; addw a4,a4,a0; ...`
/// chain, and in a rotate (`or` of two shifts) whose result feeds only `xor`s into an `addw`,
/// only the last value is sign-extended; the dispatcher, fault reports, signal frames, helpers
/// and the next block still see exactly the interpreter's registers.
///
/// A result left so has its upper 32 bits zero (what a 32-bit x86 operation leaves), so it is
/// not sign-extended: `SignExtended` forgets it (`Translator.leftUnextended`), and other tracking (`IndexBounds`,
/// `CheckedBases`) is only consulted at accesses, which observe every register.
struct UpperBits {
    /// A bit per instruction index: its result's upper 32 bits are not observed. Two words, not
    /// an array (a trivial type, and no allocation per block): instructions past the 128th, in
    /// blocks made longer than the default, are always extended.
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init() {}

    /// A join (BlockJoins.swift) observes every register too: its segment's budget check may
    /// leave the block there.
    init(_ block: GuestBlock, joins: BlockJoins = BlockJoins()) {
        let n = block.instructions.count
        // Nothing to gain without a W operation or a 32-bit rotate's `or`.
        guard block.instructions.contains(where: { UpperBits.isWord($0.opcode) }) else { return }
        var demanded: UInt32 = ~0 // read in full after the block
        for i in stride(from: n - 1, through: 0, by: -1) {
            let inst = block.instructions[i]
            let rule = UpperBits.rule(inst)
            guard rule != .observes else {
                demanded = ~0
                continue
            }
            defer { if joins.isJoin(i) { demanded = ~0 } }
            let rd = inst.rd & 31
            let bit: UInt32 = 1 << UInt32(rd)
            let full = demanded & bit != 0
            if rd != 0 {
                if !full, i < 64 { low |= 1 << UInt64(i) } else if !full, i < 128 { high |= 1 << UInt64(i - 64) }
                demanded &= ~bit
            }
            let sources = UInt32(1) << UInt32(inst.rs1 & 31) | (inst.opcode.files.rs2 == .x ? UInt32(1) << UInt32(inst.rs2 & 31) : 0)
            switch rule {
            case .word: break
            case .lowFromLow: if full || rd == 0 { demanded |= sources }
            case .full: demanded |= sources
            case .observes: break
            }
            demanded |= 1 // x0 reads as zero whatever
        }
    }

    /// Whether the result of instruction `i` need not be sign-extended.
    func contains(_ i: Int) -> Bool {
        i < 64 ? low & (1 << UInt64(i)) != 0 : i < 128 && high & (1 << UInt64(i - 64)) != 0
    }

    enum Rule {
        /// Reads the low 32 bits of its sources (a W operation).
        case word
        /// The low 32 bits of its result depend only on the low 32 bits of its sources.
        case lowFromLow
        /// Reads its sources in full, but leaves nothing and observes nothing else.
        case full
        /// Anything else: every register observed in full here.
        case observes
    }

    static func isWord(_ op: Opcode) -> Bool {
        switch op {
        case .addw, .subw, .addiw, .sllw, .srlw, .sraw, .slliw, .srliw, .sraiw, .mulw: true
        default: false
        }
    }

    static func rule(_ inst: Instruction) -> Rule {
        // sp, gp and tp are checked when written (ConfinedBases.swift): a way out.
        if inst.opcode.files.writesX, ConfinedBases.registers.contains(inst.rd) { return .observes }
        switch inst.opcode {
        case .addw, .subw, .addiw, .sllw, .srlw, .sraw, .slliw, .srliw, .sraiw, .mulw: return .word
        case .add, .sub, .and, .or, .xor, .addi, .andi, .ori, .xori, .slli: return .lowFromLow
        case .srli, .srai, .sll, .srl, .sra, .slt, .sltu, .slti, .sltiu, .lui, .auipc: return .full
        default: return .observes
        }
    }
}

extension Translator {
    /// `movsxd d, d32` after a W operation, unless nobody sees its upper bits (`UpperBits`).
    mutating func signExtendResult(_ d: GPR) {
        if upperBits.contains(index) {
            leftUnextended = true
            return
        }
        a.movsxd(.r64(d), .r32(d))
    }
}
