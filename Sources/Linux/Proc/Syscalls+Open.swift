#if canImport(Glibc)
import Glibc
#endif
import Guest

/// openat, with /proc confined (ProcPath.swift). The host opens the file first and Trapeze then
/// asks the kernel what it opened: that names the file however the guest spelled it and leaves
/// no window for a symlink to change between a check and the open.
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
        let fd = withPath(target) { s in host { HostSyscall.call(.openat, a.int(0), s, flags, a.int(3)) } }
        guard fd >= 0 else { return fd }
        return sandboxVet(vetOpened(Int32(fd), flags: flags), flags: flags)
    }

    /// Keeps a host fd the guest may have, or swaps it for a synthesised file or an error.
    func vetOpened(_ fd: Int32, flags: Int) -> Int64 {
        guard let resolved = ProcPath.ofDescriptor(fd) else { return Int64(fd) }
        guard let path = ProcPath(resolved: resolved) else {
            guard options.sandbox != nil else { return Int64(fd) }
            close(fd)
            return -Int64(sandboxRefusal(EACCES, "openat of \(resolved): /proc is the guest's own files only").code)
        }
        let own = path.pid == getpid()
        var file = ProcFile.classify(path, own: own, trapeze: own || ProcFile.isTrapeze(path.pid))
        if file == .host && options.sandbox != nil {
            _ = sandboxRefusal(EACCES, "openat of \(resolved): /proc is the guest's own files only")
            file = .refused(EACCES)
        }
        if file == .host { return Int64(fd) }
        close(fd)
        if case .refused(let e) = file { return -Int64(e) }
        return ProcSnapshot.open(procContents(file), name: path.rest.last ?? "proc", flags: flags)
    }

    /// readlink of a Trapeze process's /proc links: `exe` is the guest program, `map_files/`
    /// (host addresses) is refused; everything else is the host's answer.
    func procLinkTarget(dirfd: Int, _ name: String) throws(SyscallError) -> String? {
        if isSelfExe(name) { return executablePath }
        if namesOwnDescriptor(dirfd: dirfd, name) { throw SyscallError(ENOENT) }
        guard name.hasSuffix("exe") || name.contains("map_files"), let proc = ProcPath.location(dirfd: dirfd, name), ProcFile.isTrapeze(proc.pid) else { return nil }
        if proc.rest == ["exe"] {
            guard proc.pid == getpid() else { throw SyscallError(EACCES) }
            return executablePath
        }
        if proc.rest.first == "map_files" { throw SyscallError(EACCES) }
        return nil
    }
}
