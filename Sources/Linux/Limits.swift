#if canImport(Glibc)
import Glibc
#endif
import Guest

/// The bounds a user puts on a guest (`--memory-limit`, `--max-processes`): plain values, so they
/// can travel in `LinuxOptions`.
public struct GuestLimits: Sendable, Equatable {
    /// Most bytes of guest mappings (program, stack, brk, mmap) at once, like `ulimit -v`;
    /// mmap, mremap and brk beyond it fail with ENOMEM.
    public var memoryBytes: UInt64?
    /// Most guest processes alive at once in this Trapeze process tree, the first included;
    /// fork beyond it fails with EAGAIN, as RLIMIT_NPROC makes it fail on Linux.
    public var processes: Int?

    public init(memoryBytes: UInt64? = nil, processes: Int? = nil) {
        self.memoryBytes = memoryBytes
        self.processes = processes
    }

    /// Parses a size such as `64M`: bytes, or a K/M/G/T suffix (powers of 1024, case-insensitive,
    /// optionally followed by `B` or `iB`). Nil for anything else, or for sizes that overflow.
    public static func parseSize(_ text: String) -> UInt64? {
        // Byte by byte over the UTF-8: String's suffix and Character operations load its
        // grapheme and case machinery, which every `trapeze run` paid for (`--jit-cache-size`
        // has a default) in page faults. Only ASCII can be valid, so other bytes fail below.
        var bytes = Array(text.utf8)
        func upper(_ b: UInt8) -> UInt8 { b >= 0x61 && b <= 0x7a ? b - 0x20 : b }
        let binary = bytes.count >= 2 && upper(bytes[bytes.count - 2]) == UInt8(ascii: "I") && upper(bytes[bytes.count - 1]) == UInt8(ascii: "B")
        if binary { bytes.removeLast(2) } else if let last = bytes.last, upper(last) == UInt8(ascii: "B") { bytes.removeLast() }
        var shift: UInt64 = 0
        switch bytes.last.map(upper) {
        case UInt8(ascii: "K"): shift = 10
        case UInt8(ascii: "M"): shift = 20
        case UInt8(ascii: "G"): shift = 30
        case UInt8(ascii: "T"): shift = 40
        default: if binary { return nil }
        }
        if shift != 0 { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        var n: UInt64 = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            n = sum
        }
        let (v, overflow) = n.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : v
    }
}

/// One guest process's bookkeeping for its `GuestLimits`. Memory is counted in mapped guest
/// pages (exact across MAP_FIXED replacement and partial unmaps, because each change counts the
/// pages it actually turns on or off); processes are slots in a table shared by the whole
/// process tree across fork and execve (ProcessSlots.swift).
public final class LimitAccounting {
    public let limits: GuestLimits
    let memory: GuestMemory
    /// Mapped guest pages, established by a scan on first use (the loader and the stack came first).
    private var mappedPages: UInt64?
    /// The tree's process slots, when `--max-processes` is set.
    let slots: ProcessSlots?

    public init(_ limits: GuestLimits, memory: GuestMemory) {
        self.limits = limits
        self.memory = memory
        slots = limits.processes.flatMap { ProcessSlots(capacity: $0) }
    }

    // MARK: Memory

    /// Bytes of guest memory mapped now.
    public var mappedBytes: UInt64 { pagesInUse() << GuestMemory.pageShift }

    /// May `[address, address+length)` be mapped? Only pages not mapped yet count. On yes the
    /// caller maps the range and then calls `didMap` with the number returned.
    func admit(_ address: UInt64, _ length: UInt64) -> UInt64? {
        guard let limit = limits.memoryBytes else { return 0 }
        let fresh = count(address, length, mapped: false)
        let after = (pagesInUse() &+ fresh) << GuestMemory.pageShift
        return after <= limit ? fresh : nil
    }

    func didMap(_ pages: UInt64) {
        if limits.memoryBytes != nil { mappedPages = pagesInUse() &+ pages }
    }

    /// Call before unmapping `[address, address+length)`.
    func willUnmap(_ address: UInt64, _ length: UInt64) {
        guard limits.memoryBytes != nil else { return }
        let gone = count(address, length, mapped: true)
        let now = pagesInUse()
        mappedPages = now >= gone ? now - gone : 0
    }

    private func pagesInUse() -> UInt64 {
        if let mappedPages { return mappedPages }
        let n = count(0, memory.limit, mapped: true)
        mappedPages = n
        return n
    }

    /// Counts the mapped (or unmapped) pages of a range, eight flag bytes at a time where it can.
    private func count(_ address: UInt64, _ length: UInt64, mapped: Bool) -> UInt64 {
        guard length > 0, address < memory.limit else { return 0 }
        let first = address >> GuestMemory.pageShift
        let end = min(memory.pageCount, (min(address &+ length, memory.limit) &+ GuestMemory.pageSize &- 1) >> GuestMemory.pageShift)
        var page = first, inUse: UInt64 = 0
        let raw = UnsafeRawPointer(memory.flags)
        while page < end {
            if page & 7 == 0 && page &+ 8 <= end && raw.load(fromByteOffset: Int(page), as: UInt64.self) == 0 {
                page &+= 8
                continue
            }
            if memory.flags[Int(page)] != 0 { inUse &+= 1 }
            page &+= 1
        }
        return mapped ? inUse : (end - first) - inUse
    }

    // MARK: Processes

    /// Takes a slot for a child about to be forked: nil when the limit is reached, 0 when there
    /// is no limit, else the descriptor that holds the slot.
    func reserveChild() -> Int32? {
        guard let slots else { return 0 }
        return slots.takeSlot()
    }

    /// In the parent after fork (or after a failed fork): its copy of the child's slot goes.
    func forked(_ slot: Int32) {
        slots?.release(slot)
    }

    /// In the child after fork: it now owns the slot its parent reserved.
    func becameChild(_ slot: Int32) {
        slots?.adopt(slot)
    }

    /// True for Trapeze's own descriptors for the limits, which the guest cannot name.
    @inline(__always) func owns(_ fd: Int32) -> Bool { slots?.owns(fd) ?? false }

    /// The environment entry that hands this process's slot to a re-executed Trapeze.
    var handOff: String? { slots?.handOff }

    /// The guest process ended (exit, or death by a signal): its slot is free for another fork.
    public func processEnded() {
        slots?.leave()
    }
}
