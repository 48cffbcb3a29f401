#if canImport(Glibc)
import Glibc
#endif
import Guest
import Linux
import Synchronization

/// Stands between the engine and the real (Linux) environment while gdb debugs the guest.
///
/// It turns what should stop the guest into an engine stop with a recorded reason, before the
/// real environment would act on it: a breakpoint's `ebreak`, a fault (not yet a signal), a
/// pending guest signal (not yet delivered), or gdb's interrupt. The engine returns
/// `.instructionLimit` for these; `stop` says why. Everything else goes through untouched.
final class DebugEnvironment: Environment {
    let real: any Environment
    let memory: GuestMemory
    /// Why the engine was stopped, if it was stopped by this environment.
    var stop: StopReason?
    /// The fault that stopped the guest, kept until gdb says whether to deliver its signal.
    var pendingTrap: GuestTrap?
    /// A guest signal was reported to gdb: the next delivery goes to the guest as it would have.
    var signalReported = false
    /// After a detach (or in a forked child): forward everything, stop for nothing.
    var detached = false
    /// The guest's queued signals not blocked, lowest first (from the real environment).
    let pendingSignal: () -> Int32?
    /// Runs in a forked child right after the fork, to drop the parent's debugger connection.
    var forkedChild: () -> Void = {}

    private let stopRequested = Atomic<Bool>(false)
    private let owner = getpid()

    init(wrapping real: any Environment, memory: GuestMemory, pendingSignal: @escaping () -> Int32?) {
        self.real = real
        self.memory = memory
        self.pendingSignal = pendingSignal
    }

    /// Asks the running engine to stop at its next event poll (from the socket reader's thread).
    func requestStop() { stopRequested.store(true, ordering: .releasing) }

    /// Clears a stop request that arrived when the guest was already stopped.
    func clearStopRequest() { stopRequested.store(false, ordering: .releasing) }

    func environmentCall(_ hart: Hart) -> Continuation {
        let outcome = real.environmentCall(hart)
        if getpid() != owner && !detached {
            // A guest fork: the child runs on undebugged, without the parent's breakpoints.
            detached = true
            for pc in memory.fetchPatches.keys { memory.patchFetch(pc, nil) }
            hart.environment = real
            forkedChild()
        }
        return outcome
    }

    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        if detached { return real.exception(hart, trap) }
        if trap.cause == .breakpoint && memory.fetchPatches[trap.pc] != nil {
            stop = .signal(SIGTRAP)
        } else {
            pendingTrap = trap
            stop = .signal(GuestSignal.forException(trap.cause))
        }
        return .stop(.instructionLimit)
    }

    var eventPending: Bool {
        if detached { return real.eventPending }
        return stopRequested.load(ordering: .acquiring) || real.eventPending
    }

    func deliverEvents(_ hart: Hart) -> Continuation {
        if detached { return real.deliverEvents(hart) }
        if stopRequested.exchange(false, ordering: .acquiringAndReleasing) {
            stop = .signal(SIGINT)
            return .stop(.instructionLimit)
        }
        if !signalReported, let sig = pendingSignal() {
            signalReported = true
            stop = .signal(sig)
            return .stop(.instructionLimit)
        }
        signalReported = false
        return real.deliverEvents(hart)
    }

    /// Takes the recorded stop reason (nil if the engine stopped for another reason).
    func takeStop() -> StopReason? {
        defer { stop = nil }
        return stop
    }
}
