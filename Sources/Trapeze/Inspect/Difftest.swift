import Guest
import JIT
import RISCV

/// Options for a lockstep run.
public struct DifftestOptions: Sendable {
    /// The engine checked against the interpreter.
    public var engine: EngineKind
    /// A deliberate bug to inject into the checked engine (tests and demonstrations).
    public var fault: FaultInjection?
    /// Stop (without a verdict against the guest) after this many instructions.
    public var maxInstructions: UInt64?
    /// Every this many blocks, also check that the engine wrote no memory the interpreter did not
    /// (a copy of all writable pages is compared). 0 turns the check off.
    public var memoryCheckInterval: Int
    /// Longest block the interpreter runs before handing over.
    public var maxBlockLength: Int

    public init(engine: EngineKind = .jit, fault: FaultInjection? = nil, maxInstructions: UInt64? = nil,
                memoryCheckInterval: Int = 4096, maxBlockLength: Int = 64) {
        self.engine = engine
        self.fault = fault
        self.maxInstructions = maxInstructions
        self.memoryCheckInterval = memoryCheckInterval
        self.maxBlockLength = max(1, maxBlockLength)
    }
}

/// The result of a lockstep run: the guest's exit, or the first divergence.
public struct DifftestResult: Sendable {
    /// How the guest ended (nil when the run stopped at a divergence).
    public var status: ExitStatus?
    public var divergence: Divergence?
    public var blocks: Int
    public var instructions: UInt64
}

/// Runs a guest on an engine and on the interpreter in lockstep, block by block, and stops at
/// the first block after which they disagree.
///
/// One hart and one memory: the interpreter runs each block first while its stores are
/// journalled; then the stores and the state are rolled back and the engine runs the same
/// number of instructions; then pc, every x and f register, fflags, frm, instret, the
/// reservation and every byte the interpreter wrote are compared. System instructions form
/// blocks of their own and run once, on the engine (so each syscall happens once); exceptions
/// are caught from both sides and compared before the environment sees them.
public final class Difftest {
    let hart: Hart
    let engine: any Engine
    let symbols: Symbolizer
    let options: DifftestOptions
    let proxy: InspectingEnvironment
    /// The loaded program, when there is one: its host setup wraps the run.
    var guest: GuestRun?

    /// `engine` is wrapped with `options.fault` unless `faultInjected` says it already carries it.
    public init(hart: Hart, engine: any Engine, symbols: Symbolizer, options: DifftestOptions, faultInjected: Bool = false) {
        self.hart = hart
        self.engine = faultInjected ? engine : options.fault.map { FaultInjectingEngine(wrapping: engine, $0) } ?? engine
        self.symbols = symbols
        self.options = options
        proxy = InspectingEnvironment(wrapping: hart.environment)
    }

    /// Checks `run`'s guest on the engine the options name.
    public convenience init(_ run: GuestRun, options: DifftestOptions) {
        // Every block translated: interpreting first runs would check the interpreter against itself.
        var jit = run.configuration.engine.jitOptions
        jit.interpretFirst = false
        self.init(hart: run.hart, engine: options.engine.make(jit: jit, fault: options.fault),
                  symbols: Symbolizer(run.process.program), options: options, faultInjected: true)
        guest = run
    }

    public func run() -> DifftestResult {
        guard let guest else { return lockstep() }
        return guest.hosted { lockstep() }
    }

    func lockstep() -> DifftestResult {
        let state = hart.state
        let start = state.instret
        var blocks = 0
        func result(_ status: ExitStatus?, _ divergence: Divergence? = nil) -> DifftestResult {
            DifftestResult(status: status, divergence: divergence, blocks: blocks, instructions: state.instret &- start)
        }
        while true {
            if case .stop(let status) = proxy.deliverPendingEvents(hart) { return result(status) }
            var limit = options.maxBlockLength
            if let max = options.maxInstructions {
                let done = state.instret &- start
                if done >= max { return result(.instructionLimit) }
                limit = Int(min(UInt64(limit), max - done))
            }
            let before = StateSnapshot(state)
            let reference = ReferenceBlock.execute(hart, limit: limit)

            if reference.system != nil {
                // Runs once, on the engine: its effects are simply there for the next block.
                before.restore(into: state)
                switch proxy.run(engine, hart, 1) {
                case .ran: break
                case .trapped(let trap):
                    if case .stop(let status) = proxy.report(trap, hart) { return result(status) }
                case .stopped(let status): return result(status)
                }
                blocks += 1
                continue
            }

            reference.journal.undo(hart.memory)
            before.restore(into: state)
            let image = options.memoryCheckInterval > 0 && blocks % options.memoryCheckInterval == 0
                ? WritableImage(hart.memory) : nil
            let outcome = proxy.run(engine, hart, reference.budget)
            var differences = compare(reference, outcome)
            if differences.isEmpty, let image {
                let written = reference.journal.current(hart.memory)
                reference.journal.undo(hart.memory)
                if let (address, expected, actual) = image.firstDifference(hart.memory) {
                    differences.append(Difference(location: "mem[\(Hex.pad(address, 0))] (not written by the interpreter)",
                                                  expected: Hex.pad(UInt64(expected), 2), actual: Hex.pad(UInt64(actual), 2)))
                }
                reference.journal.apply(written, hart.memory)
            }
            if !differences.isEmpty {
                let divergence = explain(reference, before: before, differences: differences, block: blocks)
                return result(nil, divergence)
            }
            blocks += 1
            if case .trapped(let trap) = outcome,
               case .stop(let status) = proxy.report(trap, hart) {
                return result(status)
            }
        }
    }

    /// Everything that differs between the interpreter's block and the engine's run of it.
    func compare(_ reference: ReferenceBlock, _ outcome: EngineOutcome) -> [Difference] {
        var out: [Difference] = []
        if outcome != reference.expectedOutcome {
            out.append(Difference(location: "outcome", expected: reference.expectedOutcome.description, actual: outcome.description))
        }
        if let final = reference.final {
            out += final.differences(StateSnapshot(hart.state))
        }
        out += reference.journal.differences(expected: reference.written, actual: reference.journal.current(hart.memory))
        return out
    }

    /// Re-runs growing prefixes of the block on both sides to find the first instruction after
    /// which they disagree, and builds the report.
    func explain(_ reference: ReferenceBlock, before: StateSnapshot, differences: [Difference], block: Int) -> Divergence {
        var responsible: Int? = reference.retired == 0 ? 0 : nil
        // The JIT finishes a partial block through the interpreter (at budget edges), so a prefix
        // run would hide a wrong lowering; a JIT with one-instruction blocks translates every prefix.
        var localizer = engine
        if let jit = engine as? JIT {
            var single = jit.options
            single.maxBlockInstructions = 1
            localizer = JIT(options: single)
        }
        if reference.retired > 0 {
            for count in 1...reference.retired {
                reference.journal.undo(hart.memory)
                before.restore(into: hart.state)
                let prefix = ReferenceBlock.execute(hart, limit: count)
                prefix.journal.undo(hart.memory)
                before.restore(into: hart.state)
                let outcome = proxy.run(localizer, hart, prefix.budget)
                if !compare(prefix, outcome).isEmpty {
                    responsible = count - 1
                    break
                }
            }
        }
        var lines = reference.instructions
        if lines.isEmpty, let inst = reference.faulting ?? reference.system { lines = [(before.pc, inst)] }
        return Divergence(blockIndex: block, instructionCount: before.instret, pc: before.pc,
                          instructions: lines.map { BlockInstruction(pc: $0.pc, instruction: $0.inst, symbol: symbols.name($0.pc)) },
                          responsible: responsible, differences: differences)
    }
}
