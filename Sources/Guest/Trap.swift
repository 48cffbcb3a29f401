/// RISC-V synchronous exception causes (mcause/scause values with the interrupt bit clear).
public enum ExceptionCause: UInt64, Sendable, CustomStringConvertible {
    case instructionMisaligned = 0
    case instructionAccessFault = 1
    case illegalInstruction = 2
    case breakpoint = 3
    case loadMisaligned = 4
    case loadAccessFault = 5
    case storeMisaligned = 6
    case storeAccessFault = 7
    case ecallFromU = 8
    case ecallFromS = 9
    case ecallFromM = 11
    case instructionPageFault = 12
    case loadPageFault = 13
    case storePageFault = 15

    public var description: String {
        switch self {
        case .instructionMisaligned: "instruction address misaligned"
        case .instructionAccessFault: "instruction access fault"
        case .illegalInstruction: "illegal instruction"
        case .breakpoint: "breakpoint"
        case .loadMisaligned: "load address misaligned"
        case .loadAccessFault: "load access fault"
        case .storeMisaligned: "store/AMO address misaligned"
        case .storeAccessFault: "store/AMO access fault"
        case .ecallFromU: "environment call from U-mode"
        case .ecallFromS: "environment call from S-mode"
        case .ecallFromM: "environment call from M-mode"
        case .instructionPageFault: "instruction page fault"
        case .loadPageFault: "load page fault"
        case .storePageFault: "store/AMO page fault"
        }
    }
}

/// A synchronous exception raised by one guest instruction: the cause, the faulting pc, and
/// `tval` (the bad address for memory faults, the instruction bits for illegal instructions).
public struct GuestTrap: Error, Equatable, Sendable {
    public var cause: ExceptionCause
    public var pc: UInt64
    public var tval: UInt64

    public init(_ cause: ExceptionCause, pc: UInt64 = 0, tval: UInt64 = 0) {
        self.cause = cause
        self.pc = pc
        self.tval = tval
    }
}

/// A memory access that the guest's mappings do not allow. Engines turn it into a `GuestTrap`
/// with the pc of the instruction that made the access.
public struct MemoryFault: Error, Equatable, Sendable {
    public enum Access: Sendable { case read, write, execute }
    public var address: UInt64
    public var access: Access
    public init(address: UInt64, access: Access) {
        self.address = address
        self.access = access
    }

    /// The exception this fault raises in user mode, where unmapped and protected pages are
    /// access faults (Linux reports them as SIGSEGV either way).
    public var cause: ExceptionCause {
        switch access {
        case .read: .loadAccessFault
        case .write: .storeAccessFault
        case .execute: .instructionAccessFault
        }
    }
}
