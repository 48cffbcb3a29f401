import Guest
import RISCV

/// The watchpoints gdb set, and the check of one instruction's data access against them.
///
/// The access is worked out from the instruction before it runs (base register plus offset,
/// the width from the ISA table), so the check is the same whichever engine would have run it.
struct Watchpoints {
    struct Watch: Equatable {
        var kind: WatchKind
        var address: UInt64
        var length: UInt64
    }

    private(set) var all: [Watch] = []

    var isEmpty: Bool { all.isEmpty }

    mutating func insert(_ watch: Watch) {
        if !all.contains(watch) { all.append(watch) }
    }

    mutating func remove(_ watch: Watch) -> Bool {
        guard let i = all.firstIndex(of: watch) else { return false }
        all.remove(at: i)
        return true
    }

    /// The data access `inst` is about to make from `state`: where, how wide, reading and/or writing.
    struct Access {
        var address: UInt64
        var width: UInt64
        var reads: Bool
        var writes: Bool
    }

    /// Each opcode's memory access, copied out of the ISA table once (its rows hold strings,
    /// whose reference counting would otherwise cost on every checked instruction).
    private static let accesses: [MemoryAccess?] = ISA.byOpcode.map(\.memory)

    static func access(_ inst: Instruction, _ state: GuestState) -> Access? {
        guard let memory = accesses[Int(inst.opcode.rawValue)] else { return nil }
        let address = state.x(Int(inst.rs1)) &+ UInt64(bitPattern: inst.imm)
        let width = UInt64(memory.width)
        switch memory.kind {
        case .load, .loadReserved: return Access(address: address, width: width, reads: true, writes: false)
        case .store, .storeConditional: return Access(address: address, width: width, reads: false, writes: true)
        case .atomic: return Access(address: address, width: width, reads: true, writes: true)
        }
    }

    /// The first watchpoint `access` triggers, if any.
    func hit(_ access: Access) -> Watch? {
        all.first { watch in
            let overlaps = access.address < watch.address &+ watch.length && watch.address < access.address &+ access.width
            guard overlaps else { return false }
            switch watch.kind {
            case .write: return access.writes
            case .read: return access.reads
            case .access: return true
            }
        }
    }
}
