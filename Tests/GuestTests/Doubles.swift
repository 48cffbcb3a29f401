import Guest
import RISCV

/// A machine with nothing but RAM at `base` (no devices answer).
final class RAMBus: PhysicalBus {
    static let base: UInt64 = 0x8000_0000
    let size: UInt64
    let bytes: UnsafeMutableRawPointer

    init(size: UInt64 = 1 << 20) {
        self.size = size
        bytes = .allocate(byteCount: Int(size), alignment: 4096)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size))
    }
    deinit { bytes.deallocate() }

    func ram(_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer? {
        guard address >= RAMBus.base, address - RAMBus.base <= size, length <= size - (address - RAMBus.base) else { return nil }
        return bytes + Int(address - RAMBus.base)
    }
    func read(_ address: UInt64, width: Int) -> UInt64? { nil }
    func write(_ address: UInt64, width: Int, value: UInt64) -> Bool { false }
    /// Writes the hart makes behind its own stores (the walk's A/D updates).
    let log = RAMWriteLog()
    var writeLog: RAMWriteLog? { log }

    func load(_ address: UInt64) -> UInt64 { ram(address, 8)!.load(as: UInt64.self) }
    func store(_ address: UInt64, _ value: UInt64) { ram(address, 8)!.storeBytes(of: value, as: UInt64.self) }
}

/// The platform double: RAM, a settable mtime and interrupt lines, and a record of waits.
final class TestPlatform: Platform {
    let ram = RAMBus()
    var bus: any PhysicalBus { ram }
    var mtime: UInt64 = 0
    var lines: UInt64 = 0
    var waits: [UInt64?] = []
    func interruptLines(hartID: Int) -> UInt64 { lines }
    func waitForInterrupt(hartID: Int, deadline: UInt64?) { waits.append(deadline) }
}

/// A hart fresh out of reset in M-mode on a `TestPlatform`.
func makeSystemHart() -> (Hart, TestPlatform) {
    let hart = Hart(memory: GuestMemory(limit: 1 << 16))
    let platform = TestPlatform()
    hart.platform = platform
    hart.state.resetForMachine(hartID: 0)
    hart.state.pc = 0x8000_0000
    return (hart, platform)
}

/// A hart as Linux user mode creates it.
func makeUserHart() -> Hart { Hart(memory: GuestMemory(limit: 1 << 16)) }

extension Hart {
    /// csrr through the handler (csrrs rd, csr, x0): the value, or nil if illegal.
    func csrRead(_ number: UInt16) -> UInt64? {
        let inst = Instruction(opcode: .csrrs, rd: 5, rs1: 0, csr: number, raw: 0x2073 | UInt32(number) << 20)
        guard case .retired = emulateSystem(inst) else { return nil }
        return state.x(5)
    }

    /// csrw through the handler (csrrw x0, csr, x6): false if illegal.
    @discardableResult
    func csrWrite(_ number: UInt16, _ value: UInt64) -> Bool {
        state.setX(6, value)
        let inst = Instruction(opcode: .csrrw, rd: 0, rs1: 6, csr: number, raw: 0x1073 | UInt32(number) << 20)
        guard case .retired = emulateSystem(inst) else { return false }
        return true
    }

    /// csrrs/csrrc with a register operand, returning the old value.
    func csrSet(_ number: UInt16, _ bits: UInt64) -> UInt64? {
        state.setX(6, bits)
        guard case .retired = emulateSystem(Instruction(opcode: .csrrs, rd: 5, rs1: 6, csr: number)) else { return nil }
        return state.x(5)
    }
    func csrClear(_ number: UInt16, _ bits: UInt64) -> UInt64? {
        state.setX(6, bits)
        guard case .retired = emulateSystem(Instruction(opcode: .csrrc, rd: 5, rs1: 6, csr: number)) else { return nil }
        return state.x(5)
    }

    func run(_ opcode: Opcode, rs1: UInt8 = 0, rs2: UInt8 = 0) -> Emulation {
        emulateSystem(Instruction(opcode: opcode, rs1: rs1, rs2: rs2))
    }
}

/// Builds page tables in a `RAMBus`, allocating table pages upwards from `RAMBus.base`.
struct PageTables {
    let bus: RAMBus
    let levels: Int
    let root: UInt64
    private var next: UInt64

    init(_ bus: RAMBus, levels: Int) {
        self.bus = bus
        self.levels = levels
        root = RAMBus.base
        next = RAMBus.base + 4096
    }

    /// satp for these tables.
    func satp(asid: UInt64 = 0) -> UInt64 {
        let mode: UInt64 = [3: 8, 4: 9, 5: 10][levels]!
        return mode << 60 | asid << 44 | root >> 12
    }

    /// Maps `va` to `pa` with a leaf at `level` (0 = 4 KiB) holding `flags` (bits 7:0 and any
    /// others); returns the leaf PTE's physical address.
    @discardableResult
    mutating func map(_ va: UInt64, _ pa: UInt64, level: Int = 0, flags: UInt64, pointerFlags: UInt64 = 0) -> UInt64 {
        var table = root
        for l in stride(from: levels - 1, to: level, by: -1) {
            let slot = table + (va >> UInt64(12 + 9 * l) & 0x1FF) * 8
            var pte = bus.load(slot)
            if pte & 1 == 0 {
                pte = (next >> 12) << 10 | 1 | pointerFlags
                next += 4096
                bus.store(slot, pte)
            }
            table = (pte >> 10) << 12
        }
        let slot = table + (va >> UInt64(12 + 9 * level) & 0x1FF) * 8
        bus.store(slot, (pa >> 12) << 10 | flags)
        return slot
    }
}

/// PTE bits, as the tests write them.
enum Bits {
    static let v: UInt64 = 1, r: UInt64 = 2, w: UInt64 = 4, x: UInt64 = 8
    static let u: UInt64 = 16, g: UInt64 = 32, a: UInt64 = 64, d: UInt64 = 128
    static let rwx: UInt64 = v | r | w | x | a | d
}
