import Guest

/// A copy of every writable guest page, to find stores an engine made outside the addresses the
/// interpreter wrote (a wrong effective address). Taken only every so many blocks: it costs a
/// scan of the page table and a copy of the writable pages.
struct WritableImage {
    private var pages: [(page: UInt64, bytes: [UInt8])] = []

    init(_ memory: GuestMemory) {
        let count = Int(memory.pageCount)
        let words = UnsafeRawPointer(memory.flags)
        var index = 0
        // Skip unmapped pages eight at a time: most of the table is zero.
        while index < count {
            if index & 7 == 0, index + 8 <= count, words.loadUnaligned(fromByteOffset: index, as: UInt64.self) == 0 {
                index += 8
                continue
            }
            if memory.flags[index] & PageFlags.write.rawValue != 0 {
                let address = UInt64(index) << GuestMemory.pageShift
                pages.append((UInt64(index), Array(UnsafeRawBufferPointer(start: memory.host(address), count: Int(GuestMemory.pageSize)))))
            }
            index += 1
        }
    }

    /// The first guest address whose byte differs from the copy (pages unmapped since are skipped).
    func firstDifference(_ memory: GuestMemory) -> (address: UInt64, expected: UInt8, actual: UInt8)? {
        for (page, bytes) in pages where memory.flags[Int(page)] & PageFlags.write.rawValue != 0 {
            let base = page << GuestMemory.pageShift
            let now = UnsafeRawBufferPointer(start: memory.host(base), count: Int(GuestMemory.pageSize))
            if now.elementsEqual(bytes) { continue }
            for i in 0..<bytes.count where now[i] != bytes[i] { return (base + UInt64(i), bytes[i], now[i]) }
        }
        return nil
    }
}
