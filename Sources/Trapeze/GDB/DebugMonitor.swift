import Guest
import JIT
import RISCV

/// The text of gdb's `monitor` commands, which reach what QEMU's stub cannot show.
enum DebugMonitor {
    static let help = """
        monitor engine [interp|jit]  show or switch the engine that runs the guest between stops
        monitor dump                 the translated block holding pc: guest and host code (JIT)
        monitor stats                instructions retired and the engine's counters

        """

    /// The JIT's translated blocks that hold `pc`, as `trapeze dump` prints them. A breakpoint's
    /// `ebreak` (still in a block translated while it was set) shows as the program's instruction.
    static func dump(_ engine: any Engine, _ guest: GuestRun, pc: UInt64) -> String {
        guard let jit = engine as? JIT else { return "monitor dump: the interpreter translates nothing (monitor engine jit)\n" }
        var blocks = BlockDump.select(jit.translatedBlocks().filter { !$0.flushed }, DumpOptions(pc: pc))
        guard !blocks.isEmpty else {
            return "monitor dump: no translated block holds pc \(Hex.pad(pc, 0)) yet (run or step into it first)\n"
        }
        for b in blocks.indices {
            for (i, at) in blocks[b].guestPCs.enumerated() where blocks[b].guest[i].opcode == .ebreak {
                if case .success(let original) = guest.memory.programInstruction(at: at) { blocks[b].guest[i] = original }
            }
        }
        let lines = BlockDump.lines(blocks, symbols: guest.symbols, hostNames: jit.hostNames(), options: DumpOptions())
        return lines.dropFirst().joined(separator: "\n") + "\n"
    }

    static func stats(_ engine: any Engine, _ kind: EngineKind, _ hart: Hart) -> String {
        var text = "engine \(kind.rawValue), guest instructions retired \(hart.state.instret)\n"
        if let jit = engine as? JIT { text += jit.stats.description + "\n" }
        return text
    }
}
