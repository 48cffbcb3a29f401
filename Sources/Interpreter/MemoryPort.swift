import Guest

/// User mode's data memory for the interpreter: the raw pointers of a `GuestMemory`, held in a
/// trivial struct so the hot loop touches no class reference (no ARC, no exclusivity checks).
///
/// It applies the same rules as `GuestMemory.check`: every byte must lie below the limit, on a
/// page with the needed permission; anything else is an access fault at the access's address.
/// Accesses here are at most 8 bytes, so they span at most two pages.
@usableFromInline
struct MemoryPort: DataMemory {
    let base: UnsafeMutableRawPointer
    let flags: UnsafeMutablePointer<UInt8>
    let pageCount: UInt64

    init(_ memory: GuestMemory) {
        base = memory.base
        flags = memory.flags
        pageCount = memory.pageCount
    }

    /// Nil unless all `size` bytes at `address` are on pages with every flag in `need`; then
    /// whether a file page is among them. A file page may have no backing (past the file's end,
    /// or a file another thread truncates at any moment), so an access to one is made through
    /// the fault-recovering copy itself: the host's SIGBUS there is a refusal, which the
    /// environment reports as the guest's SIGBUS, never a fault in Trapeze.
    @inline(__always) func access(_ address: UInt64, _ size: UInt64, _ need: UInt8) -> Bool? {
        let first = address >> GuestMemory.pageShift
        let last = (address &+ (size &- 1)) >> GuestMemory.pageShift
        // `last < first` when the access wraps past the top of the address space.
        guard first <= last, last < pageCount else { return nil }
        let (a, b) = (flags[Int(first)], flags[Int(last)])
        guard a & b & need == need else { return nil }
        return (a | b) & MemoryPort.file != 0
    }

    // `PageFlags` values as plain constants: its static members are lazily initialised globals,
    // whose accessor would be called on every access.
    static let read: UInt8 = 1
    static let write: UInt8 = 2
    static let file: UInt8 = 16

    // Misaligned accesses are fine on x86.
    @usableFromInline @inline(__always)
    func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) throws(DataFault) -> T {
        guard let file = access(address, UInt64(MemoryLayout<T>.size), MemoryPort.read) else {
            throw DataFault(.loadAccessFault, tval: address)
        }
        if file { return try fileLoad(address, as: T.self) }
        return UnsafeRawPointer(base).loadUnaligned(fromByteOffset: Int(address), as: T.self)
    }

    @usableFromInline @inline(__always)
    func store<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(DataFault) {
        guard let file = access(address, UInt64(MemoryLayout<T>.size), MemoryPort.write) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        if file { return try fileStore(address, value) }
        base.storeBytes(of: value, toByteOffset: Int(address), as: T.self)
    }

    @usableFromInline @inline(__always)
    func modify<T: FixedWidthInteger>(_ address: UInt64, as: T.Type,
                                         _ update: (T) -> T) throws(DataFault) -> T {
        guard let file = access(address, UInt64(MemoryLayout<T>.size), MemoryPort.read | MemoryPort.write) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        if file { return try fileModify(address, as: T.self, update) }
        // Atomic on the host: other guest threads may share this memory.
        return HostAtomic.modify(base + Int(address), as: T.self, update)
    }

    @usableFromInline func compareExchange128(_ address: UInt64, expected: (UInt64, UInt64),
                            desired: (UInt64, UInt64)) throws(DataFault) -> (UInt64, UInt64) {
        guard let file = access(address, 16, MemoryPort.read | MemoryPort.write) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        if !file { return HostAtomic.compareExchange128(base + Int(address), expected: expected, desired: desired) }
        // A file page: through the fault-recovering copy (not atomic against other threads).
        var old: (UInt64, UInt64) = (0, 0)
        guard GuestFaultRecovery.copy(&old, base + Int(address), 16) else { throw DataFault(.storeAccessFault, tval: address) }
        var new = old == expected ? desired : old
        guard GuestFaultRecovery.copy(base + Int(address), &new, 16) else { throw DataFault(.storeAccessFault, tval: address) }
        return old
    }

    @inline(never) func fileLoad<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) throws(DataFault) -> T {
        var value = T.zero
        guard GuestFaultRecovery.copy(&value, base + Int(address), MemoryLayout<T>.size) else {
            throw DataFault(.loadAccessFault, tval: address)
        }
        return value
    }

    @inline(never) func fileStore<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(DataFault) {
        var v = value
        guard GuestFaultRecovery.copy(base + Int(address), &v, MemoryLayout<T>.size) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
    }

    /// An AMO or sc on a file page: the same compare-and-exchange loop as HostAtomic's, each
    /// step fault-recovering (AMOs are 4 or 8 bytes, aligned).
    @inline(never) func fileModify<T: FixedWidthInteger>(_ address: UInt64, as: T.Type,
                                                         _ update: (T) -> T) throws(DataFault) -> T {
        let size = MemoryLayout<T>.size
        let p = base + Int(address)
        var old: UInt64 = 0
        guard size == 4 || size == 8, GuestFaultRecovery.copy(&old, p, size) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        while true {
            let updated = update(T(truncatingIfNeeded: old))
            let new = size == 4 ? UInt64(UInt32(truncatingIfNeeded: updated)) : UInt64(truncatingIfNeeded: updated)
            var seen = old
            switch GuestFaultRecovery.compareExchange(p, size: size, expected: &seen, desired: new) {
            case 1: return T(truncatingIfNeeded: old)
            case 0: old = seen
            default: throw DataFault(.storeAccessFault, tval: address)
            }
        }
    }
}
