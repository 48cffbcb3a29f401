// Stand-in for Sources/Linux/Signals/ (written by the signals helper); deleted at merge.
#if canImport(Glibc)
import Glibc
#endif
import Guest

public final class SignalState {
    public init(memory: GuestMemory) {}

    /// No signal syscalls yet: everything goes to the ordinary syscall table.
    public func syscall(_ number: Int, _ hart: Hart) -> SignalSyscallResult? { nil }

    /// Without signal handlers, a guest fault terminates the guest as the default action would.
    public func fault(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        let signal: Int32 = switch trap.cause {
        case .illegalInstruction: SIGILL
        case .breakpoint: SIGTRAP
        case .instructionMisaligned, .loadMisaligned, .storeMisaligned: SIGBUS
        default: SIGSEGV
        }
        return .stop(.signaled(signal))
    }

    public var pending: Bool { false }
    public func deliver(_ hart: Hart) -> Continuation { .resume }
    public func raise(_ signal: Int32) {}
    public func didFork() {}
}

public enum SignalSyscallResult { case value(Int64), continuation(Continuation) }
