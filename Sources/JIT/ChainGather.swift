import RISCV
import X86

/// Chains of in-place operations on one register, kept in a host register (issue 20, class 2;
/// user mode, `JITOptions.gatherChains`, `TRAPEZE_JIT_GATHER=0` turns it off for A/B runs).
///
/// A guest register without a host register lives in the state block, so a chain like AES's
/// `zext.b s5, a3` … `slli s5, s5, 2` … `add s5, s5, a7` (a table index scaled and added to the
/// table's base) was a store, a read-modify-write shift and a read-modify-write add of the same
/// slot: each waits for the store before it (store-to-load forwarding, ~5 cycles), and the
/// chain is on the path from one round's state to the next. gcc spreads such chains apart to
/// interleave four of them, so two steps are done here:
///
/// 1. *Gathering* (`gather`, once per decoded block): a chain step — `x = x op imm` or
///    `x = x op y`, 64-bit — moves up to right after the previous write of x, when every
///    instruction it moves over is an inline integer operation (no access, branch, jump, helper,
///    or sp/gp/tp write, which is checked when written) that neither reads nor writes x nor
///    writes y, and no branch in the block targets any of the instructions whose places change.
///    Nothing that can fault, leave the block or call out is crossed, so wherever registers can be
///    seen (fault reports, signal frames, the dispatcher, helpers) they hold exactly what the
///    original order leaves there, and the instructions retired before each such point are the
///    same ones; only the order between two of those points changes.
/// 2. *Forwarding* (`Translator.forwardChain`): when the previous instruction's last host
///    instruction stored x's new value from a register and the next instruction is a step of
///    x's chain, that store is taken back, the step is done on the register, and its result
///    stored once: `movzx eax, r13b; shl rax, 2; add rax, [a7]; mov [s5], rax`.
///
/// A *reader* of x (`y = x op imm`, `y = x op z`) moves up the same way and reads x from that
/// register instead of reloading the slot just stored (`Translator.forwardRead`; fib's
/// `addw s4, a0, -2` … `andi a5, s4, -2`).
enum ChainGather {
    /// How far back a step looks for the previous write of its register.
    static let window = 32

    /// An inline integer operation that cannot fault, leave the block or call a helper, and
    /// writes none of sp/gp/tp (whose writes are followed by a limit check, ConfinedBases.swift).
    static func isPlain(_ i: Instruction) -> Bool {
        guard case .integer(let op) = i.opcode.operation, i.rd < 2 || i.rd > 4 else { return false }
        switch op {
        case .lui, .auipc, .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai,
             .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
             .addiw, .slliw, .srliw, .sraiw, .addw, .subw, .sllw, .srlw, .sraw:
            return true
        case .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw:
            return false
        }
    }

    /// A chain step `x = x op imm` or `x = x op y` (64-bit; y may equal x): its register and the
    /// other register it reads (0: none), if `i` is one. `forwardChain` lowers exactly these.
    static func step(_ i: Instruction) -> (x: UInt8, other: UInt8)? {
        guard case .integer(let op) = i.opcode.operation, i.rd != 0, i.rd < 2 || i.rd > 4 else { return nil }
        switch op {
        case .addi, .xori, .ori, .andi, .slli, .srli, .srai:
            return i.rs1 == i.rd ? (i.rd, 0) : nil
        case .sub:
            return i.rs1 == i.rd ? (i.rd, i.rs2) : nil
        case .add, .xor, .or, .and:
            if i.rs1 == i.rd { return (i.rd, i.rs2) }
            if i.rs2 == i.rd { return (i.rd, i.rs1) }
            return nil
        default:
            return nil
        }
    }

    /// A reader `y = x op imm` or `y = x op z` (z ≠ x; y ≠ x, not x0 or sp/gp/tp): its register x
    /// and the other register it reads (0: none), if `i` is one whose lowering reads x before
    /// it writes any scratch register (`Translator.forwardRead` lends it x in a register).
    static func reader(_ i: Instruction) -> (x: UInt8, other: UInt8)? {
        guard case .integer(let op) = i.opcode.operation, i.rd != 0, i.rd < 2 || i.rd > 4,
              i.rs1 != 0, i.rs1 != i.rd else { return nil }
        switch op {
        case .addi, .xori, .ori, .andi, .slli, .srli, .srai, .slti, .sltiu, .addiw, .slliw, .srliw, .sraiw:
            return (i.rs1, 0)
        case .add, .sub, .xor, .or, .and, .slt, .sltu, .addw, .subw:
            return i.rs2 != i.rs1 && i.rs2 != i.rd ? (i.rs1, i.rs2) : nil
        default:
            return nil
        }
    }

    /// Moves each chain step of `block`, and each reader, up to its register's previous write
    /// where that is allowed (see the type's comment; a reader moves over nothing that reads or
    /// writes its result or writes what it reads); whether any moved. Instructions keep their pcs.
    @discardableResult
    static func gather(_ block: inout GuestBlock) -> Bool {
        let n = block.instructions.count
        guard n >= 3, block.instructions.contains(where: { step($0) != nil || reader($0) != nil }) else { return false }
        // Branch and jump targets inside the block (joins, the loop's start) stay where they are,
        // and so does everything before them: their indices name them (BlockJoins.swift).
        var fixed = [Bool](repeating: false, count: n)
        fixed[0] = true
        for (k, i) in block.instructions.enumerated() where Lowering.kind(i.opcode) == .branch && i.opcode != .jalr {
            let target = block.pcs[k] &+ UInt64(bitPattern: i.imm)
            if let t = block.pcs.firstIndex(of: target) { fixed[t] = true }
        }
        var moved = false
        // Not the last instruction: the block's end (its fall-through pc) is read off it.
        for k in 2..<(n - 1) {
            let inst = block.instructions[k]
            guard let (x, other) = step(inst) ?? reader(inst), !fixed[k] else { continue }
            let y = inst.rd // x for a step
            // Look back for the previous write of x over instructions the step may cross.
            var j = k - 1
            var writer: Int? = nil
            while j >= 0, k - j <= window {
                let m = block.instructions[j]
                let spec = m.opcode.files
                if spec.writesX, m.rd == x {
                    // A jump's link or anything's write of x: the step goes right after it (not
                    // after a followed jump, whose successor is its target).
                    if Lowering.kind(m.opcode) != .branch { writer = j }
                    break
                }
                guard isPlain(m), !fixed[j],
                      !(spec.rs1 == .x && m.rs1 == y), !(spec.rs2 == .x && m.rs2 == y),
                      !(spec.writesX && (m.rd == y || (other != 0 && m.rd == other))) else { break }
                j -= 1
            }
            guard let p = writer, p < k - 1, !fixed[(p + 1)...k].contains(true) else { continue }
            let pc = block.pcs.remove(at: k)
            block.instructions.remove(at: k)
            block.instructions.insert(inst, at: p + 1)
            block.pcs.insert(pc, at: p + 1)
            moved = true
        }
        return moved
    }
}

extension Translator {
    /// Lowers chain step `i` on the register its register's new value was just stored from
    /// (see `ChainGather`), if the last code emitted is that store: takes the store back, does
    /// the step in the register and stores the result (noted again for a next step). Returns
    /// the offset its code starts at (where the store was), or nil having emitted nothing.
    mutating func forwardChain(_ i: Instruction) -> Int? {
        guard targets.gatherChains, let s = lastStore, s.end == a.offset,
              let (x, other) = ChainGather.step(i), x == s.guest,
              case .memory(let disp) = operand(x), disp == s.disp else { return nil }
        var r = s.register
        if r != Host.t0 && r != Host.t1 { r = Host.t0 } // a cache register keeps its own guest
        guard a.dropTail(from: s.start) else { return nil }
        lastStore = nil
        if r != s.register { a.mov(.r64(r), .r64(s.register)) }
        let imm = Int32(truncatingIfNeeded: i.imm)
        switch i.opcode {
        case .slli: a.shl(.r64(r), imm: UInt8(imm & 63))
        case .srli: a.shr(.r64(r), imm: UInt8(imm & 63))
        case .srai: a.sar(.r64(r), imm: UInt8(imm & 63))
        case .addi: a.alu(.add, .r64(r), imm: imm)
        case .xori: a.alu(.xor, .r64(r), imm: imm)
        case .ori: a.alu(.or, .r64(r), imm: imm)
        case .andi: a.alu(.and, .r64(r), imm: imm)
        default:
            let op: ALUOp
            switch i.opcode {
            case .sub: op = .sub
            case .xor: op = .xor
            case .or: op = .or
            case .and: op = .and
            default: op = .add
            }
            // x's slot is stale (its store was taken back): x itself is in r.
            if other == x { a.alu(op, .r64(r), .r64(r)) } else { alu(op, .r64(r), other) }
        }
        store(x, r)
        return s.start
    }

    /// Lowers reader `i` (see `ChainGather.reader`) with its register x read from the register
    /// x's value was just stored from, if the last code emitted is that store (which stays) and
    /// no label lies in or after it: a lowering that stores on one path and jumps over the store
    /// on another (a fallback's result) leaves the register holding x only on the first.
    /// Whether it did; if not, nothing was emitted.
    mutating func forwardRead(_ i: Instruction) -> Bool {
        guard targets.gatherChains, let s = lastStore, s.end == a.offset,
              let (x, _) = ChainGather.reader(i), x == s.guest,
              case .memory(let disp) = operand(x), disp == s.disp, a.isStraightTail(from: s.start) else { return false }
        lastStore = nil
        lent = (x, s.register)
        lower(i)
        lent = nil
        return true
    }
}
