#if canImport(Glibc)
import Glibc
#endif
import Guest
import Synchronization

/// `/proc/self/mem` as the guest sees it: guest memory at guest addresses. The host's file is
/// Trapeze's own memory, text included, so the guest never gets it.
///
/// The descriptor the guest holds is an empty memfd of its own, opened with the guest's access
/// mode: its file position, `lseek`, dup, fork and close need nothing from Trapeze. Reads and
/// writes on it are recognised by the memfd's inode and done here, through the fault-recovering
/// copy, with the guest's page permissions (Linux forces its way past them; Trapeze does not
/// write read-only text or shared read-only files for the guest).
enum ProcMemFile {
    /// (st_dev, st_ino) of every stand-in made in this process (a fork's child keeps them, and
    /// the stand-in it inherited then addresses the child's own memory).
    private static let files = Mutex<Set<[UInt64]>>([])
    /// False until the guest first opens its mem: the check on every read is one load until then.
    private static let anyFiles = Atomic<Bool>(false)
    /// Linux's MAX_RW_COUNT: the most one call moves.
    static let maxTransfer = Int(Int32.max) & ~4095

    /// A stand-in descriptor with `flags`' access mode and close-on-exec.
    static func open(flags: Int) -> Int64 {
        let made = "mem".withCString { HostSyscall.call(.memfd_create, Int(bitPattern: $0), 1 /* MFD_CLOEXEC */) }
        guard made >= 0 else { return made }
        let opened = Glibc.open("/proc/self/fd/\(made)", Int32(flags & Int(O_ACCMODE)))
        guard opened >= 0 else { let e = errno; close(Int32(made)); return -Int64(e) }
        // The memfd's own number, the lowest free one, with the guest's close-on-exec.
        let fd = Int32(LinuxProcess.renumber(opened, to: Int32(made), cloexec: flags & Int(O_CLOEXEC) != 0))
        guard let id = identity(fd) else { close(fd); return -Int64(EIO) }
        files.withLock {
            $0.insert(id)
            anyFiles.store(true, ordering: .releasing)
        }
        return Int64(fd)
    }

    /// True when `fd` is a stand-in.
    static func isMem(_ fd: Int) -> Bool {
        guard anyFiles.load(ordering: .acquiring), fd >= 0, fd <= Int(Int32.max), let id = identity(Int32(fd)) else { return false }
        return files.withLock { $0.contains(id) }
    }

    private static func identity(_ fd: Int32) -> [UInt64]? {
        var st = stat()
        return fstat(fd, &st) == 0 ? [UInt64(st.st_dev), UInt64(st.st_ino)] : nil
    }
}

extension LinuxProcess {
    /// The calls on a guest mem descriptor: read, write and their p- and v- forms move guest
    /// memory; mmap is ENODEV and sendfile EINVAL as on Linux (the file has neither). Nil for
    /// any other call, or another descriptor.
    func procMemCall(_ number: Int, _ a: SyscallArguments) throws(SyscallError) -> Int64? {
        switch number {
        case 63...70:
            guard ProcMemFile.isMem(a.int(0)) else { return nil }
            return try memTransfer(number, a)
        case 71:  // sendfile(out, in, ...)
            guard ProcMemFile.isMem(a.int(0)) || ProcMemFile.isMem(a.int(1)) else { return nil }
            throw .invalid
        case 222:  // mmap(addr, length, prot, flags, fd, offset)
            guard a.int(3) & 0x20 == 0, ProcMemFile.isMem(a.int(4)) else { return nil }  // MAP_ANONYMOUS
            throw SyscallError(ENODEV)
        default:
            return nil
        }
    }

    /// fs/proc/base.c mem_rw: page by page from the file position (or the p- forms' offset) as a
    /// guest address; stops at the first page the guest may not access, with EIO when nothing
    /// moved; a bad buffer is EFAULT.
    private func memTransfer(_ number: Int, _ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let fd = Int32(a.int(0))
        let writing = number % 2 == 0  // write 64, writev 66, pwrite64 68, pwritev 70
        let mode = fcntl(fd, F_GETFL) & O_ACCMODE
        guard mode == (writing ? O_WRONLY : O_RDONLY) || mode == O_RDWR else { throw SyscallError(EBADF) }
        var buffers: [(address: UInt64, length: Int)] = []
        if number == 65 || number == 66 || number == 69 || number == 70 {
            let count = a.int(2)
            guard count >= 0, count <= 1024 else { throw .invalid }
            for i in 0..<count {
                let entry = a[1] &+ UInt64(i) &* 16
                guard let base = try? memory.load(entry, as: UInt64.self),
                      let length = try? memory.load(entry &+ 8, as: UInt64.self) else { throw .fault }
                guard length <= UInt64(Int.max) else { throw .invalid }
                buffers.append((base, Int(length)))
            }
        } else {
            guard a[2] <= UInt64(Int.max) else { throw .invalid }
            buffers = [(a[1], Int(a[2]))]
        }
        let positioned = number >= 67
        let start: UInt64
        if positioned {
            guard a.long(3) >= 0 else { throw .invalid }
            start = a[3]
        } else {
            start = UInt64(bitPattern: Int64(lseek(fd, 0, SEEK_CUR)))
        }
        var done = 0
        var position = start
        transfer: for (buffer, length) in buffers {
            var left = min(length, ProcMemFile.maxTransfer - done)
            var at = buffer
            while left > 0 {
                let n = min(left, Int(GuestMemory.pageSize - (position & (GuestMemory.pageSize - 1))))
                // read/write check the guest's permissions and copy through the fault-recovering copy.
                if writing {
                    guard let bytes = try? memory.read(at, count: n) else { throw .fault }
                    guard (try? memory.write(position, bytes)) != nil else {
                        if done == 0 { throw SyscallError(EIO) }
                        break transfer
                    }
                } else {
                    guard let bytes = try? memory.read(position, count: n) else {
                        if done == 0 { throw SyscallError(EIO) }
                        break transfer
                    }
                    guard (try? memory.write(at, bytes)) != nil else { throw .fault }
                }
                done += n
                left -= n
                at &+= UInt64(n)
                position &+= UInt64(n)
            }
        }
        if !positioned { lseek(fd, off_t(Int64(bitPattern: start &+ UInt64(done))), SEEK_SET) }
        return Int64(done)
    }
}
