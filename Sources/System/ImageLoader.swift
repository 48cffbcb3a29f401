import ELF

/// Places images in RAM: ELF files at their segments' physical addresses, raw images at fixed
/// ones, each checked to fit RAM and to overlap nothing loaded before it.
final class ImageLoader {
    let ram: HostRegion
    /// What is in RAM so far, by name, in load order.
    private(set) var loaded: [(name: String, range: Range<UInt64>)] = []

    init(ram: HostRegion) { self.ram = ram }

    /// The highest address anything loaded reaches (RAM's start when nothing is).
    var end: UInt64 { loaded.map(\.range.upperBound).max() ?? ram.base }

    /// Reserves `[address, address + size)` for `name`, or says why it cannot go there.
    func claim(_ name: String, _ address: UInt64, _ size: UInt64) throws(SystemError) -> Range<UInt64> {
        let hex = { (v: UInt64) in "0x" + String(v, radix: 16) }
        guard size > 0, ram.contains(address, size) else {
            throw SystemError("\(name) at \(hex(address)) (\(size) bytes) does not fit RAM \(hex(ram.base))-\(hex(ram.base + ram.size)) (see --memory)",
                              status: SystemError.unloadable)
        }
        let range = address..<address + size
        if let other = loaded.first(where: { $0.range.overlaps(range) }) {
            throw SystemError("\(name) at \(hex(range.lowerBound))-\(hex(range.upperBound)) overlaps \(other.name) at \(hex(other.range.lowerBound))-\(hex(other.range.upperBound))",
                              status: SystemError.unloadable)
        }
        loaded.append((name, range))
        return range
    }

    /// Copies `bytes` to `address` (reserving `size` bytes there, at least the bytes' count).
    func place(_ name: String, _ bytes: ArraySlice<UInt8>, at address: UInt64, size: UInt64? = nil) throws(SystemError) {
        let copy = Array(bytes)
        let failure: SystemError? = copy.withUnsafeBytes { raw in
            do throws(SystemError) { try place(name, raw, at: address, size: size) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Copies `bytes` to `address` (reserving `size` bytes there, at least the bytes' count).
    func place(_ name: String, _ bytes: UnsafeRawBufferPointer, at address: UInt64, size: UInt64? = nil) throws(SystemError) {
        let range = try claim(name, address, max(size ?? 0, UInt64(bytes.count)))
        ram.store(bytes, at: address)
        ram.zero(address + UInt64(bytes.count), UInt64(range.count) - UInt64(bytes.count))
    }

    /// Loads every PT_LOAD segment at its physical address; returns the entry point, made
    /// physical through the segment that holds it (a kernel ELF links at virtual addresses).
    func load(_ elf: ELFFile, name: String) throws(SystemError) -> UInt64 {
        for h in elf.loadSegments where h.memorySize > 0 {
            let start = Int(h.offset), end = start + Int(h.fileSize)  // ELFFile checked both lie in the file
            // One memcpy from the file's bytes (a copy through a slice of the collection went a
            // byte at a time: 2 ms of a 16 ms `trapeze system` start with a 500 KB image).
            let failure: SystemError? = elf.bytes.withUnsafeBytes { raw in
                do throws(SystemError) {
                    try place("\(name) segment", UnsafeRawBufferPointer(rebasing: raw[start..<end]), at: h.physicalAddress, size: h.memorySize)
                } catch { return error }
                return nil
            }
            if let failure { throw failure }
        }
        return physical(elf.entry, in: elf)
    }

    /// The physical address of virtual `address` by the ELF's own segment mapping.
    func physical(_ address: UInt64, in elf: ELFFile) -> UInt64 {
        guard let h = elf.loadSegments.first(where: { address >= $0.vaddr && address - $0.vaddr < $0.memorySize }) else { return address }
        return h.physicalAddress &+ (address - h.vaddr)
    }
}

/// What a RISC-V Linux kernel `Image` header says (Documentation/arch/riscv/boot-image-header).
struct LinuxImageHeader {
    /// Bytes the kernel occupies once running (its .bss included).
    var imageSize: UInt64

    static let magicOffset = 0x30, magic2Offset = 0x38, imageSizeOffset = 0x10
    static let magic2: [UInt8] = [0x52, 0x53, 0x43, 0x05]  // "RSC\x05"
    static let magic: [UInt8] = Array("RISCV".utf8) + [0, 0, 0]

    /// Nil unless `bytes` start with an Image header.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 0x40,
              Array(bytes[Self.magic2Offset..<Self.magic2Offset + 4]) == Self.magic2
                || Array(bytes[Self.magicOffset..<Self.magicOffset + 8]) == Self.magic else { return nil }
        imageSize = (0..<8).reduce(0) { $0 | UInt64(bytes[Self.imageSizeOffset + $1]) << (8 * $1) }
    }
}

/// Whether `bytes` are an ELF file (they may still be a broken one).
func isELF(_ bytes: [UInt8]) -> Bool { bytes.count >= 4 && bytes[0..<4].elementsEqual([0x7f, 0x45, 0x4c, 0x46]) }
