/// Lookup structures derived from the ISA table once, at first use, so that decoding is an index
/// and a mask compare or two rather than a scan of the table.
struct DecodeIndex: Sendable {
    /// What the 32-bit decoder needs of a row, without the row's strings.
    struct Entry: Sendable {
        var mask: UInt32
        var match: UInt32
        var opcode: Opcode
        var format: Format
    }

    /// Bits that pick a bucket: major opcode bits 6:2, funct3 and funct7.
    static func key(_ word: UInt32) -> Int {
        Int((word >> 2) & 0x1f) << 10 | Int((word >> 12) & 7) << 7 | Int(word >> 25)
    }

    /// Per key: start in `entries` (high bits) and count (low 8 bits).
    let buckets: [UInt32]
    /// Candidate rows, bucket after bucket, most specific mask first.
    let entries: [Entry]
    /// Per 16-bit word: index into `ISA.compressed`, or 0xff for reserved and 32-bit encodings.
    let compressed: [UInt8]

    init() {
        var byMajor = [[Entry]](repeating: [], count: 32)
        for spec in ISA.all {
            byMajor[Int((spec.match >> 2) & 0x1f)].append(
                Entry(mask: spec.mask, match: spec.match, opcode: spec.opcode, format: spec.format))
        }
        var buckets = [UInt32](repeating: 0, count: 1 << 15)
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
        self.buckets = buckets
        self.entries = entries

        var compressed = [UInt8](repeating: 0xff, count: 1 << 16)
        for half in 0..<(1 << 16) where half & 3 != 3 {
            let h = UInt16(half)
            for (i, spec) in ISA.compressed.enumerated() where h & spec.mask == spec.match {
                if CompressedFields(h).satisfies(spec.requirement, form: spec.form) {
                    compressed[half] = UInt8(i)
                    break
                }
            }
        }
        self.compressed = compressed
    }

    static let shared = DecodeIndex()
}
