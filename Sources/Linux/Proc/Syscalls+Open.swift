#if canImport(Glibc)
import Glibc
#endif
import Guest

/// openat, with /proc confined (ProcPath.swift) and without a window. The host first opens the
/// path with O_PATH (no read, no write, no blocking open of a FIFO or device) and asks the kernel
/// what that names: however the guest spelled it (symlinks, `..`, a dirfd, /proc/self/fd/N), the
/// answer is the file itself. Only a file the guest may have is then opened for real, through
/// that O_PATH descriptor (/proc/self/fd/P), so the file checked is the file opened. A guest
/// thread racing for the descriptor number never finds a readable Trapeze /proc file there.
extension LinuxProcess {
    func sysOpenat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let name = try string(a[1])
        let flags = a.int(2)
        var target = hostPath(name)
        if namesOwnDescriptor(dirfd: a.int(0), name) { throw SyscallError(ENOENT) }
        if name.hasSuffix("exe"), let proc = ProcPath.location(dirfd: a.int(0), name), proc.rest == ["exe"], ProcFile.isTrapeze(proc.pid) {
            // Every spelling of a Trapeze process's exe names the guest program.
            guard proc.pid == getpid() else { throw SyscallError(EACCES) }
            target = executablePath
        }
        return withPath(target) { openConfined(dirfd: a.int(0), $0, flags: flags, mode: a.int(3)) }
    }

    /// Whether a single-threaded process outside the sandbox opens files in one step (the
    /// default; `TRAPEZE_OPEN_DIRECT=0` always takes the checked path). Read while the process
    /// has one thread, so its lazy initialisation never meets a fork.
    static let opensDirectly = environmentFlag("TRAPEZE_OPEN_DIRECT", default: true)

    /// O_TMPFILE without O_DIRECTORY (`__O_TMPFILE`), and O_PATH (Swift's Glibc has neither).
    static let tmpfileFlag = 0o20000000, pathFlag = 0o10000000

    private func openConfined(dirfd: Int, _ path: Int, flags: Int, mode: Int) -> Int64 {
        // Always a new file (procfs makes none), never an existing one of /proc's.
        if flags & LinuxProcess.tmpfileFlag != 0 || flags & Int(O_CREAT | O_EXCL) == Int(O_CREAT | O_EXCL) {
            let fd = host { HostSyscall.call(.openat, dirfd, path, flags, mode) }
            return fd < 0 ? fd : sandboxVet(fd, flags: flags)
        }
        // One guest thread and no sandbox: open as asked, then look at what opened. Only a file in
        // procfs needs the checked path below (closed first: no other guest thread exists to race
        // for its number, and opening a procfs file changes nothing). A failure that the checked
        // path would meet the same way (no such file or directory) is the answer; any other goes
        // the checked way, which may answer for /proc. One host call and an fstatfs instead of
        // five (dpkg opens thousands of files).
        if options.sandbox == nil, threads.count == 1, LinuxProcess.opensDirectly {
            let fd = host { HostSyscall.call(.openat, dirfd, path, flags, mode) }
            if fd == -Int64(ENOENT) || fd == -Int64(ENOTDIR) { return fd }
            if fd >= 0 {
                guard ProcPath.isProcFS(Int32(fd)) else { return fd }
                close(Int32(fd))
            }
        }
        // Without a host /proc (a chroot that has none) there is no Trapeze /proc file to leak,
        // and no /proc/self/fd/P to reopen through: a plain open, vetted like the others.
        if access("/proc/self/fd", F_OK) != 0 {
            let fd = host { HostSyscall.call(.openat, dirfd, path, flags, mode) }
            return fd < 0 ? fd : sandboxVet(fd, flags: flags)
        }
        let pathFlags = LinuxProcess.pathFlag | Int(O_CLOEXEC) | flags & Int(O_NOFOLLOW | O_DIRECTORY)
        for _ in 0..<2 {
            let located = host { HostSyscall.call(.openat, dirfd, path, pathFlags, 0) }
            if located >= 0 { return reopen(Int32(located), flags: flags) }
            guard located == -Int64(ENOENT), flags & Int(O_CREAT) != 0 else { return located }
            // Nothing there: create it, exclusively, so what opens is the new file.
            let made = host { HostSyscall.call(.openat, dirfd, path, flags | Int(O_EXCL), mode) }
            if made != -Int64(EEXIST) { return made < 0 ? made : sandboxVet(made, flags: flags) }
        }
        // O_CREAT through a dangling symlink (O_EXCL refuses those): open it as asked and vet
        // what opened; procfs creates nothing, so only a symlink changed meanwhile lands there.
        let fd = host { HostSyscall.call(.openat, dirfd, path, flags, mode) }
        guard fd >= 0 else { return fd }
        return sandboxVet(vetOpened(Int32(fd), flags: flags), flags: flags)
    }

    /// Turns the O_PATH descriptor `located` into what the guest gets for `flags`: the file
    /// opened for real, a synthesised /proc file, or an errno. `located` is consumed; a file the
    /// guest gets takes its number, the lowest free one, as a plain open's would.
    private func reopen(_ located: Int32, flags: Int) -> Int64 {
        let cloexec = flags & Int(O_CLOEXEC) != 0
        if let answer = procAnswer(located, flags: flags) {
            guard answer >= 0 else { close(located); return answer }
            return LinuxProcess.renumber(Int32(answer), to: located, cloexec: cloexec)
        }
        if options.sandbox != nil {
            let vetted = sandboxVet(Int64(located), flags: flags)  // closes it when refused
            guard vetted == Int64(located) else { return vetted }
        }
        if flags & LinuxProcess.pathFlag != 0 {
            if !cloexec { _ = fcntl(located, F_SETFD, 0) }
            return Int64(located)
        }
        if flags & Int(O_NOFOLLOW) != 0 {
            // O_PATH | O_NOFOLLOW gave the symlink itself; a real open of it is ELOOP.
            var st = stat()
            if fstat(located, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK { close(located); return -Int64(ELOOP) }
        }
        let reopenFlags = flags & ~Int(O_CREAT | O_EXCL | O_NOFOLLOW)
        let fd = withPath("/proc/self/fd/\(located)") { s in host { HostSyscall.call(.openat, Int(AT_FDCWD), s, reopenFlags, 0) } }
        guard fd >= 0 else { close(located); return fd }
        return LinuxProcess.renumber(Int32(fd), to: located, cloexec: cloexec)
    }

    /// Moves open descriptor `fd` to number `target` (closing what `target` was); `fd` if that fails.
    static func renumber(_ fd: Int32, to target: Int32, cloexec: Bool) -> Int64 {
        guard fd != target else { return Int64(fd) }
        guard HostSyscall.call(.dup3, Int(fd), Int(target), cloexec ? Int(O_CLOEXEC) : 0) >= 0 else {
            close(target)
            return Int64(fd)
        }
        close(fd)
        return Int64(target)
    }

    /// Keeps a host fd the guest may have, or closes it and gives a synthesised file or an error.
    func vetOpened(_ fd: Int32, flags: Int) -> Int64 {
        guard let answer = procAnswer(fd, flags: flags) else { return Int64(fd) }
        close(fd)
        return answer
    }

    /// What the guest gets instead of the host file `fd` names (a synthesised file's descriptor,
    /// or −errno); nil when the host file is the guest's to have. `fd` is left open.
    private func procAnswer(_ fd: Int32, flags: Int) -> Int64? {
        guard let resolved = ProcPath.ofDescriptor(fd) else { return nil }
        let why = "openat of \(resolved): /proc is the guest's own files only"
        guard let path = ProcPath(resolved: resolved) else {
            if options.sandbox == nil, resolved.hasSuffix("/cpuinfo"), resolved.split(separator: "/").count == 2 {
                return ProcSnapshot.open(Array(procCPUInfoText().utf8), name: "cpuinfo", flags: flags)
            }
            return options.sandbox == nil ? nil : -Int64(sandboxRefusal(EACCES, why).code)
        }
        // /proc/TID of one of this process's threads describes this process too.
        let own = path.pid == getpid() || access("/proc/self/task/\(path.pid)", F_OK) == 0
        let file = ProcFile.classify(path, own: own, trapeze: own || ProcFile.isTrapeze(path.pid))
        switch file {
        case .host: return options.sandbox == nil ? nil : -Int64(sandboxRefusal(EACCES, why).code)
        case .refused(let e): return -Int64(e)
        case .mem: return ProcMemFile.open(flags: flags)
        default: return ProcSnapshot.open(procContents(file), name: path.rest.last ?? "proc", flags: flags)
        }
    }

    /// readlink of a Trapeze process's /proc links: `exe` is the guest program, `map_files/`
    /// (host addresses) is refused; everything else is the host's answer.
    func procLinkTarget(dirfd: Int, _ name: String) throws(SyscallError) -> String? {
        if isSelfExe(name) { return executablePath }
        if namesOwnDescriptor(dirfd: dirfd, name) { throw SyscallError(ENOENT) }
        guard name.hasSuffix("exe") || name.containsBytes("map_files"), let proc = ProcPath.location(dirfd: dirfd, name), ProcFile.isTrapeze(proc.pid) else { return nil }
        if proc.rest == ["exe"] {
            guard proc.pid == getpid() else { throw SyscallError(EACCES) }
            return executablePath
        }
        if proc.rest.first == "map_files" { throw SyscallError(EACCES) }
        return nil
    }
}
