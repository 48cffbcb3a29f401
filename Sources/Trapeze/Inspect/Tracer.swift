import Guest
import RISCV

/// Runs a guest one instruction at a time on any engine and describes each retired instruction
/// (and each trap) as a `TraceFormat` line.
public final class Tracer {
    let hart: Hart
    let engine: any Engine
    let symbols: Symbolizer
    let proxy: InspectingEnvironment
    let emit: (String) -> Void
    /// Called before each system call, so buffered trace lines come out before the guest's own
    /// output on a shared stream.
    let flush: () -> Void
    /// The loaded program, when there is one: its host setup wraps the run.
    var guest: GuestRun?

    public init(hart: Hart, engine: any Engine, symbols: Symbolizer,
                emit: @escaping (String) -> Void, flush: @escaping () -> Void = {}) {
        self.hart = hart
        self.engine = engine
        self.symbols = symbols
        self.emit = emit
        self.flush = flush
        proxy = InspectingEnvironment(wrapping: hart.environment)
    }

    /// Traces `run`'s guest on its configured engine.
    public convenience init(_ run: GuestRun, emit: @escaping (String) -> Void, flush: @escaping () -> Void = {}) {
        self.init(hart: run.hart, engine: run.configuration.engine.makeEngine(),
                  symbols: Symbolizer(run.process.program), emit: emit, flush: flush)
        guest = run
    }

    public func run(maxInstructions: UInt64? = nil) -> ExitStatus {
        guard let guest else { return trace(maxInstructions) }
        return guest.hosted { trace(maxInstructions) }
    }

    func trace(_ maxInstructions: UInt64?) -> ExitStatus {
        let state = hart.state
        let start = state.instret
        while true {
            if case .stop(let status) = proxy.deliverPendingEvents(hart) { return status }
            if let max = maxInstructions, state.instret &- start >= max { return .instructionLimit }
            let pc = state.pc
            let before = StateSnapshot(state)
            let inst = try? hart.fetchInstruction(pc)
            let access = inst.flatMap { Tracer.access($0, state) }
            if inst?.opcode == .ecall { flush() }
            let outcome = proxy.run(engine, hart, 1)
            let head = TraceFormat.head(pc, inst, raw: nil, symbol: symbols.name(pc))
            switch outcome {
            case .ran, .stopped:
                if let inst {
                    emit(TraceFormat.line(head, TraceFormat.effects(inst, before: before, after: state, memory: hart.memory, access: access)))
                }
                if case .stopped(let status) = outcome { return status }
            case .trapped(let trap):
                emit(TraceFormat.line(head, [TraceFormat.trap(trap)]))
                if case .stop(let status) = proxy.report(trap, hart) { return status }
            }
        }
    }

    /// The address and width a memory instruction accesses, from the registers before it runs.
    static func access(_ inst: Instruction, _ state: GuestState) -> (address: UInt64, width: UInt64)? {
        guard let memory = inst.opcode.info.memory else { return nil }
        return (state.x(Int(inst.rs1)) &+ UInt64(bitPattern: inst.imm), UInt64(memory.width))
    }
}
