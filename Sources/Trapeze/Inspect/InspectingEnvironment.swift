import Guest

/// Stands between an engine and the real environment while the inspection tools run the engine
/// for a measured number of instructions.
///
/// System calls go through to the real environment (each executes once). Exceptions do not: the
/// engine is stopped at the faulting instruction and the trap is kept, so the tool can compare
/// it and then report it to the real environment itself. Asynchronous events are delivered by
/// the tool between runs, never inside one, so every engine sees them at the same place.
final class InspectingEnvironment: Environment {
    let real: (any Environment)?
    /// The exception the engine raised during the last run, if any.
    var trap: GuestTrap?

    init(wrapping real: (any Environment)?) { self.real = real }

    func environmentCall(_ hart: Hart) -> Continuation {
        if let real {
            hart.environment = real
            defer { hart.environment = self }
            return real.environmentCall(hart)
        }
        let trap = GuestTrap(.ecallFromU, pc: hart.state.pc)
        self.trap = trap
        return .stop(.unhandled(trap))
    }

    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        self.trap = trap
        return .stop(.unhandled(trap))
    }

    var eventPending: Bool { false }
    func deliverEvents(_ hart: Hart) -> Continuation { .resume }
    var hostProcess: Int32 { real?.hostProcess ?? 0 }
    var environmentCallRetires: Bool { real?.environmentCallRetires ?? true }

    /// Runs `engine` for at most `count` instructions with this environment in place.
    func run(_ engine: any Engine, _ hart: Hart, _ count: UInt64) -> EngineOutcome {
        trap = nil
        hart.environment = self
        let status = engine.run(hart, maxInstructions: count)
        hart.environment = real
        if let trap { return .trapped(trap) }
        return status == .instructionLimit ? .ran : .stopped(status)
    }

    /// Delivers pending asynchronous events from the real environment.
    func deliverPendingEvents(_ hart: Hart) -> Continuation {
        guard let real, real.eventPending else { return .resume }
        return real.deliverEvents(hart)
    }

    /// Reports a trap to the real environment, as the engine would have.
    func report(_ trap: GuestTrap, _ hart: Hart) -> Continuation {
        hart.environment = real
        return hart.raise(trap)
    }
}

/// How a measured engine run ended.
enum EngineOutcome: Equatable {
    /// The instruction budget ran out: every instruction asked for retired.
    case ran
    /// An instruction raised this exception (and did not retire).
    case trapped(GuestTrap)
    /// The guest stopped (a system call ended it).
    case stopped(ExitStatus)

    var description: String {
        switch self {
        case .ran: "ran to the end of the block"
        case .trapped(let t): "trap: \(t.cause) at pc \(Hex.pad(t.pc, 16)), tval \(Hex.pad(t.tval, 0))"
        case .stopped(let s): "stopped: \(s)"
        }
    }
}
