#if canImport(Glibc)
import Glibc
#endif
import Guest

/// A copy of every writable guest page, to find stores an engine made outside the addresses the
/// interpreter wrote (a wrong effective address). Taken only every so many blocks: it costs a
/// scan of the page table and a copy of the writable pages.
final class WritableImage {
    private var pages: [UInt64] = []
    private let copy: UnsafeMutableRawPointer
    private static let pageBytes = Int(GuestMemory.pageSize)

    init(_ memory: GuestMemory) {
        let count = Int(memory.pageCount)
        let table = UnsafeRawPointer(memory.flags)
        var index = 0
        while index < count {
            // Most of the table is zero (unmapped): skip it 64 entries at a time.
            if index & 63 == 0, index + 64 <= count {
                var any: UInt64 = 0
                for w in 0..<8 { any |= table.loadUnaligned(fromByteOffset: index + w * 8, as: UInt64.self) }
                if any == 0 {
                    index += 64
                    continue
                }
            }
            if memory.flags[index] & PageFlags.write.rawValue != 0 { pages.append(UInt64(index)) }
            index += 1
        }
        copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, pages.count * WritableImage.pageBytes), alignment: 64)
        for (i, page) in pages.enumerated() {
            // A page that cannot be read from the host (a file page past EOF) is kept as zeros.
            let slot = UnsafeMutableRawBufferPointer(start: copy + i * WritableImage.pageBytes, count: WritableImage.pageBytes)
            do { try memory.copyOut(page << GuestMemory.pageShift, to: slot, need: .mapped) } catch { slot.initializeMemory(as: UInt8.self, repeating: 0) }
        }
    }

    deinit { copy.deallocate() }

    /// The first guest address whose byte differs from the copy (pages unmapped since are skipped).
    func firstDifference(_ memory: GuestMemory) -> (address: UInt64, expected: UInt8, actual: UInt8)? {
        for (i, page) in pages.enumerated() where memory.flags[Int(page)] & PageFlags.write.rawValue != 0 {
            let base = page << GuestMemory.pageShift
            let saved = copy + i * WritableImage.pageBytes
            let now = UnsafeMutableRawPointer.allocate(byteCount: WritableImage.pageBytes, alignment: 64)
            defer { now.deallocate() }
            do {
                try memory.copyOut(base, to: UnsafeMutableRawBufferPointer(start: now, count: WritableImage.pageBytes), need: .mapped)
            } catch { continue }
            if memcmp(saved, now, WritableImage.pageBytes) == 0 { continue }
            for j in 0..<WritableImage.pageBytes {
                let e = saved.load(fromByteOffset: j, as: UInt8.self), a = now.load(fromByteOffset: j, as: UInt8.self)
                if e != a { return (base + UInt64(j), e, a) }
            }
        }
        return nil
    }
}
