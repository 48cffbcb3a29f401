/// Lookup tables for the decoder, so that decoding is an index and a mask compare or two rather
/// than a scan of the ISA table.
///
/// They are derived from `ISA.all` and `ISA.compressed` (`derivedTables`, `derivedCompressed`),
/// but a process does not derive them: every Trapeze process decodes before its first block, and
/// deriving cost about 4% of a static hello's start (with the ISA table built for it and the
/// page faults of the fresh buffers). `DecodeTables+Generated.swift` holds them as constant
/// arrays, written by `DecodeTables.generatedSource()`; a test derives them again and fails
/// (saying how to regenerate the file) whenever the ISA table and the file disagree.
///
/// The decoder reads them through raw pointers: it runs on the JIT's and fuzzers' hot paths, and
/// Swift arrays there cost a retain/release and a bounds check per lookup. Every index into them
/// is masked to the table's size, so no guest word can read outside.
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
        var ext: Extension
    }

    /// The funct7 and funct3 bits of a word (10 bits): with the major opcode, what picks a bucket.
    @inline(__always) static func functKey(_ word: UInt32) -> Int {
        Int(word >> 25) << 3 | Int((word >> 12) & 7)
    }

    /// The bucket of a 32-bit word: its major opcode's slice of `buckets`, at the word's funct
    /// bits reduced to those some row of that major tests (words that differ only in the other
    /// bits have the same candidates). The reduced key never exceeds the major's `tested`, which
    /// bounds its slice.
    @inline(__always) static func bucket(_ word: UInt32) -> UInt32 {
        let shape = majors[Int((word >> 2) & 0x1f)]
        return buckets[Int(shape >> 16) + functKey(word) & Int(shape & 0x3ff)]
    }

    /// Per major opcode: where its slice of `buckets` starts (bits 31:16) and the funct bits its
    /// rows test (bits 9:0).
    nonisolated(unsafe) static let majors: UnsafePointer<UInt32> = pointer(to: DecodeTables.majors)
    /// Per reduced key: start in `entries` (bits 31:8) and count (bits 7:0).
    nonisolated(unsafe) static let buckets: UnsafePointer<UInt32> = pointer(to: DecodeTables.buckets)
    /// Candidate rows, bucket after bucket, most specific mask first: mask (bits 31:0) and match
    /// (bits 63:32) of each, and in `entryKinds` its opcode (bits 15:0) and format (bits 23:16).
    nonisolated(unsafe) static let entries: UnsafePointer<UInt64> = pointer(to: DecodeTables.entries)
    nonisolated(unsafe) static let entryKinds: UnsafePointer<UInt32> = pointer(to: DecodeTables.entryKinds)

    /// The storage of a constant table. The arrays are immutable globals that live as long as the
    /// process, so their storage never moves or goes away.
    private static func pointer<T>(to table: [T]) -> UnsafePointer<T> {
        table.withUnsafeBufferPointer { $0.baseAddress! }
    }

    /// Bits of a halfword that pick its RVC bucket: 15:10, 6:5 and the quadrant (10 bits), every
    /// bit an RVC row's mask tests apart from the register fields of c.addi16sp, c.jr, c.jalr
    /// and c.ebreak, which the candidate compare checks.
    @inline(__always) static func compressedKey(_ half: UInt16) -> Int {
        Int(half >> 10) << 4 | Int((half >> 5) & 3) << 2 | Int(half & 3)
    }

    /// Per compressed key: start in `compressedEntries` (bits 15:4) and count (bits 3:0).
    nonisolated(unsafe) static let compressedBuckets: UnsafePointer<UInt16> = pointer(to: DecodeTables.compressedBuckets)
    /// Candidate RVC rows, bucket after bucket, in `ISA.compressed` order (its priority order),
    /// packed by `pack`.
    nonisolated(unsafe) static let compressedEntries: UnsafePointer<UInt64> = pointer(to: DecodeTables.compressedEntries)

    /// A compressed row in 64 bits: mask (bits 15:0), match (31:16), base opcode (41:32: fewer
    /// than 1024 opcodes, checked by the table test), form (49:42), requirement (53:50) and
    /// extension (61:54).
    static func pack(_ e: CompressedEntry) -> UInt64 {
        UInt64(e.mask) | UInt64(e.match) << 16 | UInt64(e.base.rawValue) << 32 | UInt64(e.form.rawValue) << 42
            | UInt64(e.requirement.rawValue) << 50 | UInt64(e.ext.rawValue) << 54
    }

    @inline(__always) static func unpack(_ w: UInt64) -> CompressedEntry {
        CompressedEntry(mask: UInt16(truncatingIfNeeded: w), match: UInt16(truncatingIfNeeded: w >> 16),
                        base: Opcode(tableRawValue: UInt16(truncatingIfNeeded: w >> 32) & 0x3ff),
                        form: CompressedForm(tableRawValue: UInt8(truncatingIfNeeded: w >> 42)),
                        requirement: CompressedRequirement(tableRawValue: UInt8(truncatingIfNeeded: w >> 50) & 0xf),
                        ext: Extension(tableRawValue: UInt8(truncatingIfNeeded: w >> 54)))
    }

    /// The `ISA.compressed` row a 16-bit encoding decodes by, or nil for reserved encodings (and
    /// for 32-bit ones: their quadrant bits are 11, which no row matches).
    @inline(__always) static func compressedEntry(_ half: UInt16) -> CompressedEntry? {
        let bucket = compressedBuckets[compressedKey(half)]
        var position = Int(bucket >> 4)
        let end = position + Int(bucket & 0xf)
        while position < end {
            let packed = compressedEntries[position]
            if half & UInt16(truncatingIfNeeded: packed) == UInt16(truncatingIfNeeded: packed >> 16) {
                let entry = unpack(packed)
                if CompressedFields(half).satisfies(entry.requirement, form: entry.form) { return entry }
            }
            position += 1
        }
        return nil
    }

    static func derivedTables()
        -> (majors: UnsafePointer<UInt32>, buckets: UnsafePointer<UInt32>, entries: UnsafePointer<Entry>) {
        // Raw buffers of their final sizes (this ran at every start before the tables were
        // generated).
        let table = ISA.all
        let rowCount = table.count

        // Rows by major opcode, most specific mask first; rows of equal weight keep table order.
        // A stable counting sort on (major, 32 - weight): `first[bin]` is where a bin's rows
        // start in `ordered`, so `first[major * 33]` is where a major's rows start.
        let bins = 32 * 33
        func bin(_ spec: InstructionSpec) -> Int { Int((spec.match >> 2) & 0x1f) * 33 + 32 - spec.mask.nonzeroBitCount }
        let first = UnsafeMutablePointer<Int>.allocate(capacity: bins + 1)
        defer { first.deallocate() }
        first.initialize(repeating: 0, count: bins + 1)
        for spec in table { first[bin(spec) + 1] += 1 }
        for b in 0..<bins { first[b + 1] += first[b] }
        let ordered = UnsafeMutablePointer<Entry>.allocate(capacity: max(rowCount, 1))
        defer { ordered.deallocate() }
        let next = UnsafeMutablePointer<Int>.allocate(capacity: bins)
        defer { next.deallocate() }
        next.initialize(from: first, count: bins)
        for spec in table {
            let b = bin(spec)
            (ordered + next[b]).initialize(to: Entry(mask: spec.mask, match: spec.match, opcode: spec.opcode, format: spec.format))
            next[b] += 1
        }
        func rows(of major: Int) -> Range<Int> { first[major * 33]..<first[major * 33 + 33] }

        // Each major's slice holds a bucket for every key up to `tested`; only the keys that are
        // subsets of `tested` are ever looked up.
        let majors = UnsafeMutablePointer<UInt32>.allocate(capacity: 32)
        var total = 0
        for major in 0..<32 {
            var tested = 0
            for row in rows(of: major) { tested |= functKey(ordered[row].mask) }
            majors[major] = UInt32(total) << 16 | UInt32(tested)
            total += tested + 1
        }
        let buckets = UnsafeMutablePointer<UInt32>.allocate(capacity: total)
        buckets.initialize(repeating: 0, count: total)

        // A row belongs to every reduced key that agrees with it on the funct bits it tests.
        @inline(__always) func forEachKey(of row: Entry, tested: Int, _ body: (Int) -> Void) {
            let fixed = functKey(row.mask), value = functKey(row.match) & fixed, free = tested & ~fixed
            var subset = 0
            repeat {
                body(value | subset)
                subset = (subset &- free) & free
            } while subset != 0
        }
        // Counts first, kept in the buckets' low bits; then each bucket's start; then the rows
        // scattered in priority order, which keeps each list in order.
        var entryCount = 0
        for major in 0..<32 {
            let base = Int(majors[major] >> 16), tested = Int(majors[major] & 0x3ff)
            for row in rows(of: major) {
                forEachKey(of: ordered[row], tested: tested) { buckets[base + $0] += 1 }
            }
            var key = 0
            repeat {
                let count = Int(buckets[base + key])
                precondition(count < 256, "decode bucket overflow")
                buckets[base + key] = UInt32(entryCount) << 8
                entryCount += count
                key = (key &- tested) & tested
            } while key != 0
        }
        let flat = UnsafeMutablePointer<Entry>.allocate(capacity: max(entryCount, 1))
        for major in 0..<32 {
            let base = Int(majors[major] >> 16), tested = Int(majors[major] & 0x3ff)
            for row in rows(of: major) {
                forEachKey(of: ordered[row], tested: tested) {
                    (flat + Int(buckets[base + $0] >> 8) + Int(buckets[base + $0] & 0xff)).initialize(to: ordered[row])
                    buckets[base + $0] += 1
                }
            }
        }
        ordered.deinitialize(count: rowCount)
        return (UnsafePointer(majors), UnsafePointer(buckets), UnsafePointer(flat))
    }

    static func derivedCompressed() -> (buckets: UnsafePointer<UInt16>, entries: UnsafePointer<CompressedEntry>) {
        let keyBits: UInt16 = 0xfc63
        let buckets = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << 10)
        var entries: [CompressedEntry] = []
        for k in 0..<(1 << 10) {
            // The halfword with this key's bits and zeros elsewhere.
            let half = UInt16(k >> 4) << 10 | UInt16((k >> 2) & 3) << 5 | UInt16(k & 3)
            let start = entries.count
            for spec in ISA.compressed where (spec.match ^ half) & spec.mask & keyBits == 0 {
                entries.append(CompressedEntry(mask: spec.mask, match: spec.match, base: spec.base, form: spec.form,
                                               requirement: spec.requirement, ext: spec.ext))
            }
            precondition(entries.count - start < 16 && start < 1 << 12, "compressed decode bucket overflow")
            buckets[k] = UInt16(start) << 4 | UInt16(entries.count - start)
        }
        let flat = UnsafeMutablePointer<CompressedEntry>.allocate(capacity: max(entries.count, 1))
        flat.initialize(from: entries, count: entries.count)
        return (UnsafePointer(buckets), UnsafePointer(flat))
    }
}
