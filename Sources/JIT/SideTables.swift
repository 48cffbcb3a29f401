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
/// (guest pc, host address) indexed by `(pc >> 1) & mask`. An empty entry holds pc 1, which no
/// `jalr` target can equal (bit 0 is cleared).
final class IndirectTable {
    static let entries = 4096
    static let mask = entries - 1
    /// System mode's jump caches (SystemJumpCache): a kernel's hot targets spread over
    /// megabytes, and with 4096 entries (an 8 KiB window) over half of a Linux boot's misses
    /// were two targets taking turns in one entry.
    static let systemEntries = 1 << 15
    let entries: Int
    var mask: Int { entries - 1 }
    let base: UnsafeMutablePointer<UInt64>

    init(entries: Int = IndirectTable.entries) {
        self.entries = entries
        base = .allocate(capacity: 2 * entries)
        clear()
    }

    deinit { base.deallocate() }

    var address: UInt64 { UInt64(UInt(bitPattern: base)) }

    func insert(guest pc: UInt64, host: UInt64) {
        let i = Int((pc >> 1) & UInt64(mask))
        base[2 * i] = pc
        base[2 * i + 1] = host
    }

    func clear() {
        for i in 0..<entries {
            base[2 * i] = 1
            base[2 * i + 1] = 0
        }
    }
}
