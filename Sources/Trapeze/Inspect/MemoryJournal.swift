import Guest
import RISCV

/// The stores a run of instructions makes, each logged with the bytes it is about to overwrite,
/// so the run can be undone and replayed on another engine from the same memory. Most blocks
/// store a few times at most, so this is a plain list: undoing it in reverse order restores
/// memory even when stores overlap.
struct MemoryJournal {
    struct Store {
        var address: UInt64
        var width: Int
        var old: UInt64
    }
    private(set) var stores: [Store] = []

    var isEmpty: Bool { stores.isEmpty }

    /// The bytes `inst` may write, from the registers as they are now (before it executes);
    /// nil for instructions that do not write memory.
    static func footprint(_ inst: Instruction, _ state: GuestState) -> (address: UInt64, width: UInt64)? {
        guard let access = inst.opcode.info.memory else { return nil }
        switch access.kind {
        case .load, .loadReserved: return nil
        case .store, .storeConditional, .atomic:
            return (state.x(Int(inst.rs1)) &+ UInt64(bitPattern: inst.imm), UInt64(access.width))
        }
    }

    /// Records the bytes `inst` may write. Stores to pages the guest cannot write are skipped:
    /// they fault and write nothing.
    mutating func logBefore(_ inst: Instruction, _ hart: Hart) {
        guard let (address, width) = MemoryJournal.footprint(inst, hart.state),
              hart.memory.check(address, width, .write) else { return }
        // amocas.q writes 16 bytes: two 8-byte entries.
        for offset in stride(from: UInt64(0), to: width, by: 8) {
            let part = Int(min(8, width - offset))
            stores.append(Store(address: address + offset, width: part, old: MemoryJournal.read(address + offset, part, hart.memory)))
        }
    }

    static func read(_ address: UInt64, _ width: Int, _ memory: GuestMemory) -> UInt64 {
        var v: UInt64 = 0
        // The journal reads only bytes the store may write: `.mapped` reads them whatever the guest
        // may read; a host fault (a file page past EOF) reads as zero instead of crashing.
        withUnsafeMutableBytes(of: &v) { bytes in
            try? memory.copyOut(address, to: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<width]), need: .mapped)
        }
        return v
    }

    static func write(_ address: UInt64, _ width: Int, _ value: UInt64, _ memory: GuestMemory) {
        withUnsafeBytes(of: value) { bytes in
            try? memory.copyIn(address, from: UnsafeRawBufferPointer(rebasing: bytes[0..<width]), need: .mapped)
        }
    }

    /// The current bytes of every logged store.
    func current(_ memory: GuestMemory) -> [UInt64] {
        stores.map { MemoryJournal.read($0.address, $0.width, memory) }
    }

    /// Puts back the bytes as they were before the first logged store.
    func undo(_ memory: GuestMemory) {
        for s in stores.reversed() { MemoryJournal.write(s.address, s.width, s.old, memory) }
    }

    /// Writes `values` (one per store, as `current` returns them).
    func apply(_ values: [UInt64], _ memory: GuestMemory) {
        for (s, v) in zip(stores, values) { MemoryJournal.write(s.address, s.width, v, memory) }
    }

    /// The stores whose bytes differ, as little-endian values.
    func differences(expected: [UInt64], actual: [UInt64]) -> [Difference] {
        var out: [Difference] = []
        var seen = Set<UInt64>()
        let rows = zip(stores, zip(expected, actual)).sorted { $0.0.address < $1.0.address }
        for (s, (e, a)) in rows where e != a && seen.insert(s.address).inserted {
            out.append(Difference(location: "mem[\(Hex.pad(s.address, 0))..+\(s.width)]",
                                  expected: Hex.pad(e, s.width * 2), actual: Hex.pad(a, s.width * 2)))
        }
        return out
    }
}
