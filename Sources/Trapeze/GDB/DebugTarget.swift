/// Why a debugged guest stopped, as the stub reports it to gdb.
public enum StopReason: Equatable, Sendable {
    /// Stopped with this signal pending or just received: a breakpoint or finished step
    /// (SIGTRAP), a fault (SIGSEGV, SIGILL, ...), an interrupt (SIGINT), a guest signal.
    case signal(Int32)
    /// A watchpoint of `kind` fired on an access to `address`; pc is the accessing instruction,
    /// which has not run yet (as with RISC-V triggers, which gdb expects).
    case watchpoint(WatchKind, address: UInt64)
    /// The guest exited with this status.
    case exited(Int32)
    /// The guest was killed by this signal.
    case killed(Int32)
}

/// What a watchpoint watches (`Z2`, `Z3`, `Z4`).
public enum WatchKind: Int, Sendable, CaseIterable {
    case write = 2, read = 3, access = 4
}

/// The machine a gdb stub debugs: a user-mode process now, a whole system later.
///
/// Every method but `requestStop` is called on the thread that runs the guest, between runs;
/// `requestStop` comes from the stub's socket reader while `resume` runs.
public protocol DebugTarget: AnyObject {
    /// The `target.xml` gdb reads to learn the registers (their numbers, names, sizes).
    var targetDescription: String { get }
    /// The registers a `g` packet carries, in order (the rest are read one at a time with `p`).
    var generalRegisters: [Int] { get }
    /// Register `number`'s bytes in target order, or nil if there is no such register.
    func readRegister(_ number: Int) -> [UInt8]?
    /// False if there is no such register or `bytes` is the wrong size.
    func writeRegister(_ number: Int, _ bytes: [UInt8]) -> Bool

    /// As many bytes from `address` as are readable, up to `count` (empty: none are).
    /// Software breakpoints are not visible here: gdb reads the program's own bytes.
    func readMemory(_ address: UInt64, count: Int) -> [UInt8]
    /// False if any byte is not writable by the debugger.
    func writeMemory(_ address: UInt64, _ bytes: [UInt8]) -> Bool

    /// A software or hardware breakpoint (`Z0`, `Z1`) at `address`; false if it cannot be set.
    func insertBreakpoint(at address: UInt64) -> Bool
    func removeBreakpoint(at address: UInt64) -> Bool
    func insertWatchpoint(_ kind: WatchKind, address: UInt64, length: UInt64) -> Bool
    func removeWatchpoint(_ kind: WatchKind, address: UInt64, length: UInt64) -> Bool

    /// Executes exactly one instruction (delivering `signal` first if given) and reports why it stopped.
    func step(signal: Int32?) -> StopReason
    /// Runs until a breakpoint, watchpoint, fault, signal, exit, or `requestStop`.
    func resume(signal: Int32?) -> StopReason
    /// Asks a running `resume` to return soon with SIGINT. Safe from any thread.
    func requestStop()
    /// Ends the guest (gdb's `kill`).
    func kill()
    /// Drops every breakpoint and watchpoint and lets the guest run to its end (after gdb's
    /// `detach`, or the debugger going away); returns how it ended.
    func detach() -> StopReason

    /// The guest's thread ids (gdb's `info threads`); the first is the one stopped.
    var threads: [Int] { get }
    /// `qXfer:OBJECT:read:ANNEX:`: the whole object (`auxv`, `exec-file`), nil if not supported.
    func transferObject(_ object: String, annex: String) -> [UInt8]?
    /// `monitor COMMAND`: the text to show, nil for an unknown command.
    func monitor(_ command: String) -> String?
}
