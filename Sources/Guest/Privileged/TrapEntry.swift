/// Taking a trap and returning from one: which mode handles it (medeleg/mideleg), what is saved
/// (xepc, xcause, xtval, xPIE, xPP), where execution goes (xtvec, direct or vectored), and
/// `mret`/`sret`.
///
/// Public entry points: `Hart.enterTrap(_:tval:interrupt:)`, `Hart.enterTrap(_:)` (a
/// synchronous exception, as system-mode environments receive them), `Hart.trapReturn(from:)`.
extension Hart {
    /// Enters the trap handler for `cause` (an `ExceptionCause` or `InterruptCause` raw value):
    /// `state.pc` is the pc to save (the faulting instruction, or the next one for an interrupt).
    /// Traps from U or S go to S-mode when delegated; traps from M stay in M.
    public func enterTrap(_ cause: UInt64, tval: UInt64, interrupt: Bool) {
        let from = privilege
        let delegation = interrupt ? state.mideleg : state.medeleg
        let toSupervisor = from != .machine && cause < 64 && delegation >> cause & 1 != 0
        let mcause = cause | (interrupt ? 1 << 63 : 0)
        var status = state.mstatus
        let vector: UInt64
        if toSupervisor {
            state.sepc = state.pc
            state.scause = mcause
            state.stval = tval
            status = status & ~(MStatus.spie | MStatus.sie | MStatus.spp)
                | (status & MStatus.sie != 0 ? MStatus.spie : 0)
                | (from == .supervisor ? MStatus.spp : 0)
            vector = state.stvec
            privilege = .supervisor
        } else {
            state.mepc = state.pc
            state.mcause = mcause
            state.mtval = tval
            status = status & ~(MStatus.mpie | MStatus.mie | MStatus.mpp)
                | (status & MStatus.mie != 0 ? MStatus.mpie : 0)
                | UInt64(from.rawValue) << MStatus.mppShift
            vector = state.mtvec
            privilege = .machine
        }
        state.mstatus = status
        let base = vector & ~3
        state.pc = interrupt && vector & 3 == 1 ? base &+ 4 &* cause : base
    }

    /// A synchronous exception: trap at `trap.pc` with `trap.tval`.
    public func enterTrap(_ trap: GuestTrap) {
        state.pc = trap.pc
        enterTrap(trap.cause.rawValue, tval: trap.tval, interrupt: false)
    }

    /// mret (`from` = .machine) or sret (`from` = .supervisor): back to xPP with xIE = xPIE,
    /// xPIE = 1, xPP = U, MPRV cleared when the new mode is below M, pc = xepc. The caller has
    /// checked that the instruction is legal here.
    public func trapReturn(from mode: PrivilegeMode) {
        var status = state.mstatus
        let target: PrivilegeMode
        if mode == .machine {
            target = PrivilegeMode(rawValue: UInt8(truncatingIfNeeded: status >> MStatus.mppShift & 3)) ?? .user
            status = status & ~(MStatus.mie | MStatus.mpp)
                | (status & MStatus.mpie != 0 ? MStatus.mie : 0) | MStatus.mpie
            state.pc = state.mepc
        } else {
            target = status & MStatus.spp != 0 ? .supervisor : .user
            status = status & ~(MStatus.sie | MStatus.spp)
                | (status & MStatus.spie != 0 ? MStatus.sie : 0) | MStatus.spie
            state.pc = state.sepc
        }
        if target != .machine { status &= ~MStatus.mprv }
        state.mstatus = status
        privilege = target
    }
}
