#if canImport(Glibc)
import Glibc
#endif
import CHost

/// The host side of Swift code touching guest memory: a copy that a host SIGSEGV or SIGBUS on a
/// guest page turns into a failure instead of a crash. All of it is in this file and in
/// CHost/guard.h, where the copy itself runs.
///
/// Two handlers may be installed for SIGSEGV/SIGBUS: this one, and the JIT's (FaultHandler.swift),
/// whichever order they come in. Each lets the other have the faults it does not own: this one
/// passes a fault that is not a guarded copy's to the handler it replaced, and the JIT's calls
/// `recover` before treating a fault outside translated code as a bug.
///
/// Every call into guard.h stays in this file and out of line: its inline C functions are
/// static, so each object file that inlined one would get its own thread's guard, and the
/// handler would not see the copy's.
public enum GuestFaultRecovery {
    /// Copies `count` bytes; false when a host fault stopped the copy part-way.
    @inline(never)
    public static func copy(_ destination: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) -> Bool {
        _ = installed
        return trapeze_guarded_copy(destination, source, count) == 0
    }

    /// Sets `count` bytes to `byte`; false when a host fault stopped it part-way.
    @inline(never)
    public static func fill(_ destination: UnsafeMutableRawPointer, _ byte: UInt8, _ count: Int) -> Bool {
        _ = installed
        return trapeze_guarded_fill(destination, Int32(byte), count) == 0
    }

    /// Compare-and-exchange of the 4 or 8 bytes at `p`: 1 when it stored `desired`, 0 when memory
    /// held another value (now in `expected`), -1 when a host fault stopped it.
    @inline(never)
    public static func compareExchange(_ p: UnsafeMutableRawPointer, size: Int, expected: inout UInt64, desired: UInt64) -> Int32 {
        _ = installed
        return trapeze_guarded_cas(p, size, &expected, desired)
    }

    /// The host address of the fault that stopped the last failed copy on this thread (or of the
    /// last fault translated code took on a guest access).
    public static var lastFaultAddress: UInt {
        @inline(never) get { trapeze_guarded_fault_address() }
    }

    /// SIGSEGV or SIGBUS: the signal of that fault (0 before any on this thread).
    public static var lastFaultSignal: Int32 {
        @inline(never) get { trapeze_last_host_fault_signal() }
    }

    /// For the JIT's handler: translated code took host fault `signal` on a guest access.
    /// Async-signal-safe.
    @inline(never)
    public static func noteHostFault(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?) {
        trapeze_note_host_fault(signal, info.flatMap { faultAddress($0) })
    }

    /// True when the last host fault on this thread was a SIGBUS within the page of guest
    /// `address` or the next one (an access straddling into it): the page had no backing then,
    /// whatever it has now that another thread may have grown the file again.
    public static func wasBusError(at address: UInt64, base: UnsafeMutableRawPointer) -> Bool {
        guard lastFaultSignal == SIGBUS else { return false }
        let page = UInt(bitPattern: base) &+ UInt(address & ~0xfff)
        let host = lastFaultAddress
        return host >= page && host &- page < 0x2000
    }

    /// For another SIGSEGV/SIGBUS handler: does not return when a guarded copy on this thread
    /// took the fault.
    @inline(never)
    public static func recover(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?) {
        trapeze_guarded_recover(signal, info.flatMap { faultAddress($0) })
    }

    /// Where a SIGSEGV or SIGBUS that another process sent (kill, sigqueue) goes: the environment's
    /// host-signal handler, so the guest receives it as any other signal. Set before the guest runs.
    nonisolated(unsafe) public static var sentSignalHandler: (@convention(c) (Int32) -> Void)?

    /// For a SIGSEGV/SIGBUS handler: true when the signal was sent by a process rather than
    /// raised by a fault (si_code SI_USER, SI_QUEUE, SI_TKILL: zero or below), and was passed on.
    public static func forwardSent(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?) -> Bool {
        guard let info, let handler = sentSignalHandler else { return false }
        guard UnsafeRawPointer(info).load(fromByteOffset: 8, as: Int32.self) <= 0 else { return false }
        handler(signal)
        return true
    }

    /// Installs the handler now (it is otherwise installed by the first guarded copy).
    public static func install() { _ = installed }

    /// The actions this handler replaced, for faults that are not a guarded copy's.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = .allocate(capacity: 2)

    private static let installed: Bool = {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = handleGuestFault
        action.sa_flags = SA_SIGINFO | SA_ONSTACK
        sigemptyset(&action.sa_mask)
        sigaction(SIGSEGV, &action, previous)
        sigaction(SIGBUS, &action, previous + 1)
        return true
    }()
}

/// si_addr: the first word of the union after si_signo, si_errno, si_code and padding.
private func faultAddress(_ info: UnsafeMutablePointer<siginfo_t>) -> UnsafeMutableRawPointer? {
    UnsafeRawPointer(info).load(fromByteOffset: 16, as: UnsafeMutableRawPointer?.self)
}

/// Async-signal-safe: a guarded copy's fault jumps out; any other goes to the handler this one
/// replaced (the JIT's, if it came first), or re-raises with the default action.
private func handleGuestFault(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    if GuestFaultRecovery.forwardSent(signal, info) { return }
    GuestFaultRecovery.recover(signal, info)
    let old = GuestFaultRecovery.previous + (signal == SIGBUS ? 1 : 0)
    if old.pointee.sa_flags & SA_SIGINFO != 0, let chained = old.pointee.__sigaction_handler.sa_sigaction {
        chained(signal, info, context)
        return
    }
    sigaction(signal, old, nil)
}
