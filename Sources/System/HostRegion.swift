#if canImport(Glibc)
import Glibc
#endif
import Guest

/// A range of physical memory backed by anonymous host memory: the machine's RAM and its boot
/// ROM. Reserved with `MAP_NORESERVE`, so a large `--memory` costs only the pages the guest
/// touches. All raw-pointer work on the region stays in this type.
public final class HostRegion {
    public let base: UInt64
    public let size: UInt64
    public let pointer: UnsafeMutableRawPointer
    /// The mapping `pointer` lies in (aligned up from it for huge pages), and its length.
    private let mapping: UnsafeMutableRawPointer
    private let mappedLength: Int
    /// The pages written through this type (loading, HTIF, device DMA), for `fence.i`: the
    /// hart's own stores go through `pointer` and are tracked by the engines themselves.
    public let writes = RAMWriteLog()

    /// Host huge pages (2 MiB) for a region at least this large: the machine's RAM.
    static let hugePage = 2 << 20

    /// Nil when the host cannot reserve `size` bytes. A region of whole huge pages starts on a
    /// huge-page boundary and asks for transparent huge pages (`MADV_HUGEPAGE`; the host's
    /// default is often `madvise` only): a guest kernel scatters a process's pages over RAM, so
    /// with 4 KiB host pages every guest page was a host TLB entry of its own, and the inline
    /// TLB's tables and translated code competed with them. `TRAPEZE_HUGE_PAGES=0` turns it off.
    init?(base: UInt64, size: UInt64) {
        guard size > 0, let length = Int(exactly: size) else { return nil }
        let huge = HostRegion.hugePages && length % HostRegion.hugePage == 0
        let mapped = huge ? length + HostRegion.hugePage : length
        let p = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { return nil }
        self.base = base
        self.size = size
        mapping = p
        mappedLength = mapped
        if huge {
            let address = UInt(bitPattern: p)
            let aligned = (address + UInt(HostRegion.hugePage - 1)) & ~UInt(HostRegion.hugePage - 1)
            pointer = p + Int(aligned - address)
            _ = madvise(pointer, length, 14) // MADV_HUGEPAGE
        } else {
            pointer = p
        }
    }

    static let hugePages = environmentFlag("TRAPEZE_HUGE_PAGES", default: true)

    deinit { munmap(mapping, mappedLength) }

    /// Whether `[address, address + length)` lies inside the region (never true when it wraps).
    func contains(_ address: UInt64, _ length: UInt64) -> Bool {
        address >= base && address - base <= size && length <= size - (address - base)
    }

    /// The host address of physical `address`, which must be inside the region.
    func host(_ address: UInt64) -> UnsafeMutableRawPointer { pointer + Int(address - base) }

    /// The host address of `[address, address + length)` for a device that may write there
    /// (DMA): the pages are logged as written. Nil unless the range is inside the region.
    func dma(_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer? {
        guard contains(address, length) else { return nil }
        writes.note(address, length)
        return host(address)
    }

    /// Copies `bytes` to physical `address`; the caller has checked the range.
    func store(_ bytes: [UInt8], at address: UInt64) {
        writes.note(address, UInt64(bytes.count))
        bytes.withUnsafeBytes { host(address).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Copies `bytes` to physical `address`; the caller has checked the range.
    func store(_ bytes: UnsafeRawBufferPointer, at address: UInt64) {
        writes.note(address, UInt64(bytes.count))
        if let from = bytes.baseAddress { host(address).copyMemory(from: from, byteCount: bytes.count) }
    }

    /// Zeroes `[address, address + length)`; the caller has checked the range.
    func zero(_ address: UInt64, _ length: UInt64) {
        writes.note(address, length)
        host(address).initializeMemory(as: UInt8.self, repeating: 0, count: Int(length))
    }

    /// The bytes at `[address, address + length)`; the caller has checked the range.
    func bytes(_ address: UInt64, _ length: UInt64) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: host(address), count: Int(length)))
    }

    /// A little-endian load of `width` bytes (1, 2, 4 or 8), at any alignment.
    func load(_ address: UInt64, width: Int) -> UInt64 {
        let p = host(address)
        switch width {
        case 1: return UInt64(p.load(as: UInt8.self))
        case 2: return UInt64(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
        case 4: return UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
        default: return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        }
    }

    /// A little-endian store of the low `width` bytes of `value`, at any alignment.
    func storeValue(_ value: UInt64, at address: UInt64, width: Int) {
        writes.note(address, UInt64(width))
        let p = host(address)
        switch width {
        case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, as: UInt16.self)
        case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, as: UInt32.self)
        default: p.storeBytes(of: value.littleEndian, as: UInt64.self)
        }
    }
}
