#if canImport(Glibc)
import Glibc
#endif
import Guest

/// The guest's own /proc/self/maps. Opening the host's file would list Trapeze's mappings
/// (host addresses, and no guest stack, so glibc's pthread_getattr_np fails): instead, openat
/// of /proc/self/maps, /proc/<pid>/maps or /proc/thread-self/maps (however spelled) returns a
/// memfd holding a snapshot of the guest's mappings. smaps would leak host addresses too, and is
/// not synthesized: it reports ENOENT.
extension LinuxProcess {
    enum ProcSelfFile {
        case maps, hidden
    }

    func sysOpenat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let name = try string(a[1])
        if name.contains("maps"), let file = procSelfFile(a.int(0), name) {
            switch file {
            case .hidden: throw SyscallError(ENOENT)
            case .maps: return try openMapsSnapshot(flags: a.int(2))
            }
        }
        return withPath(hostPath(name)) { s in host { HostSyscall.call(.openat, a.int(0), s, a.int(2), a.int(3)) } }
    }

    /// Which of this process's /proc files `path` (relative to `dirfd`) resolves to, if any.
    /// The host resolves the symlinks (/proc/self, /proc/thread-self, `..`), so every spelling
    /// ends as /proc/PID/NAME or /proc/PID/task/TID/NAME, with PID Trapeze's own.
    func procSelfFile(_ dirfd: Int, _ path: String) -> ProcSelfFile? {
        let full = path.hasPrefix("/") || dirfd == Int(AT_FDCWD) ? path : "/proc/self/fd/\(dirfd)/" + path
        guard let resolved = realpath(full, nil) else { return nil }
        let real = String(cString: resolved)
        free(resolved)
        let parts = real.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let pid = String(getpid())
        let file: String
        if parts.count == 4, parts[0] == "", parts[1] == "proc", parts[2] == pid {
            file = parts[3]
        } else if parts.count == 6, parts[0] == "", parts[1] == "proc", parts[2] == pid, parts[3] == "task",
                  Int(parts[4]) != nil {
            file = parts[5]
        } else {
            return nil
        }
        switch file {
        case "maps": return .maps
        case "smaps", "smaps_rollup", "numa_maps", "pagemap": return .hidden
        default: return nil
        }
    }

    /// The snapshot as a memfd positioned at 0; the kernel's file is read-only.
    func openMapsSnapshot(flags: Int) throws(SyscallError) -> Int64 {
        guard flags & Int(O_ACCMODE) == Int(O_RDONLY) else { throw SyscallError(EACCES) }
        let text = procMapsText()
        // MFD_CLOEXEC is 1.
        let made = "maps".withCString { HostSyscall.call(.memfd_create, Int(bitPattern: $0), flags & Int(O_CLOEXEC) != 0 ? 1 : 0) }
        guard made >= 0 else { return made }
        let fd = Int32(made)
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let e = errno; close(fd); return -Int64(e) }
            done += n
        }
        bytes.removeAll()
        lseek(fd, 0, SEEK_SET)
        return Int64(fd)
    }

    /// The guest's /proc/self/maps text now.
    public func procMapsText() -> String {
        let heapEnd = (brkEnd &+ GuestMemory.pageSize &- 1) >> GuestMemory.pageShift
        let heapStart = brkStart >> GuestMemory.pageShift
        return ProcMapsText.render(memory: memory, labels: mappingLabels,
                                   heap: heapEnd > heapStart ? heapStart..<heapEnd : nil)
    }
}

/// Labels for the mappings the loader and mmap make.
extension LinuxProcess {
    /// The file-backed pages of each loaded image, and the stack.
    static func initialLabels(_ program: LoadedProgram, executablePath: String, layout: AddressSpaceLayout) -> MappingLabels {
        var labels = MappingLabels()
        for (image, path) in [(program.main, executablePath)] + (program.interpreter.map { [($0, absolute($0.elf.path))] } ?? []) {
            var st = stat()
            let identity = stat(path, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : (0, 0)
            for segment in image.elf.loadSegments where segment.fileSize > 0 {
                let start = (segment.vaddr &+ image.bias) & ~(GuestMemory.pageSize - 1)
                let skew = (segment.vaddr &+ image.bias) - start
                labels.set(address: start, length: segment.fileSize + skew,
                           MappingLabel(name: path, offset: segment.offset - skew,
                                        device: identity.0, inode: identity.1))
            }
        }
        labels.set(address: layout.stackBottom, length: AddressSpaceLayout.stackSize, MappingLabel(name: "[stack]"))
        return labels
    }

    /// The label of a new mmap: the file's path and identity (as the host names the fd), or
    /// none for private anonymous memory.
    static func mmapLabel(fd: Int32?, offset: UInt64, shared: Bool) -> MappingLabel? {
        guard let fd else { return shared ? MappingLabel(name: "/dev/zero (deleted)", shared: true) : nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        let name = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return MappingLabel(name: name, offset: offset, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), shared: shared)
    }
}
