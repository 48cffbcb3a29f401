#if canImport(Glibc)
import Glibc
#endif

/// Named guest-memory operations for Trapeze's own code (loader, syscalls, signal frames, tools):
/// each checks the guest range and copies through `GuestFaultRecovery`, so a host fault on a
/// guest page (SIGBUS past the end of a mapped file) is a `MemoryFault`, never a crash.
extension GuestMemory {
    /// Copies guest bytes at `address` into host memory, needing `need` on every page.
    public func copyOut(_ address: UInt64, to destination: UnsafeMutableRawBufferPointer, need: PageFlags = .read) throws(MemoryFault) {
        guard let start = destination.baseAddress, destination.count > 0 else { return }
        guard check(address, UInt64(destination.count), need) else { throw MemoryFault(address: address, access: .read) }
        guard GuestFaultRecovery.copy(start, base + Int(address), destination.count) else {
            throw MemoryFault(address: faultAddress(address), access: .read)
        }
    }

    /// Copies host bytes to guest `address`, needing `need` on every page (`.mapped`: any mapped
    /// page whose host protection allows the write, for the loader's own fills).
    public func copyIn(_ address: UInt64, from source: UnsafeRawBufferPointer, need: PageFlags = .write) throws(MemoryFault) {
        guard let start = source.baseAddress, source.count > 0 else { return }
        guard check(address, UInt64(source.count), need) else { throw MemoryFault(address: address, access: .write) }
        guard GuestFaultRecovery.copy(base + Int(address), start, source.count) else {
            throw MemoryFault(address: faultAddress(address), access: .write)
        }
    }

    /// Sets `count` guest bytes at `address` to `byte`.
    public func fill(_ address: UInt64, _ byte: UInt8, count: UInt64, need: PageFlags = .write) throws(MemoryFault) {
        guard count > 0 else { return }
        guard check(address, count, need) else { throw MemoryFault(address: address, access: .write) }
        guard GuestFaultRecovery.fill(base + Int(address), byte, Int(count)) else {
            throw MemoryFault(address: faultAddress(address), access: .write)
        }
    }

    /// Copies `count` bytes between guest ranges (which may overlap), reading `source` with
    /// `.mapped` and writing `destination` with `.mapped`: for the kernel side (mremap's move).
    public func move(from source: UInt64, to destination: UInt64, count: UInt64) throws(MemoryFault) {
        guard count > 0 else { return }
        guard check(source, count, .mapped) else { throw MemoryFault(address: source, access: .read) }
        guard check(destination, count, .mapped) else { throw MemoryFault(address: destination, access: .write) }
        guard GuestFaultRecovery.copy(base + Int(destination), base + Int(source), Int(count)) else {
            throw MemoryFault(address: faultAddress(source), access: .read)
        }
    }

    /// Asks the host to allocate the whole pages of a range in one call before a large copy fills
    /// it, instead of one page fault per page (MADV_POPULATE_WRITE, Linux 5.14; only a hint).
    public func prefault(_ address: UInt64, _ length: UInt64) {
        guard length > 0, check(address, length, .write) else { return }
        let first = (address &+ GuestMemory.pageSize &- 1) & ~(GuestMemory.pageSize - 1)
        let end = (address &+ length) & ~(GuestMemory.pageSize - 1)
        guard end > first else { return }
        _ = madvise(base + Int(first), Int(end - first), 23)
    }

    /// The guest address a failed copy stopped at (the host fault's), or where it began.
    private func faultAddress(_ start: UInt64) -> UInt64 {
        let host = GuestFaultRecovery.lastFaultAddress
        let low = UInt(bitPattern: base)
        return host >= low && UInt64(host - low) < limit ? UInt64(host - low) : start
    }
}
