import Guest
import RISCV

/// The bytes a run of instructions is about to overwrite, recorded before each store so the
/// stores can be undone and the same block replayed on another engine from the same memory.
struct MemoryJournal {
    /// The value each touched byte had before the first write to it, by guest address.
    private(set) var original: [UInt64: UInt8] = [:]
    /// The touched addresses in first-touch order (undo and reports walk them in order).
    private(set) var addresses: [UInt64] = []
    /// For each store logged, which instruction (index in the block) made it.
    private(set) var writers: [(range: Range<UInt64>, index: Int)] = []

    var isEmpty: Bool { addresses.isEmpty }

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

    /// Records the current value of the bytes `inst` may write. Bytes on pages the guest cannot
    /// write are skipped: the store will fault and write nothing.
    mutating func logBefore(_ inst: Instruction, index: Int, _ hart: Hart) {
        guard let (address, width) = MemoryJournal.footprint(inst, hart.state),
              hart.memory.check(address, width, .write) else { return }
        writers.append((address..<address &+ width, index))
        for a in address..<address &+ width where original[a] == nil {
            original[a] = hart.memory.host(a).load(as: UInt8.self)
            addresses.append(a)
        }
    }

    /// The current bytes at every logged address.
    func current(_ memory: GuestMemory) -> [UInt8] {
        addresses.map { memory.host($0).load(as: UInt8.self) }
    }

    /// Puts back the bytes as they were before the first logged store.
    func undo(_ memory: GuestMemory) {
        for a in addresses.reversed() { memory.host(a).storeBytes(of: original[a] ?? 0, as: UInt8.self) }
    }

    /// Writes `bytes` (one per logged address, as `current` returns them).
    func apply(_ bytes: [UInt8], _ memory: GuestMemory) {
        for (a, b) in zip(addresses, bytes) { memory.host(a).storeBytes(of: b, as: UInt8.self) }
    }

    /// Memory differences as runs of adjacent bytes, shown as little-endian values.
    func differences(expected: [UInt8], actual: [UInt8]) -> [Difference] {
        let pairs = zip(addresses, zip(expected, actual)).filter { $0.1.0 != $0.1.1 }.sorted { $0.0 < $1.0 }
        var out: [Difference] = []
        var run: [(UInt64, UInt8, UInt8)] = []
        func flush() {
            guard let first = run.first else { return }
            out.append(Difference(location: "mem[\(Hex.pad(first.0, 0))..+\(run.count)]",
                                  expected: "0x" + Hex.bytes(run.map { $0.1 }.reversed()),
                                  actual: "0x" + Hex.bytes(run.map { $0.2 }.reversed())))
            run = []
        }
        for (a, (e, x)) in pairs {
            if let last = run.last, last.0 &+ 1 != a || run.count == 8 { flush() }
            run.append((a, e, x))
        }
        flush()
        return out
    }
}
