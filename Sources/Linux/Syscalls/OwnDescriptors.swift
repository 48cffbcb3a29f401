#if canImport(Glibc)
import Glibc
#endif

/// Trapeze's own descriptors in the guest's process (the --max-processes slot table) are not
/// the guest's: a call naming one in a descriptor argument fails with EBADF, as for a
/// descriptor that is not open, so the guest can neither use, close nor dup2 over them.
extension LinuxProcess {
    func refuseOwnDescriptors(_ number: Int, _ args: SyscallArguments) throws(SyscallError) {
        guard accounting.slots != nil, let entry = SyscallTable.entry(number) else { return }
        for (i, kind) in entry.arguments.enumerated() where kind == .fd || kind == .dirfd {
            if accounting.owns(Int32(truncatingIfNeeded: args.int(i))) { throw SyscallError(EBADF) }
        }
    }
}
