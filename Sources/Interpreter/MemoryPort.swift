import Guest

/// The interpreter's view of guest memory: the raw pointers of a `GuestMemory`, held in a trivial
/// struct so the hot loop touches no class reference (no ARC, no exclusivity checks).
///
/// It applies the same rules as `GuestMemory.check`: every byte must lie below the limit, on a
/// page with the needed permission. Accesses here are at most 8 bytes, so they span at most
/// two pages.
@usableFromInline
struct MemoryPort {
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

    /// Reads without checking; callers check with `allows` first. Misaligned is fine on x86.
    // `PageFlags` values as plain constants: its static members are lazily initialised globals,
    // whose accessor would be called on every access.
    static let read: UInt8 = 1
    static let write: UInt8 = 2
    static let file: UInt8 = 16

    @inline(__always) func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) -> T {
        UnsafeRawPointer(base).loadUnaligned(fromByteOffset: Int(address), as: T.self)
    }

    @inline(__always) func store<T: FixedWidthInteger>(_ address: UInt64, _ value: T) {
        base.storeBytes(of: value, toByteOffset: Int(address), as: T.self)
    }
}
