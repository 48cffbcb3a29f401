/// Lookup tables derived from the ISA table once, at first use, so that decoding is an index and a
/// mask compare or two rather than a scan of the table.
///
/// They live in never-freed raw memory: the decoder runs on the JIT's and fuzzers' hot paths, and
/// Swift arrays there cost a retain/release and a bounds check per lookup. Every index into them is
/// masked to the table's size, so no guest word can read outside.
///
/// Every Trapeze process builds them before its first block, so building is kept to well under a
/// tenth of a millisecond: keys that differ only in bits no row of their major opcode tests share
/// one candidate list, and the 16-bit table is indexed by the few bits RVC rows test rather than
/// by every halfword.
enum DecodeIndex {
    /// What the 32-bit decoder needs of a row, without the row's strings.
    struct Entry {
        var mask: UInt32
        var match: UInt32
        var opcode: Opcode
        var format: Format
    }

    /// What the 16-bit decoder needs of an RVC row.
    struct CompressedEntry {
        var mask: UInt16
        var match: UInt16
        var base: Opcode
        var form: CompressedForm
        var requirement: CompressedRequirement
    }

    /// Bits that pick a bucket: major opcode bits 6:2, funct3 and funct7 (15 bits).
    @inline(__always) static func key(_ word: UInt32) -> Int {
        Int((word >> 2) & 0x1f) << 10 | Int((word >> 12) & 7) << 7 | Int(word >> 25)
    }

    /// Per key: start in `entries` (bits 31:8) and count (bits 7:0).
    nonisolated(unsafe) static let buckets: UnsafePointer<UInt32> = tables.buckets
    /// Candidate rows, bucket after bucket, most specific mask first.
    nonisolated(unsafe) static let entries: UnsafePointer<Entry> = tables.entries

    private nonisolated(unsafe) static let tables = buildTables()

    /// Bits of a halfword that pick its RVC bucket: 15:10, 6:5 and the quadrant (10 bits), every
    /// bit an RVC row's mask tests apart from the register fields of c.addi16sp, c.jr, c.jalr
    /// and c.ebreak, which the candidate compare checks.
    @inline(__always) static func compressedKey(_ half: UInt16) -> Int {
        Int(half >> 10) << 4 | Int((half >> 5) & 3) << 2 | Int(half & 3)
    }

    /// Per compressed key: start in `compressedEntries` (bits 15:4) and count (bits 3:0).
    nonisolated(unsafe) static let compressedBuckets: UnsafePointer<UInt16> = compressedTables.buckets
    /// Candidate RVC rows, bucket after bucket, in `ISA.compressed` order (its priority order).
    nonisolated(unsafe) static let compressedEntries: UnsafePointer<CompressedEntry> = compressedTables.entries

    private nonisolated(unsafe) static let compressedTables = buildCompressed()

    /// The `ISA.compressed` row a 16-bit encoding decodes by, or nil for reserved encodings (and
    /// for 32-bit ones: their quadrant bits are 11, which no row matches).
    @inline(__always) static func compressedEntry(_ half: UInt16) -> CompressedEntry? {
        let bucket = compressedBuckets[compressedKey(half)]
        var position = Int(bucket >> 4)
        let end = position + Int(bucket & 0xf)
        while position < end {
            let entry = compressedEntries[position]
            if half & entry.mask == entry.match,
               CompressedFields(half).satisfies(entry.requirement, form: entry.form) {
                return entry
            }
            position += 1
        }
        return nil
    }

    private static func buildTables() -> (buckets: UnsafePointer<UInt32>, entries: UnsafePointer<Entry>) {
        // Rows by major opcode, most specific mask first; rows of equal weight keep table order.
        var byMajor = [[(entry: Entry, index: Int)]](repeating: [], count: 32)
        for (index, spec) in ISA.all.enumerated() {
            byMajor[Int((spec.match >> 2) & 0x1f)].append(
                (Entry(mask: spec.mask, match: spec.match, opcode: spec.opcode, format: spec.format), index))
        }
        let buckets = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << 15)
        var entries: [Entry] = []
        entries.reserveCapacity(4096)
        let keyBits: UInt32 = 0xfe00_707c
        for major in 0..<32 {
            let rows = byMajor[major].sorted {
                let a = $0.entry.mask.nonzeroBitCount, b = $1.entry.mask.nonzeroBitCount
                return a != b ? a > b : $0.index < $1.index
            }.map(\.entry)
            // The funct3/funct7 bits (low 10 bits of the key) that some row of this major tests.
            var tested: UInt32 = 0
            for row in rows { tested |= row.mask }
            let testedKey = key(tested & keyBits) & 0x3ff
            for low in 0..<(1 << 10) {
                let k = major << 10 | low
                let canonical = low & testedKey
                if canonical != low {
                    // Same candidates as the key without the untested bits, built earlier.
                    buckets[k] = buckets[major << 10 | canonical]
                    continue
                }
                let word = UInt32(major) << 2 | UInt32((low >> 7) & 7) << 12 | UInt32(low & 0x7f) << 25 | 3
                let start = entries.count
                for row in rows where (row.match ^ word) & row.mask & keyBits == 0 { entries.append(row) }
                precondition(entries.count - start < 256, "decode bucket overflow")
                buckets[k] = UInt32(start) << 8 | UInt32(entries.count - start)
            }
        }
        let flat = UnsafeMutablePointer<Entry>.allocate(capacity: max(entries.count, 1))
        flat.initialize(from: entries, count: entries.count)
        return (UnsafePointer(buckets), UnsafePointer(flat))
    }

    private static func buildCompressed() -> (buckets: UnsafePointer<UInt16>, entries: UnsafePointer<CompressedEntry>) {
        let keyBits: UInt16 = 0xfc63
        let buckets = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << 10)
        var entries: [CompressedEntry] = []
        for k in 0..<(1 << 10) {
            // The halfword with this key's bits and zeros elsewhere.
            let half = UInt16(k >> 4) << 10 | UInt16((k >> 2) & 3) << 5 | UInt16(k & 3)
            let start = entries.count
            for spec in ISA.compressed where (spec.match ^ half) & spec.mask & keyBits == 0 {
                entries.append(CompressedEntry(mask: spec.mask, match: spec.match, base: spec.base, form: spec.form,
                                               requirement: spec.requirement))
            }
            precondition(entries.count - start < 16 && start < 1 << 12, "compressed decode bucket overflow")
            buckets[k] = UInt16(start) << 4 | UInt16(entries.count - start)
        }
        let flat = UnsafeMutablePointer<CompressedEntry>.allocate(capacity: max(entries.count, 1))
        flat.initialize(from: entries, count: entries.count)
        return (UnsafePointer(buckets), UnsafePointer(flat))
    }
}
