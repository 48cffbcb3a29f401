/// Lookup tables derived from the ISA table once, at first use, so that decoding is an index and a
/// mask compare or two rather than a scan of the table.
///
/// They live in never-freed raw memory: the decoder runs on the JIT's and fuzzers' hot paths, and
/// Swift arrays there cost a retain/release and a bounds check per lookup. Every index into them is
/// masked to the table's size, so no guest word can read outside.
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
        var base: Opcode
        var form: CompressedForm
        /// Index into `ISA.compressed`; `invalid` for reserved and 32-bit encodings.
        var row: UInt8
    }

    static let invalid: UInt8 = 0xff

    /// Bits that pick a bucket: major opcode bits 6:2, funct3 and funct7 (15 bits).
    @inline(__always) static func key(_ word: UInt32) -> Int {
        Int((word >> 2) & 0x1f) << 10 | Int((word >> 12) & 7) << 7 | Int(word >> 25)
    }

    /// Per key: start in `entries` (bits 31:8) and count (bits 7:0).
    nonisolated(unsafe) static let buckets: UnsafePointer<UInt32> = tables.buckets
    /// Candidate rows, bucket after bucket, most specific mask first.
    nonisolated(unsafe) static let entries: UnsafePointer<Entry> = tables.entries

    private nonisolated(unsafe) static let tables = buildTables()
    /// Per 16-bit halfword.
    nonisolated(unsafe) static let compressed: UnsafePointer<CompressedEntry> = buildCompressed()

    private static func buildTables() -> (buckets: UnsafePointer<UInt32>, entries: UnsafePointer<Entry>) {
        var byMajor = [[Entry]](repeating: [], count: 32)
        for spec in ISA.all {
            byMajor[Int((spec.match >> 2) & 0x1f)].append(
                Entry(mask: spec.mask, match: spec.match, opcode: spec.opcode, format: spec.format))
        }
        let buckets = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << 15)
        var entries: [Entry] = []
        let keyBits: UInt32 = 0xfe00_707c
        for key in 0..<(1 << 15) {
            let word = UInt32(key >> 10) << 2 | UInt32((key >> 7) & 7) << 12 | UInt32(key & 0x7f) << 25 | 3
            let fits = byMajor[key >> 10]
                .filter { ($0.match ^ word) & $0.mask & keyBits == 0 }
                .sorted { $0.mask.nonzeroBitCount > $1.mask.nonzeroBitCount }
            buckets[key] = UInt32(entries.count) << 8 | UInt32(fits.count)
            entries += fits
        }
        let flat = UnsafeMutablePointer<Entry>.allocate(capacity: max(entries.count, 1))
        flat.initialize(from: entries, count: entries.count)
        return (UnsafePointer(buckets), UnsafePointer(flat))
    }

    private static func buildCompressed() -> UnsafePointer<CompressedEntry> {
        let table = UnsafeMutablePointer<CompressedEntry>.allocate(capacity: 1 << 16)
        table.initialize(repeating: CompressedEntry(base: .addi, form: .noOperands, row: invalid), count: 1 << 16)
        for half in 0..<(1 << 16) where half & 3 != 3 {
            let h = UInt16(half)
            for (i, spec) in ISA.compressed.enumerated() where h & spec.mask == spec.match {
                if CompressedFields(h).satisfies(spec.requirement, form: spec.form) {
                    table[half] = CompressedEntry(base: spec.base, form: spec.form, row: UInt8(i))
                    break
                }
            }
        }
        return UnsafePointer(table)
    }
}
