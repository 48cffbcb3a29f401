import Guest
import Interpreter
import RISCV

/// System mode's side of the engine: the inline TLB's owner, the slow path translated code
/// calls for a TLB miss (and for what system mode never translates inline: A, F/D, FP CSRs),
/// and the code-page bookkeeping that makes stores to translated code visible.
extension JIT {
    /// The system-mode context, made on first use.
    func systemContext() -> SystemTLB {
        if let systemTLB { return systemTLB }
        let made = SystemTLB(epochStart: options.systemEpochStart)
        if options.countBlockExecutions { made.placements = [:] }
        systemTLB = made
        // Nothing is translated yet: what loading wrote needs no fence.i.
        currentHart?.platform?.bus.writeLog?.discard()
        // Blocks translated for user mode (none, normally) would be keyed differently.
        flush()
        return made
    }

    /// The `jalr` table for the hart's privilege level (user mode: the one table).
    func indirectTable(_ hart: Hart) -> IndirectTable {
        guard let systemTLB else { return indirect }
        return systemTLB.jumps[Int(hart.state.privilege.rawValue & 3)].table
    }

    /// `fence.i` in system mode: the hart's own stores to pages holding translations already
    /// dropped them (`takeStoredCodePages`); what is left is RAM written behind its back (device
    /// DMA, A/D updates, HTIF), which the bus logs. Only the translations on those pages go, so
    /// a kernel's fence.i per mapped page costs nothing when nothing it ran was overwritten.
    /// Returns the number of blocks dropped.
    func fenceInstructions(_ hart: Hart, _ system: SystemTLB) -> Int {
        system.fences &+= 1
        guard let log = hart.platform?.bus.writeLog else { flush(); return 0 }
        let written = log.take()
        if written.everything { flush(); return 0 }
        var dropped = 0
        for page in written.pages {
            let count = system.drop(page: page, clearJumps: false)
            if count > 0 {
                dropped += count
                system.stepper.forgetCode(page: page)
                system.fencePagesDropped &+= 1
            }
        }
        if dropped > 0 { system.clearIndirect() }
        return dropped
    }

    /// Records the physical pages `guest` was translated from: a store to one now takes the
    /// slow path (the write entries that may point there are dropped), which notices it.
    func noteCode(_ guest: GuestBlock, _ hart: Hart) {
        guard let systemTLB else { return }
        let first = systemTLB.stepper.noteCode(hart.codePhysicalAddress(guest.start))
        let last = systemTLB.stepper.noteCode(hart.codePhysicalAddress(guest.highestEnd &- 2))
        if first || last { systemTLB.flushWrites() }
    }

    /// The slow path in system mode: the instruction in the interpreter's system memory. A plain
    /// load or store that retired fills the inline TLB; one that touched code makes translated
    /// code leave at its next budget check, so that changed code is retranslated before it
    /// runs, and so does one that touched a device when that let an event in (`deviceExit`).
    func systemSlowPath(_ inst: Instruction, _ hart: Hart, _ system: SystemTLB) -> UInt32 {
        let state = hart.state
        var access: (address: UInt64, store: Bool)? = nil
        let address = state.x(Int(inst.rs1)) &+ UInt64(bitPattern: inst.imm)
        switch inst.opcode.operation {
        case .memory(let op) where op != .fence: access = (address, [.sb, .sh, .sw, .sd].contains(op))
        case .floatMemory(let op): access = (address, [.fsw, .fsd, .fsh].contains(op))
        default: break
        }
        let generation = system.stepper.codeGeneration
        switch system.stepper.execute(inst, hart) {
        case .retired:
            if let access { system.fill(access.address, store: access.store, hart) }
            let device = system.stepper.takeAttention()
            if generation != system.stepper.codeGeneration || (device && deviceExit(hart)) { requestExit(state) }
            return 0
        case .trap(let trap):
            pendingTrap = trap
            return 1
        case .system:
            // Only the FP CSRs (Lower+SystemMemory.swift: the handler checks FS) and cbo.zero
            // (Lower+SystemInline.swift, whose page then gets a write entry) come here.
            switch hart.emulateSystem(inst) {
            case .retired:
                if inst.opcode == .cbo_zero {
                    system.fill(state.x(Int(inst.rs1)) & ~(Hart.cacheBlockSize - 1), store: true, hart)
                }
                return 0
            case .exception(let trap):
                pendingTrap = trap
                return 1
            }
        }
    }

    /// Whether translated code must leave after a device access: when the access let an
    /// event in (an interrupt that may be taken now, a stop request) or moved the instruction
    /// at which the next timer falls due (--icount: a CLINT `mtimecmp` write), which the
    /// dispatcher set this run's budget by. Otherwise leaving changes nothing: the dispatcher
    /// would find no event, and the interpreter, which looks at its block's end, none either.
    /// A UART written a byte at a time through a polled line-status register (the runner's
    /// console) left translated code twice per byte. `JITOptions.deviceExits` leaves always.
    private func deviceExit(_ hart: Hart) -> Bool {
        guard !options.deviceExits, let environment = hart.environment else { return true }
        return environment.eventPending || environment.nextEventInstruction != nextEventAtEntry
    }

    /// Makes translated code leave at its next budget check: the budget left goes to the debt
    /// the dispatcher adds back when it counts what retired.
    func requestExit(_ state: GuestState) {
        exitRequested = true
        let left = state.raw.load(fromByteOffset: ScratchSlot.budget, as: UInt64.self)
        let debt = state.raw.load(fromByteOffset: ScratchSlot.exitDebt, as: UInt64.self)
        state.raw.storeBytes(of: debt &+ left, toByteOffset: ScratchSlot.exitDebt, as: UInt64.self)
        state.raw.storeBytes(of: 0, toByteOffset: ScratchSlot.budget, as: UInt64.self)
    }
}

extension JIT {
    /// System mode's memory counts for `--stats`: inline TLB fills and flushes, and the
    /// accesses that went through the slow path.
    /// System mode: how often a translation epoch moved, and how often they wrapped around.
    public var systemEpochCounts: (moves: UInt64, wraps: UInt64) {
        (systemTLB?.epochs.moves ?? 0, systemTLB?.epochs.wraps ?? 0)
    }

    public var systemMemorySummary: String {
        guard let systemTLB else { return "no system-mode memory" }
        return "inline TLB \(systemTLB.fills) fills, \(systemTLB.flushes) flushes, \(systemTLB.slowAccesses) slow-path accesses; "
            + "sfence.vma: \(systemTLB.preciseFlushes) one-leaf, \(systemTLB.mappingFlushes) whole; "
            + "fence.i \(systemTLB.fences), pages written behind the hart dropped at fence.i \(systemTLB.fencePagesDropped); "
            + "translation epochs moved \(systemTLB.epochs.moves) times (wrapped \(systemTLB.epochs.wraps))"
    }
}
