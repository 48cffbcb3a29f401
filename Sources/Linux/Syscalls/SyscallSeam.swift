#if canImport(Glibc)
import Glibc
#endif
import Guest

/// A guest errno; handlers throw it for failures they detect themselves (bad pointers, bad
/// arguments). Host failures come back from `HostSyscall` already as −errno values.
public struct SyscallError: Error, Equatable, Sendable {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
    static let fault = SyscallError(EFAULT), invalid = SyscallError(EINVAL), noMemory = SyscallError(ENOMEM)
}

/// The six argument registers of one syscall (a0–a5), and the hart that made it.
public struct SyscallArguments {
    public let hart: Hart
    public let values: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(_ hart: Hart) {
        self.hart = hart
        let s = hart.state
        values = (s.x(10), s.x(11), s.x(12), s.x(13), s.x(14), s.x(15))
    }

    public subscript(_ i: Int) -> UInt64 {
        switch i {
        case 0: values.0
        case 1: values.1
        case 2: values.2
        case 3: values.3
        case 4: values.4
        default: values.5
        }
    }

    /// A C `int` argument: the low 32 bits, sign-extended (file descriptors, flags, modes).
    public func int(_ i: Int) -> Int { Int(Int32(truncatingIfNeeded: self[i])) }
    /// A `long` argument.
    public func long(_ i: Int) -> Int { Int(Int64(bitPattern: self[i])) }
}

/// The one seam between guest pointers and the host kernel: every guest address a syscall
/// passes on is checked here, so a bad one becomes EFAULT and never a host fault.
extension LinuxProcess {
    /// The host address of `length` guest bytes at `address`, checked for `need`.
    func buffer(_ address: UInt64, _ length: UInt64, _ need: PageFlags) throws(SyscallError) -> Int {
        guard let p = memory.hostRange(address, length, need) else { throw .fault }
        return Int(bitPattern: p)
    }

    /// Like `buffer`, but a guest NULL stays NULL (for optional out-parameters).
    func optionalBuffer(_ address: UInt64, _ length: UInt64, _ need: PageFlags) throws(SyscallError) -> Int {
        address == 0 ? 0 : try buffer(address, length, need)
    }

    /// A guest C string (paths are at most PATH_MAX bytes, as in Linux).
    func string(_ address: UInt64, max: Int = Int(PATH_MAX)) throws(SyscallError) -> String {
        var bytes: [UInt8] = []
        var a = address
        while true {
            guard let b = try? memory.load(a, as: UInt8.self) else { throw .fault }
            if b == 0 { break }
            bytes.append(b)
            guard bytes.count < max else { throw SyscallError(ENAMETOOLONG) }
            a &+= 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A guest path read from memory and mapped to the host file it names.
    func path(_ address: UInt64) throws(SyscallError) -> String {
        hostPath(try string(address))
    }

    /// `/proc/self/exe` names the guest program, not Trapeze; absolute paths look in the sysroot first.
    func hostPath(_ guestPath: String) -> String {
        if isSelfExe(guestPath) { return executablePath }
        return SysrootPath.resolve(guestPath, sysroot: options.sysroot)
    }

    /// Asks the host its process id only for a path that could name it (every path-taking call
    /// comes through here: a `getpid` and a formatted string each cost more than the test).
    func isSelfExe(_ path: String) -> Bool {
        guard path.hasPrefix("/proc/"), path.hasSuffix("/exe") else { return false }
        return path == "/proc/self/exe" || path == "/proc/thread-self/exe" || path == "/proc/\(hostPID)/exe"
    }

    /// Runs a host call, restarting it after EINTR unless a guest signal interrupts it: then the
    /// guest sees EINTR and its handler runs, unless the handler has SA_RESTART (as on Linux).
    /// The process lock is let go while the call runs (it may block; other threads carry on). A
    /// call interrupted because another thread ended the process is left to be stopped.
    func host(_ call: () -> Int64) -> Int64 {
        while true {
            let r = threads.lock.released(call)
            if r == -Int64(EINTR) {
                if threads.stopRequested.load(ordering: .acquiring) { return LinuxProcess.restartSyscall }
                if !signals.pending { continue }
                if signals.shouldRestartSyscall() { return LinuxProcess.restartSyscall }
            }
            return r
        }
    }

    /// Calls `body` with a C string for `path`.
    func withPath(_ path: String, _ body: (Int) -> Int64) -> Int64 {
        path.withCString { body(Int(bitPattern: $0)) }
    }
}
