#if canImport(Glibc)
import Glibc
#endif
import Guest

/// File and directory syscalls. Guest fds are host fds, and riscv64 and x86-64 share the
/// asm-generic open flags, fcntl commands, termios and dirent64 layouts, so most calls forward
/// their arguments once the guest pointers in them have been checked.
extension LinuxProcess {
    /// Forwards integer arguments unchanged.
    func passthrough(_ n: HostSyscall.Number, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0) -> Int64 {
        host { HostSyscall.call(n, a, b, c, d) }
    }

    /// The *at calls whose only pointer is the path in a1: `n(dirfd, path, extra...)`.
    func atPath(_ n: HostSyscall.Number, _ a: SyscallArguments, _ x: Int = 0, _ y: Int = 0, _ z: Int = 0) throws(SyscallError) -> Int64 {
        let p = try path(a[1])
        return withPath(p) { s in host { HostSyscall.call(n, a.int(0), s, x, y, z) } }
    }

    /// renameat2 and linkat: (olddirfd, oldpath, newdirfd, newpath, flags).
    func twoPaths(_ n: HostSyscall.Number, _ a: SyscallArguments, flags: Int) throws(SyscallError) -> Int64 {
        let old = try path(a[1]), new = try path(a[3])
        return withPath(old) { o in withPath(new) { w in host { HostSyscall.call(n, a.int(0), o, a.int(2), w, flags) } } }
    }

    func sysSymlinkat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        // The target is link contents, not a path we open: it is stored as given.
        let target = try string(a[0]), link = try path(a[2])
        return withPath(target) { t in withPath(link) { l in host { HostSyscall.call(.symlinkat, t, a.int(1), l) } } }
    }

    func sysGetcwd(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[0], a[1], .write)
        return host { HostSyscall.call(.getcwd, buf, Int(truncatingIfNeeded: a[1])) }
    }

    func sysChdir(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let p = try path(a[0])
        return withPath(p) { s in host { HostSyscall.call(.chdir, s) } }
    }

    func sysTruncate(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let p = try path(a[0])
        return withPath(p) { s in host { HostSyscall.call(.truncate, s, a.long(1)) } }
    }

    func sysClose(_ a: SyscallArguments) -> Int64 {
        // Never retried: after EINTR the fd is already gone on Linux.
        HostSyscall.call(.close, a.int(0))
    }

    func sysPipe2(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.pipe2, try buffer(a[0], 8, .write), a.int(1))
    }

    func sysRead(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[1], a[2], .write)
        return host { HostSyscall.call(.read, a.int(0), buf, Int(truncatingIfNeeded: a[2])) }
    }

    func sysWrite(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[1], a[2], .read)
        return host { HostSyscall.call(.write, a.int(0), buf, Int(truncatingIfNeeded: a[2])) }
    }

    func sysPread(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[1], a[2], .write)
        return host { HostSyscall.call(.pread64, a.int(0), buf, Int(truncatingIfNeeded: a[2]), a.long(3)) }
    }

    func sysPwrite(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[1], a[2], .read)
        return host { HostSyscall.call(.pwrite64, a.int(0), buf, Int(truncatingIfNeeded: a[2]), a.long(3)) }
    }

    /// readv/writev/preadv/pwritev: the guest's iovec array is rebuilt with host addresses.
    func sysVectored(_ n: HostSyscall.Number, _ a: SyscallArguments, offset: Int?) throws(SyscallError) -> Int64 {
        let count = a.int(2)
        guard count >= 0, count <= 1024 else { throw .invalid }
        let need: PageFlags = (n == .readv || n == .preadv) ? .write : .read
        var iov = [Int](repeating: 0, count: count * 2)
        for i in 0..<count {
            let entry = a[1] &+ UInt64(i) &* 16
            guard let base = try? memory.load(entry, as: UInt64.self),
                  let length = try? memory.load(entry &+ 8, as: UInt64.self) else { throw .fault }
            iov[2 * i] = length == 0 ? 0 : try buffer(base, length, need)
            iov[2 * i + 1] = Int(truncatingIfNeeded: length)
        }
        return iov.withUnsafeBytes { p in
            host { HostSyscall.call(n, a.int(0), Int(bitPattern: p.baseAddress), count, offset ?? 0) }
        }
    }

    func sysSendfile(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let offset = try optionalBuffer(a[2], 8, [.read, .write])
        return host { HostSyscall.call(.sendfile, a.int(0), a.int(1), offset, Int(truncatingIfNeeded: a[3])) }
    }

    func sysGetdents64(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let count = UInt64(UInt32(truncatingIfNeeded: a[2]))
        let buf = try buffer(a[1], count, .write)
        while true {
            let n = passthrough(.getdents64, a.int(0), buf, Int(count))
            guard n > 0, !HostDescriptors.all.isEmpty, listsOwnDescriptors(Int32(a.int(0))) else { return n }
            // A listing made only of Trapeze's descriptors is not the end of the directory.
            let kept = try withoutOwnDescriptors(a[1], Int(n))
            if kept > 0 { return Int64(kept) }
        }
    }

    /// True when `fd` is this process's /proc `fd/` or `fdinfo/` directory.
    private func listsOwnDescriptors(_ fd: Int32) -> Bool {
        guard let resolved = ProcPath.ofDescriptor(fd), let path = ProcPath(resolved: resolved) else { return false }
        return path.pid == getpid() && (path.rest == ["fd"] || path.rest == ["fdinfo"])
    }

    /// Drops the `linux_dirent64` records naming Trapeze's descriptors from the `length` bytes
    /// at guest `address`; the length kept. (d_ino 8, d_off 8, d_reclen 2, d_type 1, d_name.)
    private func withoutOwnDescriptors(_ address: UInt64, _ length: Int) throws(SyscallError) -> Int {
        guard let bytes = try? memory.read(address, count: length) else { throw .fault }
        var kept: [UInt8] = []
        var at = 0
        while at + 19 <= length {
            let size = Int(bytes[at + 16]) | Int(bytes[at + 17]) << 8
            guard size >= 19, at + size <= length else { break }
            let name = bytes[(at + 19)..<(at + size)].prefix { $0 != 0 }
            let own = Int32(String(decoding: name, as: UTF8.self)).map { HostDescriptors.contains($0) } ?? false
            if !own { kept += bytes[at..<(at + size)] }
            at += size
        }
        guard (try? memory.write(address, kept)) != nil else { throw .fault }
        return kept.count
    }

    /// The signal mask argument is ignored: Trapeze delivers guest signals between blocks.
    func sysPpoll(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let n = a[1]
        guard n <= 1 << 20 else { throw .invalid }
        let fds = try buffer(a[0], n &* 8, [.read, .write])
        let timeout = try optionalBuffer(a[2], 16, .read)
        return host { HostSyscall.call(.ppoll, fds, Int(n), timeout, 0, 8) }
    }

    /// pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask): the fd sets are bit arrays
    /// of nfds bits in 64-bit words, the same on both sides; like ppoll, the sigmask is not applied.
    func sysPselect6(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let n = Int64(bitPattern: a[0])
        guard n >= 0, n <= 1 << 20 else { throw .invalid }
        let bytes = UInt64((n + 63) / 64 * 8)
        let sets = try (1...3).map { i throws(SyscallError) in try optionalBuffer(a[i], bytes, [.read, .write]) }
        let timeout = try optionalBuffer(a[4], 16, [.read, .write])
        return host { HostSyscall.call(.pselect6, Int(n), sets[0], sets[1], sets[2], timeout, 0) }
    }

    func sysReadlinkat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let name = try string(a[1])
        let size = Int(Int32(truncatingIfNeeded: a[3]))
        guard size > 0 else { throw .invalid }
        let buf = try buffer(a[2], UInt64(size), .write)
        if let target = try procLinkTarget(dirfd: a.int(0), name) {
            let bytes = Array(target.utf8.prefix(size))
            try? memory.write(a[2], bytes)
            return Int64(bytes.count)
        }
        return withPath(hostPath(name)) { s in host { HostSyscall.call(.readlinkat, a.int(0), s, buf, size) } }
    }

    func sysUtimensat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let times = try optionalBuffer(a[2], 32, .read)
        if a[1] == 0 { return passthrough(.utimensat, a.int(0), 0, times, a.int(3)) }
        let p = try path(a[1])
        return withPath(p) { s in host { HostSyscall.call(.utimensat, a.int(0), s, times, a.int(3)) } }
    }

    func sysMemfdCreate(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let name = try string(a[0], max: 250)
        return withPath(name) { s in host { HostSyscall.call(.memfd_create, s, a.int(1)) } }
    }

    /// mknodat: FIFOs, sockets and regular files as the host makes them; under --sandbox no device
    /// nodes, which would open host devices from inside an allowed directory.
    func sysMknodat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let kind = a.int(2) & Int(S_IFMT)
        if options.sandbox != nil, kind == Int(S_IFCHR) || kind == Int(S_IFBLK) {
            throw sandboxRefusal(EPERM, "mknodat of a device node")
        }
        return try atPath(.mknodat, a, a.int(2), Int(UInt32(truncatingIfNeeded: a[3])))
    }

    /// fcntl: only the record-lock and owner commands take a pointer (struct flock is 32 bytes,
    /// struct f_owner_ex 8, on both).
    func sysFcntl(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let cmd = a.int(1)
        switch cmd {
        case 5, 6, 7, 36, 37, 38:  // F_GETLK, F_SETLK, F_SETLKW, F_OFD_*
            return passthrough(.fcntl, a.int(0), cmd, try buffer(a[2], 32, [.read, .write]))
        case 15, 16:  // F_SETOWN_EX, F_GETOWN_EX
            return passthrough(.fcntl, a.int(0), cmd, try buffer(a[2], 8, [.read, .write]))
        case 1035, 1036, 1037, 1038:  // F_GET/SET_RW_HINT, F_GET/SET_FILE_RW_HINT: a u64 pointer
            return passthrough(.fcntl, a.int(0), cmd, try buffer(a[2], 8, [.read, .write]))
        default:
            return passthrough(.fcntl, a.int(0), cmd, Int(truncatingIfNeeded: a[2]))
        }
    }

    /// The terminal and fd ioctls programs use; anything else is ENOTTY, since an unknown
    /// request's argument cannot be checked.
    func sysIoctl(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let fd = a.int(0), request = Int(UInt32(truncatingIfNeeded: a[1]))
        let size: UInt64, need: PageFlags
        switch request {
        case 0x5401: (size, need) = (36, .write)             // TCGETS (asm-generic struct termios)
        case 0x5402, 0x5403, 0x5404: (size, need) = (36, .read) // TCSETS, TCSETSW, TCSETSF
        case 0x5413: (size, need) = (8, .write)              // TIOCGWINSZ
        case 0x5414: (size, need) = (8, .read)               // TIOCSWINSZ
        case 0x540F, 0x541B: (size, need) = (4, .write)      // TIOCGPGRP, FIONREAD
        case 0x5410, 0x5421: (size, need) = (4, .read)       // TIOCSPGRP, FIONBIO
        case 0x5450, 0x5451: return passthrough(.ioctl, fd, request)  // FIONCLEX, FIOCLEX
        default: return -Int64(ENOTTY)
        }
        return passthrough(.ioctl, fd, request, try buffer(a[2], size, need))
    }

    func sysStatfs(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let p = try path(a[0]), buf = try buffer(a[1], 120, .write)
        return withPath(p) { s in host { HostSyscall.call(.statfs, s, buf) } }
    }

    func sysFstatfs(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.fstatfs, a.int(0), try buffer(a[1], 120, .write))
    }
}
