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
        guard path.containsBytes("fd"), !HostDescriptors.all.isEmpty,
              let proc = ProcPath.location(dirfd: dirfd, path), proc.pid == getpid(),
              proc.rest.count == 2, proc.rest[0] == "fd" || proc.rest[0] == "fdinfo",
              let fd = Int32(proc.rest[1]) else { return false }
        return HostDescriptors.contains(fd)
    }
}

extension String {
    /// Whether `needle` occurs in the string, byte for byte. The standard library's `contains`
    /// of a string comes from _StringProcessing, whose generic first use cost every dynamically
    /// linked guest's start about half a percent (the check runs on every open).
    func containsBytes(_ needle: StaticString) -> Bool {
        var copy = self
        return copy.withUTF8 { hay in
            needle.withUTF8Buffer { n in
                guard !n.isEmpty else { return true }
                guard n.count <= hay.count else { return false }
                for i in 0...(hay.count - n.count) where memcmp(hay.baseAddress! + i, n.baseAddress!, n.count) == 0 {
                    return true
                }
                return false
            }
        }
    }
}
