/// Interrupts: which one the hart takes now, taking it, and what `wfi` waits for.
///
/// Public entry points: `Hart.pendingInterrupt()`, `Hart.takeInterrupt()`,
/// `Hart.interruptWaiting`, `Hart.waitForInterrupt()`.
extension Hart {
    /// The interrupt to take before the next instruction, if any: pending (mip) and enabled
    /// (mie), then M-mode's before S-mode's. An interrupt for M is taken below M always and in M
    /// with mstatus.MIE; one delegated to S is taken in U always, in S with mstatus.SIE, never in
    /// M. Within a mode the priority is MEI > MSI > MTI > SEI > SSI > STI.
    public func pendingInterrupt() -> InterruptCause? {
        // Which interrupts could be taken at all, from enables and delegation alone: when none
        // can (a kernel running with interrupts off), mip — the device lines and the clock — is
        // not even read. This check runs after every CSR instruction and trap.
        let mode = privilege
        let status = state.mstatus
        let delegation = state.mideleg
        let machineOn = mode != .machine || status & MStatus.mie != 0
        let supervisorOn = mode == .user || mode == .supervisor && status & MStatus.sie != 0
        let takeable = state.mie & ((machineOn ? ~delegation : 0) | (supervisorOn ? delegation : 0))
        guard takeable != 0 else { return nil }
        let pending = mip & takeable
        guard pending != 0 else { return nil }
        // M-mode's interrupts before those delegated to S, each in priority order.
        let undelegated = pending & ~delegation
        let bits = undelegated != 0 ? undelegated : pending
        for cause in InterruptCause.byPriority where bits & cause.bit != 0 { return cause }
        return nil
    }

    /// Takes the pending interrupt, if any (pc already at the next instruction). True if taken.
    @discardableResult
    public func takeInterrupt() -> Bool {
        guard let cause = pendingInterrupt() else { return false }
        enterTrap(cause.rawValue, tval: 0, interrupt: true)
        return true
    }

    /// `wfi` ends when an interrupt is pending and enabled in mie, whatever the global enables
    /// and delegation say.
    public var interruptWaiting: Bool { mip & state.mie != 0 }

    /// Idles the host thread after a `wfi` until an interrupt may be waiting: the platform wakes
    /// for its devices and timers, and Sstc's stimecmp is passed on as the deadline.
    public func waitForInterrupt() {
        guard let platform, !interruptWaiting else { return }
        let sstc = state.menvcfg & EnvConfig.stce != 0 && state.mie & InterruptCause.supervisorTimer.bit != 0
        platform.waitForInterrupt(hartID: Int(truncatingIfNeeded: state.mhartid), deadline: sstc ? state.stimecmp : nil)
    }
}
