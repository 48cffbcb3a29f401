import RISCV

/// One instruction of a block in a report.
public struct BlockInstruction: Sendable {
    public var pc: UInt64
    public var instruction: Instruction
    public var symbol: String?

    /// `0x...  (0x...)  text  <symbol>`.
    public var text: String {
        let width = instruction.length == 2 ? 4 : 8
        var d = Disassembler(addressComments: false)
        let asm = TraceFormat.assembly(d.disassemble(instruction, pc: pc))
        let head = "\(Hex.pad(pc, 16)) (\(Hex.pad(UInt64(instruction.raw), width)))\(width == 4 ? "    " : "") "
        return symbol.map { head + Hex.padRight(asm, 28) + " <\($0)>" } ?? head + asm
    }
}

/// The first disagreement `difftest` found between an engine and the interpreter.
public struct Divergence: Sendable {
    /// Which block (counting from 0) and how many instructions had retired before it.
    public var blockIndex: Int
    public var instructionCount: UInt64
    public var pc: UInt64
    public var instructions: [BlockInstruction]
    /// Index in `instructions` of the first instruction after which the engine's state differs
    /// from the interpreter's.
    public var responsible: Int?
    /// What differs at the end of the block, interpreter value first.
    public var differences: [Difference]

    /// The responsible instruction, if it was found.
    public var culprit: BlockInstruction? {
        responsible.flatMap { $0 < instructions.count ? instructions[$0] : nil }
    }

    public var report: [String] {
        var out = ["difftest: divergence in block \(blockIndex) at \(Hex.pad(pc, 16))"
                   + (instructions.first?.symbol.map { " <\($0)>" } ?? "")
                   + " after \(instructionCount) instructions"]
        out.append("block:")
        for (i, line) in instructions.enumerated() {
            out.append((i == responsible ? "  => " : "     ") + line.text)
        }
        if let culprit {
            out.append("first differing instruction: " + culprit.text)
        } else {
            out.append("first differing instruction: not found (the block differs only as a whole)")
        }
        out.append("differences (interpreter / engine):")
        let width = differences.map(\.location.count).max() ?? 0
        for d in differences {
            out.append("  " + d.location + String(repeating: " ", count: width - d.location.count) + "  \(d.expected) / \(d.actual)")
        }
        return out
    }
}
