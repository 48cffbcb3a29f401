import RISCV

/// One element of a fuzz program. Control flow is described by distance, not address, so the
/// minimiser can delete items and the branches still land on instructions, always forward.
public enum FuzzItem: Sendable, Equatable {
    /// Any straight-line instruction, 32-bit or compressed.
    case plain(Instruction)
    /// A conditional branch over the next `skip` items (to the end if fewer remain).
    case branch(Opcode, rs1: UInt8, rs2: UInt8, skip: Int)
    /// `jal rd` over the next `skip` items.
    case jump(rd: UInt8, skip: Int)

    var length: UInt64 {
        if case .plain(let inst) = self { return UInt64(inst.length) }
        return 4
    }
}

/// A straight-line-or-forward-branching instruction sequence ending in `ebreak`.
public struct FuzzProgram: Sendable, Equatable {
    public var items: [FuzzItem]

    public init(items: [FuzzItem]) { self.items = items }

    /// The instructions laid out from `base`: each with its pc, the final `ebreak` included.
    public func layout(at base: UInt64) -> [(pc: UInt64, inst: Instruction)] {
        var pcs: [UInt64] = []
        var pc = base
        for item in items {
            pcs.append(pc)
            pc &+= item.length
        }
        let end = pc
        func target(_ i: Int, _ skip: Int) -> Int64 {
            let t = i + 1 + max(0, skip)
            return Int64(bitPattern: (t < pcs.count ? pcs[t] : end) &- pcs[i])
        }
        var out: [(UInt64, Instruction)] = []
        for (i, item) in items.enumerated() {
            let inst: Instruction
            switch item {
            case .plain(let p): inst = p
            case .branch(let op, let rs1, let rs2, let skip):
                inst = FuzzProgram.canonical(Instruction(opcode: op, rs1: rs1, rs2: rs2, imm: target(i, skip)))
            case .jump(let rd, let skip):
                inst = FuzzProgram.canonical(Instruction(opcode: .jal, rd: rd, imm: target(i, skip)))
            }
            out.append((pcs[i], inst))
        }
        out.append((end, FuzzProgram.canonical(Instruction(opcode: .ebreak))))
        return out
    }

    /// The little-endian bytes of the laid-out program.
    public func bytes(at base: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        for (_, inst) in layout(at: base) {
            let raw = inst.raw
            out += [UInt8(truncatingIfNeeded: raw), UInt8(truncatingIfNeeded: raw >> 8)]
            if inst.length == 4 { out += [UInt8(truncatingIfNeeded: raw >> 16), UInt8(truncatingIfNeeded: raw >> 24)] }
        }
        return out
    }

    /// The instruction as the decoder would produce it from its encoding (raw bits filled in).
    static func canonical(_ i: Instruction) -> Instruction {
        let word = encode(i)
        return decode(word) ?? i
    }

    /// One line per instruction: `pc: encoding  assembly`.
    public func listing(at base: UInt64) -> [String] {
        layout(at: base).map { pc, inst in
            var d = Disassembler(addressComments: false)
            let width = inst.length == 2 ? 4 : 8
            return "  \(Hex.pad(pc, 0)): \(Hex.pad(UInt64(inst.raw), width))\(width == 4 ? "    " : "")  "
                + TraceFormat.assembly(d.disassemble(inst, pc: pc))
        }
    }
}
