#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Memory syscalls. Guest mappings live inside `GuestMemory`'s reserved range: mmap picks
/// addresses top-down below the stack as Linux does, brk grows from the end of the program.
extension LinuxProcess {
    static let mapShared = 0x01, mapPrivate = 0x02, mapSharedValidate = 0x03, mapFixed = 0x10
    static let mapAnonymous = 0x20, mapFixedNoReplace = 0x100000
    static let mremapMayMove: UInt64 = 1, mremapFixed: UInt64 = 2, mremapDontUnmap: UInt64 = 4

    private func pageRound(_ length: UInt64) -> UInt64? {
        let (v, overflow) = length.addingReportingOverflow(GuestMemory.pageSize - 1)
        return overflow ? nil : v & ~(GuestMemory.pageSize - 1)
    }

    /// True when `[address, address+length)` is a page-aligned range inside guest memory.
    private func inside(_ address: UInt64, _ length: UInt64) -> Bool {
        address % GuestMemory.pageSize == 0 && address < memory.limit && length <= memory.limit - address
    }

    /// A free range for a new mapping: the hint if it is free, else the highest free range below
    /// the mmap base.
    private func placement(_ hint: UInt64, _ size: UInt64) -> UInt64? {
        let h = hint & ~(GuestMemory.pageSize - 1)
        if h >= 0x10000, inside(h, size), h + size <= layout.stackBottom, memory.isFree(h, size) { return h }
        return memory.findFree(size, below: layout.mmapTop)
    }

    func sysBrk(_ a: SyscallArguments) -> Int64 {
        let requested = a[0]
        guard requested >= brkStart, requested < layout.mmapTop,
              let oldTop = pageRound(brkEnd), let newTop = pageRound(requested) else { return Int64(brkEnd) }
        if newTop > oldTop {
            guard memory.isFree(oldTop, newTop - oldTop), let fresh = accounting.admit(oldTop, newTop - oldTop),
                  memory.mapAnonymous(oldTop, newTop - oldTop, [.read, .write]) else {
                return Int64(brkEnd)
            }
            accounting.didMap(fresh)
            mappingLabels.set(address: oldTop, length: newTop - oldTop, nil)
        } else if newTop < oldTop {
            accounting.willUnmap(newTop, oldTop - newTop)
            memory.unmap(newTop, oldTop - newTop)
            mappingLabels.set(address: newTop, length: oldTop - newTop, nil)
        }
        brkEnd = requested
        return Int64(requested)
    }

    func sysMmap(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let address = a[0], length = a[1], flags = a.int(3), offset = a[5]
        let prot = PageFlags(prot: Int32(a.int(2) & 7))
        guard length > 0, offset % GuestMemory.pageSize == 0 else { throw .invalid }
        guard let size = pageRound(length), size <= memory.limit else { throw .noMemory }
        let type = flags & 0xf
        guard type == LinuxProcess.mapShared || type == LinuxProcess.mapPrivate || type == LinuxProcess.mapSharedValidate else {
            throw .invalid
        }
        let target: UInt64
        if flags & (LinuxProcess.mapFixed | LinuxProcess.mapFixedNoReplace) != 0 {
            guard address % GuestMemory.pageSize == 0 else { throw .invalid }
            guard inside(address, size) else { throw .noMemory }
            guard address >= GuestMemory.pageSize else { throw SyscallError(EPERM) }
            if flags & LinuxProcess.mapFixed == 0 && !memory.isFree(address, size) { throw SyscallError(EEXIST) }
            target = address
        } else {
            guard let t = placement(address, size) else { throw .noMemory }
            target = t
        }
        guard let fresh = accounting.admit(target, size) else { throw .noMemory }
        if flags & LinuxProcess.mapAnonymous != 0 {
            // MAP_SHARED anonymous memory is a shared host mapping, so a forked child and its
            // parent keep seeing each other's writes, as on Linux.
            guard memory.mapAnonymous(target, size, prot, shared: type != LinuxProcess.mapPrivate) else { throw .noMemory }
        } else if let error = memory.mapFile(target, size, prot, fd: Int32(a.int(4)), offset: Int64(bitPattern: offset),
                                              shared: type != LinuxProcess.mapPrivate) {
            return -Int64(error)
        }
        accounting.didMap(fresh)
        let anonymous = flags & LinuxProcess.mapAnonymous != 0
        mappingLabels.set(address: target, length: size,
                          LinuxProcess.mmapLabel(fd: anonymous ? nil : Int32(a.int(4)), offset: offset,
                                                 shared: type != LinuxProcess.mapPrivate))
        return Int64(target)
    }

    func sysMunmap(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        guard a[1] > 0, let size = pageRound(a[1]), inside(a[0], size) else { throw .invalid }
        accounting.willUnmap(a[0], size)
        memory.unmap(a[0], size)
        mappingLabels.set(address: a[0], length: size, nil)
        return 0
    }

    func sysMprotect(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        guard a[0] % GuestMemory.pageSize == 0, let size = pageRound(a[1]) else { throw .invalid }
        if size == 0 { return 0 }
        guard inside(a[0], size), memory.protect(a[0], size, PageFlags(prot: Int32(a.int(2) & 7))) else { throw .noMemory }
        return 0
    }

    /// Shrinks in place, grows in place when the pages above are free, else (MREMAP_MAYMOVE)
    /// copies to a new place. Moved mappings become anonymous copies: file-backed shared pages
    /// lose their link to the file (glibc only mremaps its own anonymous chunks).
    func sysMremap(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let old = a[0], flags = a[3]
        guard old % GuestMemory.pageSize == 0, flags & ~7 == 0, a[2] > 0,
              flags & LinuxProcess.mremapFixed == 0 || flags & LinuxProcess.mremapMayMove != 0,
              let oldSize = pageRound(a[1]), let newSize = pageRound(a[2]) else { throw .invalid }
        guard oldSize > 0, inside(old, oldSize), memory.check(old, oldSize, .mapped) else { throw .fault }
        guard newSize <= memory.limit else { throw .noMemory }
        let pageFlags = memory.pageFlags(old)
        let fixed = flags & LinuxProcess.mremapFixed != 0
        if flags & LinuxProcess.mremapDontUnmap != 0 {
            // As Linux: only a move, and only of the same size.
            guard flags & LinuxProcess.mremapMayMove != 0, newSize == oldSize else { throw .invalid }
        }
        if fixed && a[4] < old &+ oldSize && old < a[4] &+ newSize { throw .invalid }  // overlapping target
        if !fixed && flags & LinuxProcess.mremapDontUnmap == 0 {
            if newSize <= oldSize {
                if newSize < oldSize {
                    accounting.willUnmap(old + newSize, oldSize - newSize)
                    memory.unmap(old + newSize, oldSize - newSize)
                    mappingLabels.set(address: old + newSize, length: oldSize - newSize, nil)
                }
                return Int64(old)
            }
            let tail = old + oldSize, extra = newSize - oldSize
            if inside(tail, extra), tail + extra <= layout.stackBottom, memory.isFree(tail, extra) {
                guard let fresh = accounting.admit(tail, extra), memory.mapAnonymous(tail, extra, pageFlags) else { throw .noMemory }
                accounting.didMap(fresh)
                mappingLabels.set(address: tail, length: extra, nil)
                return Int64(old)
            }
        }
        guard flags & LinuxProcess.mremapMayMove != 0 else { throw .noMemory }
        let target: UInt64
        if fixed {
            guard a[4] % GuestMemory.pageSize == 0, inside(a[4], newSize) else { throw .invalid }
            target = a[4]
        } else {
            guard let t = memory.findFree(newSize, below: layout.mmapTop) else { throw .noMemory }
            target = t
        }
        // Open both ranges to the host for the copy; the new range gets the old permissions after.
        guard let fresh = accounting.admit(target, newSize) else { throw .noMemory }
        guard memory.mapAnonymous(target, newSize, [.read, .write]), memory.protect(old, oldSize, pageFlags.union(.read)) else {
            throw .noMemory
        }
        accounting.didMap(fresh)
        // Page by page: a page that cannot be read (past the end of its file) stays zero.
        var page: UInt64 = 0
        while page < min(oldSize, newSize) {
            try? memory.move(from: old &+ page, to: target &+ page, count: GuestMemory.pageSize)
            page &+= GuestMemory.pageSize
        }
        memory.protect(target, newSize, pageFlags)
        mappingLabels.set(address: target, length: newSize, nil)
        if flags & LinuxProcess.mremapDontUnmap != 0 {
            // The old range stays mapped, emptied: it reads zeros, as Linux's does.
            memory.mapAnonymous(old, oldSize, pageFlags)
        } else {
            accounting.willUnmap(old, oldSize)
            memory.unmap(old, oldSize)
            mappingLabels.set(address: old, length: oldSize, nil)
        }
        return Int64(target)
    }

    /// MADV_DONTNEED is the one advice with a visible effect: the host kernel drops the pages,
    /// so private anonymous ones read back as zeros and file-backed ones are re-read, as on Linux.
    func sysMadvise(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        guard let size = pageRound(a[1]), a[0] % GuestMemory.pageSize == 0 else { throw .invalid }
        guard inside(a[0], size) else { throw .noMemory }
        if a.int(2) == 4 && size > 0 {
            return host { HostSyscall.call(.madvise, Int(bitPattern: memory.host(a[0])), Int(size), 4) }
        }
        return 0
    }

    func sysMsync(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        guard let size = pageRound(a[1]), inside(a[0], size) else { throw .invalid }
        guard size > 0 else { return 0 }
        guard memory.check(a[0], size, .mapped) else { throw .noMemory }
        return host { HostSyscall.call(.msync, Int(bitPattern: memory.host(a[0])), Int(size), a.int(2)) }
    }
}
