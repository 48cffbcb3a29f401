#if canImport(Glibc)
import Glibc
#endif
import Guest

/// `--sandbox` at the syscall seam: before a handler runs, every path a call names is resolved
/// (relative to its directory fd, symlinks followed) and checked against the policy, calls that
/// reach other processes are limited to the guest's own, and a refusal is an errno plus, with
/// `--strace`, a line saying why. openat is checked again after the open, on what the kernel
/// opened (Proc/Syscalls+Open.swift), so a symlink swapped in between gains nothing.
extension LinuxProcess {
    /// Calls that change the file system at their path (by asm-generic number).
    static let writingCalls: Set<Int> = [33, 34, 35, 36, 37, 38, 45, 53, 54, 88, 276]
    /// Calls that act on a final symlink itself rather than on what it names.
    static let notFollowing: Set<Int> = [33, 34, 35, 36, 37, 38, 78, 276]
    /// Calls whose string argument is not a path: symlinkat's target (the link's contents) and
    /// memfd_create's name.
    static let notPaths: [Int: Int] = [36: 0, 279: 0]

    func sandboxGate(_ number: Int, _ args: SyscallArguments) throws(SyscallError) {
        guard let policy = options.sandbox, let entry = SyscallTable.entry(number) else { return }
        switch number {
        case 129, 130, 131:  // kill, tkill, tgkill: only this process and its children
            let pid = Int32(truncatingIfNeeded: args.int(0))
            guard pid == getpid() || LinuxProcess.isChild(pid) else {
                throw sandboxRefusal(EPERM, "\(entry.name) of process \(pid), which is not the guest's")
            }
            return
        default: break
        }
        var dirfd = Int(AT_FDCWD)
        for (i, kind) in entry.arguments.enumerated() {
            if kind == .dirfd { dirfd = args.int(i) }
            // A NULL path (utimensat's, for futimens) names the fd, which was checked when opened.
            guard kind == .string, LinuxProcess.notPaths[number] != i, args[i] != 0 else { continue }
            let name = hostPath(try string(args[i]))
            let write = LinuxProcess.writingCalls.contains(number) || number == 56 && LinuxProcess.opensForWriting(args.int(2))
            try checkSandboxPath(policy, name, dirfd: dirfd, write: write, follow: !LinuxProcess.notFollowing.contains(number), call: entry.name)
        }
    }

    /// O_WRONLY, O_RDWR, O_CREAT or O_TRUNC.
    static func opensForWriting(_ flags: Int) -> Bool {
        flags & Int(O_ACCMODE) != Int(O_RDONLY) || flags & Int(O_CREAT | O_TRUNC) != 0
    }

    func checkSandboxPath(_ policy: SandboxPolicy, _ path: String, dirfd: Int, write: Bool, follow: Bool, call: String) throws(SyscallError) {
        let absolute: String
        if path.hasPrefix("/") {
            absolute = path
        } else if dirfd == Int(AT_FDCWD) {
            absolute = path
        } else {
            guard let directory = ProcPath.readLink("/proc/self/fd/\(dirfd)") else { throw SyscallError(EBADF) }
            absolute = directory + "/" + path
        }
        // /proc is the guest's own synthesised files only (vetOpened refuses the rest).
        if absolute.hasPrefix("/proc/self/") || absolute.hasPrefix("/proc/thread-self/") || absolute.hasPrefix("/proc/\(getpid())/") {
            return
        }
        guard let real = follow ? SandboxPolicy.realPath(absolute) : SandboxPolicy.realParent(absolute) else { return }  // ENOENT from the host
        if let why = policy.refusal(real, write: write, readOnly: sandboxReadOnlyRoots) {
            throw sandboxRefusal(EACCES, "\(call) of \(real): \(why)")
        }
    }

    /// The sysroot and the guest program itself: readable, never writable.
    var sandboxReadOnlyRoots: [String] {
        [executablePath] + (options.sysroot.flatMap(SandboxPolicy.realPath).map { [$0] } ?? [])
    }

    /// The errno, after a `--strace` line saying why.
    func sandboxRefusal(_ code: Int32, _ why: String) -> SyscallError {
        tracer?.emit("trapeze: sandbox refused \(why)")
        return SyscallError(code)
    }

    /// True when `pid` is a child of this process (its parent, in /proc/PID/stat, is us).
    static func isChild(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        let text = String(decoding: ProcSnapshot.readHost("/proc/\(pid)/stat"), as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return false }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == getpid()
    }

    /// After openat under the sandbox: the file the kernel opened must be allowed too.
    func sandboxVet(_ fd: Int64, flags: Int) -> Int64 {
        guard let policy = options.sandbox, fd >= 0 else { return fd }
        guard let opened = ProcPath.readLink("/proc/self/fd/\(fd)"), opened.hasPrefix("/") else { return fd }  // pipes, memfds
        if opened.hasPrefix("/memfd:") { return fd }
        if let why = policy.refusal(opened, write: LinuxProcess.opensForWriting(flags), readOnly: sandboxReadOnlyRoots) {
            close(Int32(fd))
            return -Int64(sandboxRefusal(EACCES, "openat of \(opened): \(why)").code)
        }
        return fd
    }
}
