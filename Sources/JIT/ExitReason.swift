import Guest

/// Why translated code returned to the dispatcher. Stored as a UInt32 at
/// `StateOffset.exitReason`, with `StateOffset.exitArgument` carrying the detail named per case;
/// `state.pc` is always the guest pc to continue (or report) at.
public enum ExitReason: UInt32, CaseIterable, Sendable, CustomStringConvertible {
    /// A direct branch or jump whose target is not translated or not chained; with chaining on,
    /// the argument is the patchable site to point at the target once it is translated.
    case chainRequest = 0
    /// An unchained direct exit (chaining off), or the fall-through of a block cut at a limit.
    case direct = 1
    /// `jalr` whose target missed the inline lookup table.
    case indirect = 2
    /// An instruction for the trap-and-emulate handler; argument = index of its decoded form.
    case system = 3
    /// A slow-path helper raised an exception or asked to stop; the JIT context holds what.
    case helper = 4
    /// The instruction budget (`--max-insns`, or the event-polling quantum) ran out at block entry.
    case budget = 5
    /// A guest load or store outside the guest's mappings; the guest address is in the
    /// `faultAddress` slot, `state.pc` is the instruction's pc.
    case loadFault = 6
    case storeFault = 7

    public var description: String {
        switch self {
        case .chainRequest: "chain request"
        case .direct: "direct"
        case .indirect: "indirect miss"
        case .system: "trap-and-emulate"
        case .helper: "slow-path exception"
        case .budget: "budget"
        case .loadFault: "load fault"
        case .storeFault: "store fault"
        }
    }
}

/// Named words of `GuestState`'s scratch area that translated code and the dispatcher share:
/// the whole layout is here, so that no two users take the same word.
enum ScratchSlot {
    /// Instructions translated code may still retire before returning (the budget register's
    /// home while the dispatcher runs).
    static let budget = StateOffset.scratch + 0
    /// Guest address of the last load/store fault.
    static let faultAddress = StateOffset.scratch + 8
    /// Opaque pointer to the `JIT` for slow-path helpers.
    static let context = StateOffset.scratch + 16
    /// Inline `jalr` lookups that hit the table.
    static let indirectHits = StateOffset.scratch + 24
    /// Base of the direct-mapped `jalr` table.
    static let indirectTable = StateOffset.scratch + 32
    /// rsp as the prologue left it (the epilogue's way back, whatever call frames are above it;
    /// Lower+Call.swift).
    static let hostStack = StateOffset.scratch + 40
    /// Guest calls push a host frame only while rsp is above this (Lower+Call.swift).
    static let returnStackFloor = StateOffset.scratch + 48
    /// The return address of the cold exit taken last (ColdExits.swift).
    static let coldSite = StateOffset.scratch + 56
    /// System mode: base of the inline data TLB (SystemTLB.swift).
    static let systemTLB = StateOffset.scratch + 64
    /// System mode: budget a slow-path helper took away to make translated code leave at its
    /// next budget check (a device was touched, or code was stored to); the dispatcher adds it
    /// back when it counts what retired.
    static let exitDebt = StateOffset.scratch + 72
    /// System mode: the translation epoch of each privilege level (four UInt32s, indexed by the
    /// level's number), which a chained exit to another guest page compares with the value it
    /// was linked under (SystemEpochs.swift). Words 10 and 11.
    static let epochs = StateOffset.scratch + 80
    /// System mode: the addends of the two groups of loads and stores that share one inline
    /// TLB probe (SystemSharedProbes.swift). Words 12 and 13.
    static let sharedAddends = StateOffset.scratch + 96
    // Words 14 and 15 belong to the F/D code: the host and guest MXCSR images
    // (`GuestMXCSR.hostSlot`) and `mxcsrScratch`.
}
