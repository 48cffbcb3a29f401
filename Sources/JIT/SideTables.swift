import Glibc
import RISCV

/// Data translated code refers to by address or index, kept until the code cache is flushed:
/// decoded instructions for the slow path (their addresses are baked into the code, so they
/// live in chunks that never move) and system instructions for the trap-and-emulate exit.
final class SideTables {
    private static let chunkSize = 4096
    private var chunks: [UnsafeMutablePointer<Instruction>] = []
    private var usedInLast = SideTables.chunkSize
    private(set) var systemInstructions: [Instruction] = []

    deinit { for c in chunks { c.deallocate() } }

    /// A stable copy of `i` for a slow-path call.
    func keep(_ i: Instruction) -> UnsafePointer<Instruction> {
        if usedInLast == SideTables.chunkSize {
            chunks.append(.allocate(capacity: SideTables.chunkSize))
            usedInLast = 0
        }
        let p = chunks[chunks.count - 1] + usedInLast
        p.initialize(to: i)
        usedInLast += 1
        return UnsafePointer(p)
    }

    /// Index for a `.system` exit's argument.
    func addSystemInstruction(_ i: Instruction) -> UInt32 {
        systemInstructions.append(i)
        return UInt32(truncatingIfNeeded: systemInstructions.count - 1)
    }

    func reset() {
        for c in chunks { c.deallocate() }
        chunks = []
        usedInLast = SideTables.chunkSize
        systemInstructions.removeAll(keepingCapacity: true)
    }
}

/// The direct-mapped guest pc → host code table that `jalr` probes inline: 16-byte entries
/// (guest pc, host address) indexed by `(pc >> 1) & mask`. An empty entry holds a key no `jalr`
/// target that indexes it can equal: pc 0, except in entry 0, where pc 0 itself belongs and the
/// key is 2 (entry 1's) (`zeroIsEmpty`: user mode's table and system mode's jump caches, which
/// tell empty entries by it), or pc 1 in every entry.
final class IndirectTable {
    /// User mode: 32Ki entries, a 64 KiB window of guest code. With 4096 (8 KiB) perl's hot code
    /// took turns in entries: a Debconf module load missed 130 thousand times in 3.8 million
    /// lookups (99.5% hits with 32Ki), a perl loop of hashes, regexes and calls 504 thousand in
    /// 44.6 million (3 thousand with 32Ki), each miss a return to the dispatcher.
    static let entries = 1 << 15
    static let mask = entries - 1
    /// System mode's jump caches (SystemJumpCache): a kernel's hot targets spread over
    /// megabytes, and with 4096 entries (an 8 KiB window) over half of a Linux boot's misses
    /// were two targets taking turns in one entry.
    static let systemEntries = 1 << 15
    let entries: Int
    var mask: Int { entries - 1 }
    let base: UnsafeMutablePointer<UInt64>
    /// Whether `base` was mapped by `mapLow` (and is unmapped, not deallocated).
    private let mapped: Bool
    /// Empty entries hold 0 (entry 0: 2), so fresh zero pages are an empty table: a short
    /// process touches only the pages of the entries it fills, and `clear` gives the pages back
    /// instead of writing 512 KiB. False: empty entries hold 1.
    let zeroIsEmpty: Bool

    /// Translated code addresses a table in the low 2 GiB by its 32-bit address, two
    /// instructions shorter (`probeIndirectTable`): the 512 KiB tables are above malloc's mmap
    /// threshold, so they are mapped there themselves when `low` (and allocated as usual when
    /// the host has no room there).
    init(entries: Int = IndirectTable.entries, low: Bool = false, zeroIsEmpty: Bool = false) {
        self.entries = entries
        self.zeroIsEmpty = zeroIsEmpty
        if low, let p = IndirectTable.mapLow(bytes: 16 * entries) {
            base = p
            mapped = true
            if zeroIsEmpty {
                base[0] = emptyKey(0) // the rest is zero already
                return
            }
        } else {
            base = .allocate(capacity: 2 * entries)
            mapped = false
        }
        clear()
    }

    deinit {
        if mapped { munmap(base, 16 * entries) } else { base.deallocate() }
    }

    private static func mapLow(bytes: Int) -> UnsafeMutablePointer<UInt64>? {
        guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0),
              p != MAP_FAILED else { return nil }
        guard UInt(bitPattern: p) + UInt(bytes) < 1 << 31 else {
            munmap(p, bytes)
            return nil
        }
        return p.bindMemory(to: UInt64.self, capacity: 2 * (bytes / 16))
    }

    /// The key of empty entry `i`. User mode's keys are even pcs that belong to another slot,
    /// so no target, odd or even, matches an empty entry, and user-mode `jalr` can probe with
    /// bit 0 of its target still set (Lower+Branch.swift), leaving the `and` to the miss path.
    @inline(__always) func emptyKey(_ i: Int) -> UInt64 {
        zeroIsEmpty ? (i == 0 ? 2 : 0) : 1
    }

    var address: UInt64 { UInt64(UInt(bitPattern: base)) }

    func insert(guest pc: UInt64, host: UInt64) {
        let i = Int((pc >> 1) & UInt64(mask))
        written = true
        base[2 * i] = pc
        base[2 * i + 1] = host
    }

    /// Whether `insert` wrote the table since it was mapped or last cleared (translated code
    /// only reads it). Backing the whole table in one `madvise` once a process had filled 32
    /// entries was tried and dropped: 128 pages cost a warm `spawn` child more (5.7% of it) than
    /// the 55 page faults of its scattered first writes.
    private var written = false

    func clear() {
        // Private anonymous pages read as zeros again after MADV_DONTNEED; a table never
        // written since it was mapped (or last cleared) is all zeros already.
        if zeroIsEmpty, mapped, !written || madvise(base, 16 * entries, MADV_DONTNEED) == 0 {
            written = false
            base[0] = emptyKey(0)
            base[1] = 0
            return
        }
        for i in 0..<entries {
            base[2 * i] = emptyKey(i)
            base[2 * i + 1] = 0
        }
    }
}
