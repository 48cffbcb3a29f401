import Guest
import RISCV

/// The reference interpreter: runs a hart by executing predecoded blocks instruction by
/// instruction with the semantics in `Executor`.
///
/// Between blocks it polls the environment for asynchronous events and revalidates its
/// predecoded code. Exceptions are precise: the faulting instruction does not retire, `state.pc`
/// is its pc, and `environment.exception` decides what happens (Linux delivers a signal).
public final class Interpreter: Engine {
    private let cache: BlockCache

    /// `decoder` turns fetched bits into instructions; tests may substitute their own.
    public init(decoder: @escaping (UInt32) -> Instruction? = { decode($0) }) {
        cache = BlockCache(decoder: decoder)
    }

    public func run(_ hart: Hart, maxInstructions: UInt64?) -> ExitStatus {
        if hart.platform != nil {
            let shared = systemState(for: hart)
            return runSystem(hart, hart.memory, cache, hart.environment ?? Detached(), Executor(hart, shared), shared,
                             budget: maxInstructions ?? UInt64.max)
        }
        return run(hart, hart.memory, cache, hart.environment ?? Detached(), Executor(hart), budget: maxInstructions ?? UInt64.max)
    }

    /// System mode's shared tables, kept across calls (a timed run calls `run` once per slice)
    /// for as long as the hart is the same.
    private var system: (hart: ObjectIdentifier, pages: CodePages)?

    /// System mode: return (with `.instructionLimit`) right after a trap is taken or a system
    /// instruction retires, so a tracer
    /// stepping one instruction at a time sees the trap before the handler's first instruction.
    public var stopAfterTrap = false

    private func systemState(for hart: Hart) -> CodePages {
        if let system, system.hart == ObjectIdentifier(hart) { return system.pages }
        let pages = CodePages()
        system = (ObjectIdentifier(hart), pages)
        cache.codePages = pages
        cache.flush()
        return pages
    }

    /// Data TLB fills of the system-mode data memory (`--stats`).
    public var systemDataTLBFills: UInt64 { system?.pages.dataFills ?? 0 }
    /// Fetch TLB fills, and predecoded blocks dropped because a store overwrote them (`--stats`).
    public var systemFetchTLBFills: UInt64 { system?.pages.fetchFills ?? 0 }
    public var systemCodeStores: UInt64 { system?.pages.codeStores ?? 0 }
    /// Predecoded blocks `fence.i` dropped because a device (or the page walk) wrote their page.
    public var systemFenceDrops: UInt64 { cache.fencePagesDropped }

    /// Instructions between two looks at the interrupt lines when nothing asked for one sooner
    /// (a system instruction, a trap, a device access): reading the lines reads the host clock.
    public static let interruptPollInterval = 4096

    /// The loop, with every object it uses passed in: parameters are borrowed for the whole call,
    /// so the compiler adds no retain/release around the per-block calls on them. Specialised
    /// for each kind of data memory.
    private func run<Memory: DataMemory>(_ hart: Hart, _ memory: GuestMemory, _ cache: BlockCache,
                                         _ environment: any Environment, _ executor: Executor<Memory>,
                                         budget: UInt64) -> ExitStatus {
        let state = hart.state
        var budget = budget
        // Events (signals, a stop request) are looked for after anything but a plain run of
        // straight-line blocks, and otherwise every `interruptPollInterval` instructions: the
        // environment's check is a thread-local lookup and reference counting, too dear per block.
        var untilPoll = 0
        while true {
            if untilPoll <= 0 {
                untilPoll = Interpreter.interruptPollInterval
                if environment.eventPending, case .stop(let status) = environment.deliverEvents(hart) {
                    return status
                }
            }
            if budget == 0 { return .instructionLimit }
            cache.validate(memory)
            let block = cache.block(at: state.pc, hart)

            // Run at most `budget` instructions of the block, keeping pc in a register.
            let limit = block.pointee.count < budget ? block.pointee.count : Int(budget)
            let instructions = block.pointee.instructions
            var pc = block.pointee.pc
            var index = 0
            var exit: StepExit? = nil
            while index < limit {
                do {
                    pc = try executor.step(instructions + index, pc: pc)
                } catch {
                    exit = error
                    break
                }
                index &+= 1
            }
            state.pc = pc
            state.instret &+= UInt64(index)
            budget &-= UInt64(index)
            untilPoll &-= index

            let outcome: Continuation
            switch exit {
            case nil:
                guard index == block.pointee.count, let trap = block.pointee.endTrap, budget > 0 else { continue }
                untilPoll = 0
                outcome = hart.raise(trap)
            case .exception(let cause, let tval):
                untilPoll = 0
                outcome = hart.raise(GuestTrap(cause, pc: pc, tval: tval))
            case .system:
                untilPoll = 0
                switch hart.emulateSystem(instructions[index]) {
                case .retired(let next):
                    state.instret &+= 1
                    budget &-= 1
                    outcome = next
                case .exception(let trap):
                    outcome = hart.raise(trap)
                }
            }
            if case .stop(let status) = outcome { return status }
        }
    }
}

extension Interpreter {
    /// The system-mode loop: like `run`, plus translation. Blocks are keyed by pc and privilege,
    /// checked against the fetch TLB before they run (predecoded again when their page now
    /// translates elsewhere), dropped one by one when a store overwrites them, and at `fence.i`
    /// those on pages written behind the hart's back (`BlockCache.validate(_:written:)`). Interrupts and
    /// device stop requests are the environment's events, looked for every
    /// `interruptPollInterval` instructions and at once after anything that may raise one.
    private func runSystem(_ hart: Hart, _ memory: GuestMemory, _ cache: BlockCache,
                           _ environment: any Environment, _ executor: Executor<SystemMemory>,
                           _ shared: CodePages, budget: UInt64) -> ExitStatus {
        let state = hart.state
        var budget = budget
        var untilPoll = 0
        // Where an interrupt is due when time counts instructions (--icount): blocks stop there.
        var due: UInt64? = nil
        shared.flushData()
        let written = hart.platform?.bus.writeLog
        while true {
            if untilPoll <= 0 || shared.attention {
                shared.attention = false
                untilPoll = Interpreter.interruptPollInterval
                if environment.eventPending {
                    if case .stop(let status) = environment.deliverEvents(hart) { return status }
                    shared.flushData()
                }
                due = environment.nextEventInstruction
            }
            if budget == 0 { return .instructionLimit }
            cache.validate(memory, written: written)
            if shared.staleWaiting { cache.dropStale() }
            let block = cache.block(at: state.pc, mode: state.privilege.rawValue, hart, shared)

            var limit = block.pointee.count < budget ? block.pointee.count : Int(budget)
            if let due, due > state.instret, due - state.instret < UInt64(limit) { limit = Int(due - state.instret) }
            let instructions = block.pointee.instructions
            var pc = block.pointee.pc
            var index = 0
            var exit: StepExit? = nil
            while index < limit {
                do {
                    pc = try executor.step(instructions + index, pc: pc)
                } catch {
                    exit = error
                    break
                }
                index &+= 1
            }
            state.pc = pc
            state.instret &+= UInt64(index)
            budget &-= UInt64(index)
            untilPoll &-= index
            if let due, state.instret >= due { untilPoll = 0 }

            let outcome: Continuation
            // A trap may change privilege, mstatus and pc, and let a pending interrupt in.
            var effects = SystemEffects.all
            switch exit {
            case nil:
                guard index == block.pointee.count, let trap = block.pointee.endTrap, budget > 0 else { continue }
                // An interrupt that fell due (--icount) at the last instruction, or an event a
                // device access in the block let in (a stop request, an interrupt line), comes
                // before the trap of the instruction after it, as on the JIT: look for events
                // first; the block that starts at the trapping instruction (no instructions, the
                // same trap) raises it after.
                if index > 0, shared.attention { continue }
                if index > 0, let due, state.instret >= due { continue }
                outcome = hart.raise(trap)
                budget &-= 1
            case .exception(let cause, let tval):
                outcome = hart.raise(GuestTrap(cause, pc: pc, tval: tval))
                if budget > 0 { budget &-= 1 }
            case .system:
                let inst = instructions[index]
                switch hart.emulateSystem(inst) {
                case .retired(let next):
                    state.instret &+= 1
                    budget &-= 1
                    outcome = next
                    effects = SystemEffects(of: inst)
                case .exception(let trap):
                    outcome = hart.raise(trap)
                    if budget > 0 { budget &-= 1 }
                }
            }
            // A trap spends one unit of the budget, though nothing retires: a guest trapping in
            // a loop (a fetch fault at its own handler) still reaches --max-insns or --timeout.
            if effects.contains(.translation) { shared.flushData() }
            if effects.contains(.interrupts) { untilPoll = 0 }
            // A system instruction (a `time` read) may have been the one at which a timer falls
            // due (--icount): the interrupt is taken before the next instruction, as the JIT does.
            if let due, state.instret >= due { untilPoll = 0 }
            // A timer CSR may have moved.
            if due != nil || effects.contains(.interrupts) { due = environment.nextEventInstruction }
            switch outcome {
            case .stop(let status): return status
            case .waitForInterrupt: hart.waitForInterrupt()
            case .resume: break
            }
            if stopAfterTrap { return .instructionLimit }
        }
    }
}

/// What a retired system instruction may have changed that the system-mode loop caches: the
/// data and fetch TLBs' validity (privilege, mstatus, satp, PMP) and whether an interrupt that
/// was held back may now be taken (the spec wants that looked at right after an xRET or a
/// write to mstatus, mie, mip or mideleg). CSR reads, and writes to other CSRs, change neither:
/// kernels do many (sscratch, sepc, time), and each used to refill the TLBs and read the clock.
struct SystemEffects: OptionSet {
    let rawValue: UInt8
    static let translation = SystemEffects(rawValue: 1)
    static let interrupts = SystemEffects(rawValue: 2)
    static let all: SystemEffects = [.translation, .interrupts]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(of inst: Instruction) {
        let writes: Bool
        switch inst.opcode {
        case .csrrw, .csrrwi: writes = true
        case .csrrs, .csrrc, .csrrsi, .csrrci: writes = inst.rs1 != 0
        default: self = .all; return  // mret, sret, wfi, sfence.vma, fence.i, ecall, ebreak
        }
        guard writes else { self = []; return }
        switch inst.csr {
        case CSRNumber.mstatus, CSRNumber.sstatus: self = .all
        case CSRNumber.satp, CSRNumber.pmpcfg0...CSRNumber.pmpaddr0 + 63: self = .translation
        case CSRNumber.mie, CSRNumber.sie, CSRNumber.mip, CSRNumber.sip, CSRNumber.mideleg,
             CSRNumber.stimecmp, CSRNumber.menvcfg: self = .interrupts
        default: self = []
        }
    }
}

/// Stands in for a missing environment in the run loop's event poll: no events ever arrive.
/// (System instructions and exceptions consult `hart.environment` itself, nil or not.)
private final class Detached: Environment {
    func environmentCall(_ hart: Hart) -> Continuation { hart.raise(GuestTrap(.ecallFromU, pc: hart.state.pc)) }
    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation { hart.raise(trap) }
    var eventPending: Bool { false }
    func deliverEvents(_ hart: Hart) -> Continuation { .resume }
}

extension Interpreter {
    /// Executes one instruction at `hart.state.pc` — the JIT's slow path and the differential
    /// tester's single step. Retired: `state.pc` moves on. Trap: nothing changed. System: nothing
    /// done, call `hart.emulateSystem`. Does not count `instret` (the caller knows what it retires).
    public static func execute(_ inst: Instruction, _ hart: Hart) -> StepResult {
        execute(inst, Executor(hart))
    }

    @inline(__always)
    static func execute<Memory: DataMemory>(_ inst: Instruction, _ executor: Executor<Memory>) -> StepResult {
        let pc = executor.state.pc
        do {
            executor.state.pc = try executor.step(inst, pc: pc)
            return .retired
        } catch {
            switch error {
            case .exception(let cause, let tval): return .trap(GuestTrap(cause, pc: pc, tval: tval))
            case .system: return .system
            }
        }
    }

    /// Executes one instruction completely, as `run` would: system instructions go to the
    /// trap-and-emulate handler, exceptions to the environment, and a retired instruction counts
    /// in `instret`.
    public static func step(_ inst: Instruction, _ hart: Hart) -> Continuation {
        complete(execute(inst, hart), inst, hart)
    }

    /// What `step` does with one instruction's result: count it, raise its exception, or hand a
    /// system instruction to the trap-and-emulate handler. Shared with `SystemStepper`.
    static func complete(_ result: StepResult, _ inst: Instruction, _ hart: Hart) -> Continuation {
        switch result {
        case .retired:
            hart.state.instret &+= 1
            return .resume
        case .trap(let trap):
            return hart.raise(trap)
        case .system:
            switch hart.emulateSystem(inst) {
            case .retired(let next):
                hart.state.instret &+= 1
                return next
            case .exception(let trap):
                return hart.raise(trap)
            }
        }
    }
}
