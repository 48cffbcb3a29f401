import Guest
import Interpreter
import RISCV

/// One guest basic block as the interpreter (the oracle) executes it, with everything needed to
/// undo it and to check another engine's run of the same block.
struct ReferenceBlock {
    /// The retired instructions, in order, with their pcs.
    var instructions: [(pc: UInt64, inst: Instruction)] = []
    /// The first instruction raised this exception (then `instructions` is empty, and `faulting`
    /// holds the instruction if it could be decoded).
    var trap: GuestTrap?
    var faulting: Instruction?
    /// The block is one system instruction, which the driver runs exactly once, on the engine.
    var system: Instruction?
    var journal = MemoryJournal()
    /// State and written bytes after the block.
    var final: StateSnapshot?
    var written: [UInt64] = []

    var retired: Int { instructions.count }

    /// Steps the interpreter from the hart's current state up to the end of a basic block, at
    /// most `limit` instructions. Stops before a system instruction and before an instruction
    /// that traps, so each block's outcome is either "ran k instructions" or "trapped at once".
    static func execute(_ hart: Hart, limit: Int) -> ReferenceBlock {
        var block = ReferenceBlock()
        let state = hart.state
        while block.retired < limit {
            let pc = state.pc
            let inst: Instruction
            do {
                inst = try hart.fetchInstruction(pc)
            } catch {
                if block.retired == 0 { block.trap = error }
                return block.finish(hart)
            }
            if inst.opcode.isSystem {
                if block.retired == 0 { block.system = inst }
                return block.finish(hart)
            }
            block.journal.logBefore(inst, hart)
            switch Interpreter.execute(inst, hart) {
            case .retired:
                state.instret &+= 1
                block.instructions.append((pc, inst))
                if inst.opcode.info.endsBlock { return block.finish(hart) }
            case .trap(let trap):
                if block.retired == 0 { block.trap = trap; block.faulting = inst }
                return block.finish(hart)
            case .system:
                if block.retired == 0 { block.system = inst }
                return block.finish(hart)
            }
        }
        return block.finish(hart)
    }

    private func finish(_ hart: Hart) -> ReferenceBlock {
        var done = self
        done.final = StateSnapshot(hart.state)
        done.written = journal.current(hart.memory)
        return done
    }

    /// What the engine must do with the block: retire it all, or raise the same trap.
    var expectedOutcome: EngineOutcome {
        if let trap, retired == 0 { return .trapped(trap) }
        return .ran
    }

    /// How many instructions to let the engine run.
    var budget: UInt64 { retired == 0 ? 1 : UInt64(retired) }
}
