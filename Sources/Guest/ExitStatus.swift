/// How a guest run ended.
///
/// Environments give it its meaning: Linux ends a run with the guest's exit code or the signal
/// that killed it (`ExitStatus.signaled` there); a machine in system mode with the code its test
/// finisher or HTIF `tohost` reports.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// The environment ended the run with this exit code.
    case exited(Int32)
    /// The environment ended the run the way a host process killed by `signal` ends: Trapeze ends
    /// itself with that signal, so that its parent (perhaps a guest waiting for it) sees the same.
    case killed(signal: Int32)
    /// The instruction budget (`--max-insns`, a tool's step count) ran out before the guest stopped.
    case instructionLimit
    /// An exception was raised with no environment there to take it (a hart run bare).
    case unhandled(GuestTrap)

    /// The status Trapeze itself exits with, as a shell reports a child's: the low 8 bits of an
    /// exit code, or 128 + N for a death by signal N.
    public var processStatus: Int32 {
        switch self {
        case .exited(let code): code & 0xff
        case .killed(let signal): 128 &+ signal
        case .instructionLimit: 124
        // Nothing ran the guest to an end of its own: a plain failure.
        case .unhandled: 1
        }
    }

    /// As `trapeze run --stats` prints it.
    public var description: String {
        switch self {
        case .exited(let code): "exited(\(code))"
        case .killed(let signal): "signaled(\(signal))"
        case .instructionLimit: "instructionLimit"
        case .unhandled(let trap): "unhandled(\(trap.cause) at pc 0x\(String(trap.pc, radix: 16)))"
        }
    }
}
