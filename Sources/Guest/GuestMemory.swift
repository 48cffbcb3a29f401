#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Guest page permissions, one byte per 4 KiB guest page.
public struct PageFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let read = PageFlags(rawValue: 1)
    public static let write = PageFlags(rawValue: 2)
    public static let execute = PageFlags(rawValue: 4)
    /// Set on every mapped page, so a mapping with no permissions is still "mapped".
    public static let mapped = PageFlags(rawValue: 8)
    /// Backed by a file: a permitted access may still fault on the host (SIGBUS past the file's
    /// end), so the interpreter probes such pages through the fault-recovering copy.
    public static let file = PageFlags(rawValue: 16)

    /// From Linux `PROT_*` bits (1 read, 2 write, 4 exec).
    public init(prot: Int32) {
        var f: PageFlags = .mapped
        if prot & 1 != 0 { f.insert(.read) }
        if prot & 2 != 0 { f.insert(.write) }
        if prot & 4 != 0 { f.insert(.execute) }
        self = f
    }
}

/// User-mode guest memory: one reserved host range, confined.
///
/// Guest address `g` lives at host address `base + g` for `g < limit`; every address at or above
/// `limit` faults before it is used, so no guest address reaches Trapeze's own memory. The range is
/// reserved `PROT_NONE` up front (plus a guard tail, so an access that starts below `limit` and
/// runs past it still lands in reserved memory). Permissions are kept twice: in the host page
/// protections (which translated code relies on, through the fault handler) and in `flags`, a byte
/// per page that the interpreter and the syscall layer check before touching memory.
///
/// Guest pages are never host-executable.
public final class GuestMemory: @unchecked Sendable {
    public static let pageSize: UInt64 = 4096
    public static let pageShift: UInt64 = 12
    /// Sv39 user space: 256 GiB.
    public static let defaultLimit: UInt64 = 1 << 38
    /// Reserved `PROT_NONE` below guest address 0 and above the limit: translated code may access
    /// a few KiB either side of an address it checked (an access off a base register it checked
    /// earlier in the block), and such an access must fault inside the reservation too. 1 MiB in
    /// all, of which 64 KiB below 0.
    public static let lowGuardSize: UInt64 = 64 << 10
    static let guardSize: UInt64 = (1 << 20) - lowGuardSize

    public let base: UnsafeMutableRawPointer
    public let limit: UInt64
    public let flags: UnsafeMutablePointer<UInt8>
    public let pageCount: UInt64
    /// Moves whenever guest code may have changed other than by a guest store: an executable
    /// mapping unmapped, remapped or reprotected, a `poke` on an executable page (the loader, a
    /// debugger's breakpoint), or `invalidateCode` (fence.i). Engines drop decoded and translated
    /// code when it moves. Atomic, so that a debugger or another guest thread may move it while
    /// a hart runs; reading it is a plain load on x86, cheap enough for every block.
    @inlinable public var codeGeneration: UInt64 { generation.load(ordering: .acquiring) }
    @usableFromInline let generation = Atomic<UInt64>(0)
    /// What each recent move of `codeGeneration` changed, so that an engine can drop only the
    /// code in those pages (CodeChangeLog); guarded by a lock since any thread may append, one
    /// that a guest fork from another thread does not leave held in the child.
    private let changes = ForkSafeLock(CodeChangeLog())

    public init(limit: UInt64 = GuestMemory.defaultLimit) {
        precondition(limit % GuestMemory.pageSize == 0)
        self.limit = limit
        let total = Int(GuestMemory.lowGuardSize + limit + GuestMemory.guardSize)
        let p = mmap(nil, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { HostFailure.exit("cannot reserve \(total) bytes of address space for guest memory") }
        base = p + Int(GuestMemory.lowGuardSize)
        pageCount = limit >> GuestMemory.pageShift
        let fp = mmap(nil, Int(pageCount), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let fp, fp != MAP_FAILED else { HostFailure.exit("cannot reserve the guest page table") }
        flags = fp.assumingMemoryBound(to: UInt8.self)
    }

    deinit {
        munmap(base - Int(GuestMemory.lowGuardSize), Int(GuestMemory.lowGuardSize + limit + GuestMemory.guardSize))
        munmap(flags, Int(pageCount))
    }

    // MARK: Permission checks

    @inline(__always) public func pageFlags(_ address: UInt64) -> PageFlags {
        let page = address >> GuestMemory.pageShift
        return page < pageCount ? PageFlags(rawValue: flags[Int(page)]) : []
    }

    /// True when every byte of `[address, address+length)` is below the limit and has `need`.
    @inline(__always) public func check(_ address: UInt64, _ length: UInt64, _ need: PageFlags) -> Bool {
        let first = address >> GuestMemory.pageShift
        let (end, overflow) = address.addingReportingOverflow(length &- 1)
        if overflow { return false }
        let last = end >> GuestMemory.pageShift
        if last >= pageCount { return false }
        if first == last { return flags[Int(first)] & need.rawValue == need.rawValue }
        var p = first
        while p <= last {
            if flags[Int(p)] & need.rawValue != need.rawValue { return false }
            p &+= 1
        }
        return true
    }

    @inline(__always) public func host(_ address: UInt64) -> UnsafeMutableRawPointer {
        base + Int(address)
    }

    // MARK: Guest accesses (checked)

    @inline(__always)
    public func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) throws(MemoryFault) -> T {
        guard check(address, UInt64(MemoryLayout<T>.size), .read) else {
            throw MemoryFault(address: address, access: .read)
        }
        var value = T.zero
        guard GuestFaultRecovery.copy(&value, base + Int(address), MemoryLayout<T>.size) else {
            throw MemoryFault(address: address, access: .read)
        }
        return value
    }

    @inline(__always)
    public func store<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(MemoryFault) {
        guard check(address, UInt64(MemoryLayout<T>.size), .write) else {
            throw MemoryFault(address: address, access: .write)
        }
        var v = value
        guard GuestFaultRecovery.copy(base + Int(address), &v, MemoryLayout<T>.size) else {
            throw MemoryFault(address: address, access: .write)
        }
    }

    /// Fetches 16 instruction bits (instructions are fetched in 16-bit parcels).
    @inline(__always) public func fetch16(_ address: UInt64) throws(MemoryFault) -> UInt16 {
        guard check(address, 2, .execute) else { throw MemoryFault(address: address, access: .execute) }
        var parcel: UInt16 = 0
        guard GuestFaultRecovery.copy(&parcel, base + Int(address), 2) else { throw MemoryFault(address: address, access: .execute) }
        return parcel
    }

    /// Fetches one instruction's bits in 16-bit parcels, as the C extension requires: the second
    /// parcel only when the low two bits say the instruction is 32 bits long (it may lie on the
    /// next page, with other permissions). A fault names the parcel that could not be fetched.
    @inline(__always) public func fetchInstruction(_ address: UInt64) throws(MemoryFault) -> UInt32 {
        // Both parcels on one page (all but the last two bytes of a page): one permission check
        // and one recoverable copy of four bytes, whose fault is then the first parcel's too.
        // This is the interpreter's and translator's every fetch; the guarded copy is dear.
        if address & 0xfff <= 0xffc, fetchPatches.isEmpty {
            guard check(address, 2, .execute) else { throw MemoryFault(address: address, access: .execute) }
            var word: UInt32 = 0
            guard GuestFaultRecovery.copy(&word, base + Int(address), 4) else {
                throw MemoryFault(address: address, access: .execute)
            }
            return word & 3 == 3 ? word : word & 0xffff
        }
        let low = try fetch16(address)
        if !fetchPatches.isEmpty, let bits = fetchPatches[address] { return bits }
        guard low & 3 == 3 else { return UInt32(low) }
        return UInt32(low) | UInt32(try fetch16(address &+ 2)) << 16
    }

    /// Copies guest bytes out (for syscalls and loaders); faults if any byte is unreadable.
    public func read(_ address: UInt64, count: Int) throws(MemoryFault) -> [UInt8] {
        if count == 0 { return [] }
        guard check(address, UInt64(count), .read) else { throw MemoryFault(address: address, access: .read) }
        var ok = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            ok = GuestFaultRecovery.copy(buffer.baseAddress!, base + Int(address), count)
            initialized = ok ? count : 0
        }
        guard ok else { throw MemoryFault(address: address, access: .read) }
        return bytes
    }

    /// Copies bytes in with the guest's own write permission (a syscall writing on the guest's
    /// behalf). Like a guest store, it leaves code to `fence.i`: it does not invalidate code.
    public func write(_ address: UInt64, _ bytes: some Collection<UInt8>) throws(MemoryFault) {
        if bytes.isEmpty { return }
        guard check(address, UInt64(bytes.count), .write) else { throw MemoryFault(address: address, access: .write) }
        guard Array(bytes).withUnsafeBytes({ GuestFaultRecovery.copy(base + Int(address), $0.baseAddress!, $0.count) }) else {
            throw MemoryFault(address: address, access: .write)
        }
    }

    /// A NUL-terminated guest string, at most `max` bytes long.
    public func readCString(_ address: UInt64, max: Int = 1 << 16) throws(MemoryFault) -> String {
        var bytes: [UInt8] = []
        var a = address
        while bytes.count < max {
            let b: UInt8 = try load(a, as: UInt8.self)
            if b == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(b)
            a &+= 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A host pointer to `[address, address+length)` after checking `need` on every page, for the
    /// syscall layer to pass straight to the host kernel. Nil means the guest pointer is bad (EFAULT).
    public func hostRange(_ address: UInt64, _ length: UInt64, _ need: PageFlags) -> UnsafeMutableRawPointer? {
        if length == 0 { return address <= limit ? base + Int(min(address, limit)) : nil }
        return check(address, length, need) ? base + Int(address) : nil
    }

    // MARK: Mappings

    static func hostProt(_ f: PageFlags) -> Int32 {
        // Host pages stay non-executable; a readable or executable guest page is host-readable
        // (fetch reads it), a writable one host-writable.
        var p: Int32 = PROT_NONE
        if f.contains(.read) || f.contains(.execute) { p |= PROT_READ }
        if f.contains(.write) { p |= PROT_READ | PROT_WRITE }
        return p
    }

    @inline(__always) static func pageRange(_ address: UInt64, _ length: UInt64) -> Range<UInt64> {
        let first = address >> pageShift
        let last = (address &+ length &+ pageSize &- 1) >> pageShift
        return first..<last
    }

    func valid(_ address: UInt64, _ length: UInt64) -> Bool {
        address % GuestMemory.pageSize == 0 && length > 0 && address < limit && length <= limit - address
    }

    private func setFlags(_ address: UInt64, _ length: UInt64, _ f: PageFlags) {
        var touchedCode = false
        let pages = GuestMemory.pageRange(address, length)
        for page in pages {
            if flags[Int(page)] & PageFlags.execute.rawValue != 0 { touchedCode = true }
            flags[Int(page)] = f.rawValue
        }
        // Pages that were not executable hold no translations: nothing to drop, so no change
        // to log (mapping new code is not a change of old code).
        if touchedCode { invalidateCode(pages: pages) }
    }

    /// `setFlags` per page keeping each page's `file` bit, as one change.
    private func reprotect(_ pages: Range<UInt64>, _ f: PageFlags) {
        var touchedCode = false
        for page in pages {
            let old = flags[Int(page)]
            if old & PageFlags.execute.rawValue != 0 { touchedCode = true }
            flags[Int(page)] = f.union(.mapped).rawValue | (old & PageFlags.file.rawValue)
        }
        if touchedCode { invalidateCode(pages: pages) }
    }

    /// Maps fresh zeroed pages at a page-aligned guest address, replacing what was there; `shared`
    /// pages stay shared with the children of a later host fork (MAP_SHARED | MAP_ANONYMOUS).
    @discardableResult
    public func mapAnonymous(_ address: UInt64, _ length: UInt64, _ f: PageFlags, shared: Bool = false) -> Bool {
        guard valid(address, length) else { return false }
        let len = Int((length + GuestMemory.pageSize - 1) & ~(GuestMemory.pageSize - 1))
        let sharing = shared ? MAP_SHARED : MAP_PRIVATE | MAP_NORESERVE
        let p = mmap(base + Int(address), len, GuestMemory.hostProt(f), sharing | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
        guard p != MAP_FAILED else { return false }
        setFlags(address, length, f.union(.mapped))
        return true
    }

    /// Maps a host file descriptor's pages (private copy-on-write, or shared) at a guest address.
    /// Returns the host errno on failure.
    public func mapFile(_ address: UInt64, _ length: UInt64, _ f: PageFlags, fd: Int32, offset: Int64, shared: Bool) -> Int32? {
        guard valid(address, length) else { return EINVAL }
        let len = Int((length + GuestMemory.pageSize - 1) & ~(GuestMemory.pageSize - 1))
        let p = mmap(base + Int(address), len, GuestMemory.hostProt(f), (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, fd, off_t(offset))
        guard p != MAP_FAILED else { return errno }
        setFlags(address, length, f.union([.mapped, .file]))
        return nil
    }

    /// Returns pages to the reserved, inaccessible state.
    @discardableResult
    public func unmap(_ address: UInt64, _ length: UInt64) -> Bool {
        guard valid(address, length) else { return false }
        let len = Int((length + GuestMemory.pageSize - 1) & ~(GuestMemory.pageSize - 1))
        let p = mmap(base + Int(address), len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0)
        guard p != MAP_FAILED else { return false }
        setFlags(address, length, [])
        return true
    }

    /// Changes the permissions of mapped pages; fails (ENOMEM in Linux terms) if any page is unmapped.
    @discardableResult
    public func protect(_ address: UInt64, _ length: UInt64, _ f: PageFlags) -> Bool {
        guard valid(address, length) else { return false }
        for page in GuestMemory.pageRange(address, length) where flags[Int(page)] & PageFlags.mapped.rawValue == 0 {
            return false
        }
        let len = Int((length + GuestMemory.pageSize - 1) & ~(GuestMemory.pageSize - 1))
        guard mprotect(base + Int(address), len, GuestMemory.hostProt(f)) == 0 else { return false }
        reprotect(GuestMemory.pageRange(address, length), f)
        return true
    }

    /// True if every page of the range is unmapped.
    public func isFree(_ address: UInt64, _ length: UInt64) -> Bool {
        guard address < limit, length <= limit - address else { return false }
        for page in GuestMemory.pageRange(address, length) where flags[Int(page)] != 0 { return false }
        return true
    }

    /// Finds the highest free page-aligned range of `length` bytes below `below`, at or above `floor`.
    public func findFree(_ length: UInt64, below: UInt64, floor: UInt64 = 0x10000) -> UInt64? {
        let pages = (length + GuestMemory.pageSize - 1) >> GuestMemory.pageShift
        guard pages > 0 else { return nil }
        var top = min(below, limit) >> GuestMemory.pageShift
        let bottom = floor >> GuestMemory.pageShift
        var run: UInt64 = 0
        while top > bottom {
            top -= 1
            if flags[Int(top)] == 0 {
                run += 1
                if run == pages { return top << GuestMemory.pageShift }
            } else {
                run = 0
            }
        }
        return nil
    }

    /// Maximal runs of pages with the same nonzero flags byte, in address order (what
    /// /proc/self/maps lists). Skips unmapped pages eight at a time.
    public func mappedRuns() -> [(pages: Range<UInt64>, flags: PageFlags)] {
        var runs: [(pages: Range<UInt64>, flags: PageFlags)] = []
        let count = pageCount
        var p: UInt64 = 0
        while p < count {
            if p & 7 == 0 && p + 8 <= count
                && UnsafeRawPointer(flags + Int(p)).load(as: UInt64.self) == 0 {
                p += 8
                continue
            }
            let f = flags[Int(p)]
            if f == 0 { p += 1; continue }
            let start = p
            while p < count && flags[Int(p)] == f { p += 1 }
            runs.append((start..<p, PageFlags(rawValue: f)))
        }
        return runs
    }

    /// Writes bytes regardless of guest permissions (the loader filling read-only segments,
    /// the kernel side of a syscall building a signal frame, a debugger planting a breakpoint).
    /// Host protections are respected by temporarily opening the pages. Bytes written to an
    /// executable page invalidate code, as no `fence.i` follows them.
    public func poke(_ address: UInt64, _ bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard check(address, UInt64(bytes.count), .mapped) else { return false }
        let range = GuestMemory.pageRange(address, UInt64(bytes.count))
        let start = base + Int(range.lowerBound << GuestMemory.pageShift)
        let len = Int((range.upperBound - range.lowerBound) << GuestMemory.pageShift)
        mprotect(start, len, PROT_READ | PROT_WRITE)
        let copied = Array(bytes).withUnsafeBytes { GuestFaultRecovery.copy(base + Int(address), $0.baseAddress!, $0.count) }
        var touchedCode = false
        for page in range {
            let f = PageFlags(rawValue: flags[Int(page)])
            if f.contains(.execute) { touchedCode = true }
            mprotect(base + Int(page << GuestMemory.pageShift), Int(GuestMemory.pageSize), GuestMemory.hostProt(f))
        }
        if touchedCode { invalidateCode(pages: range) }
        return copied
    }

    /// Forgets all decoded and translated code (fence.i, code written behind the guest's back).
    public func invalidateCode() { invalidateCode(pages: nil) }

    /// Forgets decoded and translated code in `[address, address+length)` (riscv_flush_icache,
    /// a debugger's write): engines that keep an index of their code by page drop only that.
    public func invalidateCode(_ address: UInt64, _ length: UInt64) {
        guard length > 0, address < limit else { return }
        invalidateCode(pages: GuestMemory.pageRange(address, min(length, limit - address)))
    }

    /// Logs the change (nil: everything) and moves `codeGeneration`, under one lock so that the
    /// log's generations are consecutive.
    private func invalidateCode(pages: Range<UInt64>?) {
        changes.withLock { log in
            let next = generation.load(ordering: .relaxed) &+ 1
            log.append(CodeChange(generation: next, pages: pages))
            generation.store(next, ordering: .releasing)
        }
    }

    /// The guest pages whose code changed after generation `since` up to and including `through`
    /// (read `codeGeneration` first, then ask), as page-number ranges; nil when everything
    /// changed or the log no longer reaches back that far: then drop everything.
    public func codeChanges(since: UInt64, through: UInt64) -> [Range<UInt64>]? {
        if since == through { return [] }
        return changes.withLock { $0.pages(since: since, through: through) }
    }

    // MARK: Debugger breakpoints (the gdb stub's; they belong on the instruction-fetch seam)

    /// Instruction bits that fetch returns at these pcs instead of memory's: software breakpoints
    /// (`ebreak`), which the guest's own loads, and the debugger's reads, never see.
    public private(set) var fetchPatches: [UInt64: UInt32] = [:]

    /// Sets (or with nil removes) the bits fetched at `address`; translations are dropped.
    public func patchFetch(_ address: UInt64, _ bits: UInt32?) {
        fetchPatches[address] = bits
        invalidateCode(address, 4)
    }
}
