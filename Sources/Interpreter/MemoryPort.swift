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

    /// True when all `size` bytes at `address` are on pages with every flag in `need`.
    @inline(__always) func allows(_ address: UInt64, _ size: UInt64, _ need: UInt8) -> Bool {
        let first = address >> GuestMemory.pageShift
        let last = (address &+ (size &- 1)) >> GuestMemory.pageShift
        // `last < first` when the access wraps past the top of the address space.
        guard first <= last, last < pageCount else { return false }
        let (a, b) = (flags[Int(first)], flags[Int(last)])
        guard a & b & need == need else { return false }
        // A file page may have no backing (past the file's end): the probe turns the host's
        // SIGBUS into a refusal, which the environment reports as the guest's SIGBUS.
        return (a | b) & MemoryPort.file == 0 || probe(address, size)
    }

    @inline(never) func probe(_ address: UInt64, _ size: UInt64) -> Bool {
        var scratch: UInt64 = 0
        return GuestFaultRecovery.copy(&scratch, base + Int(address), Int(size))
    }

    // `PageFlags` values as plain constants: its static members are lazily initialised globals,
    // whose accessor would be called on every access.
    static let read: UInt8 = 1
    static let write: UInt8 = 2
    static let file: UInt8 = 16

    // Misaligned accesses are fine on x86.
    @usableFromInline @inline(__always)
    func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) throws(DataFault) -> T {
        guard allows(address, UInt64(MemoryLayout<T>.size), MemoryPort.read) else {
            throw DataFault(.loadAccessFault, tval: address)
        }
        return UnsafeRawPointer(base).loadUnaligned(fromByteOffset: Int(address), as: T.self)
    }

    @usableFromInline @inline(__always)
    func store<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(DataFault) {
        guard allows(address, UInt64(MemoryLayout<T>.size), MemoryPort.write) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        base.storeBytes(of: value, toByteOffset: Int(address), as: T.self)
    }

    @usableFromInline @inline(__always)
    func modify<T: FixedWidthInteger>(_ address: UInt64, as: T.Type,
                                         _ update: (T) -> T) throws(DataFault) -> T {
        guard allows(address, UInt64(MemoryLayout<T>.size), MemoryPort.read | MemoryPort.write) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        // Atomic on the host: other guest threads may share this memory.
        return HostAtomic.modify(base + Int(address), as: T.self, update)
    }
}
