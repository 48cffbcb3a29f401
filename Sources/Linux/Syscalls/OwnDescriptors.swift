#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Trapeze's own descriptors in the guest's process (`HostDescriptors`: the --max-processes
/// slot table, a perf map, a trace file, a saved stdout) are not the guest's: a call naming one
/// in a descriptor argument fails with EBADF, as for a descriptor that is not open, so the guest
/// can neither use, close nor dup2 over them.
extension LinuxProcess {
    func refuseOwnDescriptors(_ number: Int, _ args: SyscallArguments) throws(SyscallError) {
        guard let entry = SyscallTable.entry(number) else { return }
        for (i, kind) in entry.arguments.enumerated() where kind == .fd || kind == .dirfd {
            let fd = args.int(i)
            // A dirfd of AT_FDCWD (-100) or any other negative number is no descriptor of ours.
            if fd >= 0, fd <= Int(Int32.max), HostDescriptors.contains(Int32(fd)) { throw SyscallError(EBADF) }
        }
    }

    /// True when `path` (relative to `dirfd`) names one of Trapeze's own descriptors in this
    /// process's /proc directory (`fd/N`, `fdinfo/N`, in any spelling): those are refused as if
    /// the descriptor were not open.
    func namesOwnDescriptor(dirfd: Int, _ path: String) -> Bool {
        guard path.contains("fd"), !HostDescriptors.all.isEmpty,
              let proc = ProcPath.location(dirfd: dirfd, path), proc.pid == getpid(),
              proc.rest.count == 2, proc.rest[0] == "fd" || proc.rest[0] == "fdinfo",
              let fd = Int32(proc.rest[1]) else { return false }
        return HostDescriptors.contains(fd)
    }
}
