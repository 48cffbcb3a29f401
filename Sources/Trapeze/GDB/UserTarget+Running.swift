#if canImport(Glibc)
import Glibc
#endif
import Guest
import Interpreter
import RISCV

/// Running a user-mode guest between gdb's stops: steps on the interpreter, runs on the engine.
extension UserTarget {
    public func step(signal: Int32?) -> StopReason {
        if let finalStatus { return ended(finalStatus) }
        switch deliver(signal) {
        case .ended(let stop): return stop
        case .delivered: return .signal(SIGTRAP)  // stopped at the handler's first instruction
        case .none: return stepOne() ?? .signal(SIGTRAP)
        }
    }

    public func resume(signal: Int32?) -> StopReason {
        if let finalStatus { return ended(finalStatus) }
        if case .ended(let stop) = deliver(signal) { return stop }
        let state = hart.state
        // Off a breakpoint at pc with the program's own instruction, then run.
        if breakpoints.contains(state.pc) {
            if let stop = stepOne() { return stop }
            if breakpoints.contains(state.pc) { return .signal(SIGTRAP) }
        }
        if !watches.isEmpty { return stepUntilStop() }
        let status = engine.run(hart, maxInstructions: nil)
        return environment.takeStop() ?? ended(status)
    }

    public func requestStop() { environment.requestStop() }

    public func kill() {
        if finalStatus == nil { finalStatus = .signaled(SIGKILL) }
    }

    public func detach() -> StopReason {
        for pc in breakpoints { memory.patchFetch(pc, nil) }
        breakpoints.removeAll()
        watches = Watchpoints()
        environment.pendingTrap = nil
        environment.detached = true
        hart.environment = environment.real
        if let finalStatus { return ended(finalStatus) }
        return ended(engine.run(hart, maxInstructions: nil))
    }

    /// With watchpoints set: one instruction at a time, polling for events as the engines do.
    private func stepUntilStop() -> StopReason {
        while true {
            if environment.eventPending, case .stop(let status) = environment.deliverEvents(hart) {
                return environment.takeStop() ?? ended(status)
            }
            if let stop = stepOne() { return stop }
            if !breakpoints.isEmpty && breakpoints.contains(hart.state.pc) { return .signal(SIGTRAP) }
        }
    }

    /// Executes the program's own instruction at pc (never a breakpoint's `ebreak`) on the
    /// interpreter. Nil: it retired. A watchpoint stops it before it runs, with pc at it, as a
    /// RISC-V trigger does (gdb then steps over it with its watchpoints removed).
    func stepOne() -> StopReason? {
        let state = hart.state
        let inst: Instruction
        switch memory.programInstruction(at: state.pc) {
        case .success(let i): inst = i
        case .failure(let trap):
            let outcome = hart.raise(trap)
            if let stop = environment.takeStop() { return stop }
            if case .stop(let status) = outcome { return ended(status) }
            return nil
        }
        if !watches.isEmpty, let access = Watchpoints.access(inst, state), let watch = watches.hit(access) {
            return .watchpoint(watch.kind, address: watch.address)
        }
        let outcome = Interpreter.step(inst, hart)
        if let stop = environment.takeStop() { return stop }
        if case .stop(let status) = outcome { return ended(status) }
        return nil
    }

    private enum Delivery { case none, delivered, ended(StopReason) }

    /// What gdb's resume signal means: deliver the fault or signal the guest stopped with (or a
    /// new one gdb sends), or with none, drop the fault so that its instruction runs again.
    private func deliver(_ signal: Int32?) -> Delivery {
        if let trap = environment.pendingTrap {
            environment.pendingTrap = nil
            guard signal != nil else { return .none }
            if case .stop(let status) = environment.real.exception(hart, trap) { return .ended(ended(status)) }
            return .delivered
        }
        guard let signal else { return .none }
        if !environment.signalReported {
            guest.process.signals.raise(signal)
            environment.signalReported = true
        }
        if case .stop(let status) = environment.deliverEvents(hart) { return .ended(environment.takeStop() ?? ended(status)) }
        return .delivered
    }

    private func ended(_ status: ExitStatus) -> StopReason {
        finalStatus = status
        switch status {
        case .exited(let code): return .exited(code)
        case .killed(let sig): return .killed(sig)
        case .instructionLimit, .unhandled: return .killed(SIGKILL)
        }
    }
}
