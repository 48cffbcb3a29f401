/// Guest signal numbers and their default actions.
///
/// riscv64 uses the asm-generic numbering (include/uapi/asm-generic/signal.h), which for 1...31
/// coincides with x86-64's, so a host signal forwarded to the guest keeps its number.
public enum GuestSignal {
    public static let hup: Int32 = 1
    public static let int: Int32 = 2
    public static let quit: Int32 = 3
    public static let ill: Int32 = 4
    public static let trap: Int32 = 5
    public static let abrt: Int32 = 6
    public static let bus: Int32 = 7
    public static let fpe: Int32 = 8
    public static let kill: Int32 = 9
    public static let usr1: Int32 = 10
    public static let segv: Int32 = 11
    public static let usr2: Int32 = 12
    public static let pipe: Int32 = 13
    public static let alrm: Int32 = 14
    public static let term: Int32 = 15
    public static let stkflt: Int32 = 16
    public static let chld: Int32 = 17
    public static let cont: Int32 = 18
    public static let stop: Int32 = 19
    public static let tstp: Int32 = 20
    public static let ttin: Int32 = 21
    public static let ttou: Int32 = 22
    public static let urg: Int32 = 23
    public static let xcpu: Int32 = 24
    public static let xfsz: Int32 = 25
    public static let vtalrm: Int32 = 26
    public static let prof: Int32 = 27
    public static let winch: Int32 = 28
    public static let io: Int32 = 29
    public static let pwr: Int32 = 30
    public static let sys: Int32 = 31
    /// Signals 32...64 are the real-time signals (queued, not merged).
    public static let rtMin: Int32 = 32
    public static let count: Int32 = 64

    /// True for 1...64.
    @inline(__always) public static func isValid(_ sig: Int32) -> Bool { sig >= 1 && sig <= count }

    static let names: [String] = [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ]

    /// "SIGSEGV", "SIGRTMIN+3", or "signal 99" for a number that is not a signal.
    public static func name(_ sig: Int32) -> String {
        if sig >= 1 && sig < rtMin { return names[Int(sig)] }
        if isValid(sig) { return sig == rtMin ? "SIGRTMIN" : "SIGRTMIN+\(sig - rtMin)" }
        return "signal \(sig)"
    }

    /// What the kernel does with a signal whose handler is SIG_DFL.
    public enum DefaultAction: Equatable, Sendable {
        case terminate
        /// Terminate with a core dump; Trapeze writes no core, so this ends the guest like `terminate`.
        case core
        case ignore
        /// Job-control stop and continue: Trapeze does not stop itself, so both act as `ignore`.
        case stop
        case `continue`
    }

    public static func defaultAction(_ sig: Int32) -> DefaultAction {
        switch sig {
        case quit, ill, trap, abrt, bus, fpe, segv, xcpu, xfsz, sys: .core
        case chld, urg, winch: .ignore
        case stop, tstp, ttin, ttou: .stop
        case cont: .continue
        default: .terminate
        }
    }
}

/// A set of guest signals in the kernel's `sigset_t` layout: bit n−1 stands for signal n.
public struct SignalSet: Equatable, Sendable {
    public var raw: UInt64
    public init(raw: UInt64) { self.raw = raw }
    public init(_ signals: [Int32]) {
        raw = 0
        for s in signals { insert(s) }
    }

    public static let empty = SignalSet(raw: 0)
    /// SIGKILL and SIGSTOP can be neither blocked nor caught.
    public static let unblockable = SignalSet([GuestSignal.kill, GuestSignal.stop])
    /// Signals raised by the faulting instruction itself; the kernel dequeues these first.
    public static let synchronous = SignalSet([GuestSignal.segv, GuestSignal.bus, GuestSignal.ill,
                                               GuestSignal.trap, GuestSignal.fpe, GuestSignal.sys])

    @inline(__always) static func bit(_ sig: Int32) -> UInt64 {
        GuestSignal.isValid(sig) ? 1 &<< UInt64(sig &- 1) : 0
    }
    @inline(__always) public func contains(_ sig: Int32) -> Bool { raw & SignalSet.bit(sig) != 0 }
    @inline(__always) public mutating func insert(_ sig: Int32) { raw |= SignalSet.bit(sig) }
    @inline(__always) public mutating func remove(_ sig: Int32) { raw &= ~SignalSet.bit(sig) }
    public var isEmpty: Bool { raw == 0 }

    public func union(_ o: SignalSet) -> SignalSet { SignalSet(raw: raw | o.raw) }
    public func intersection(_ o: SignalSet) -> SignalSet { SignalSet(raw: raw & o.raw) }
    public func subtracting(_ o: SignalSet) -> SignalSet { SignalSet(raw: raw & ~o.raw) }

    /// The lowest-numbered member, preferring synchronous signals as the kernel's dequeue does.
    public var first: Int32? {
        let sync = raw & SignalSet.synchronous.raw
        let pick = sync != 0 ? sync : raw
        return pick == 0 ? nil : Int32(pick.trailingZeroBitCount) + 1
    }
}
