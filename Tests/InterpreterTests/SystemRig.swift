import Guest
import Interpreter
import RISCV
import TestSupport

/// A small machine for system-mode run-loop tests: 1 MiB of RAM at 0x8000_0000, one device
/// register block at 0x1000_0000 (8 bytes, aligned accesses only) that records what reaches it,
/// settable interrupt lines and mtime, and a `wfi` that moves time to the deadline it is given.
final class RigMachine: Platform, PhysicalBus {
    static let ramBase: UInt64 = 0x8000_0000, ramSize: UInt64 = 1 << 20
    static let device: UInt64 = 0x1000_0000
    let bytes: UnsafeMutableRawPointer
    var mtime: UInt64 = 0
    var lines: UInt64 = 0
    var register: UInt64 = 0x1122_3344_5566_7788
    var deviceAccesses: [(address: UInt64, width: Int, write: UInt64?)] = []
    var waits = 0

    init() {
        bytes = .allocate(byteCount: Int(Self.ramSize), alignment: 4096)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: Int(Self.ramSize))
    }
    deinit { bytes.deallocate() }

    var bus: any PhysicalBus { self }
    func interruptLines(hartID: Int) -> UInt64 { lines }
    func waitForInterrupt(hartID: Int, deadline: UInt64?) {
        waits += 1
        if let deadline { mtime = max(mtime, deadline) }
    }

    func ram(_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer? {
        guard address >= Self.ramBase, address - Self.ramBase <= Self.ramSize, length <= Self.ramSize - (address - Self.ramBase) else { return nil }
        return bytes + Int(address - Self.ramBase)
    }
    func read(_ address: UInt64, width: Int) -> UInt64? {
        guard address >= Self.device, address + UInt64(width) <= Self.device + 8, address % UInt64(width) == 0 else { return nil }
        deviceAccesses.append((address, width, nil))
        let shifted = register >> (8 * (address - Self.device))
        return width == 8 ? shifted : shifted & (1 << (8 * UInt64(width)) - 1)
    }
    func write(_ address: UInt64, width: Int, value: UInt64) -> Bool {
        guard address >= Self.device, address + UInt64(width) <= Self.device + 8, address % UInt64(width) == 0 else { return false }
        deviceAccesses.append((address, width, value))
        return true
    }

    func load64(_ address: UInt64) -> UInt64 { ram(address, 8)!.load(as: UInt64.self) }
    func store64(_ address: UInt64, _ value: UInt64) { ram(address, 8)!.storeBytes(of: value, as: UInt64.self) }
    func store32(_ address: UInt64, _ value: UInt32) { ram(address, 4)!.storeBytes(of: value, as: UInt32.self) }
}

/// The environment: `ecall` with a7 = 93 ends the run with status a0; with `deliver` every other
/// trap and every interrupt enters the guest's handler as on a real machine, otherwise the first
/// exception ends the run and is kept in `trap`.
final class RigEnvironment: Environment {
    var deliver = false
    var trap: GuestTrap?

    func environmentCall(_ hart: Hart) -> Continuation {
        if hart.state.x(17) == 93 { return .stop(.exited(Int32(truncatingIfNeeded: hart.state.x(10)))) }
        let cause: ExceptionCause = hart.privilege == .user ? .ecallFromU : hart.privilege == .supervisor ? .ecallFromS : .ecallFromM
        return exception(hart, GuestTrap(cause, pc: hart.state.pc))
    }

    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        self.trap = trap
        guard deliver else { return .stop(.unhandled(trap)) }
        hart.enterTrap(trap)
        return .resume
    }

    var eventPending: Bool { false }
    func deliverEvents(_ hart: Hart) -> Continuation { .resume }
}

/// The environment with interrupts: `eventPending` and delivery as `MachineEnvironment` does.
final class RigInterruptEnvironment: Environment {
    let inner = RigEnvironment()
    var interrupts: [UInt64] = []
    init() { inner.deliver = true }
    func environmentCall(_ hart: Hart) -> Continuation { inner.environmentCall(hart) }
    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation { inner.exception(hart, trap) }
    var hart: Hart?
    var eventPending: Bool { hart?.pendingInterrupt() != nil }
    func deliverEvents(_ hart: Hart) -> Continuation {
        guard let cause = hart.pendingInterrupt() else { return .resume }
        interrupts.append(cause.rawValue)
        hart.enterTrap(cause.rawValue, tval: 0, interrupt: true)
        return .resume
    }
}

/// A hart on a `RigMachine` in S-mode with Sv39 on: RAM identity-mapped by a 1 GiB supervisor
/// page (so code at 0x8000_0000 runs), the device gigapage at 0 identity-mapped read/write,
/// page tables built from 0x800C_0000 up, PMP open.
final class SystemRig {
    static let code: UInt64 = 0x8000_0000
    static let root: UInt64 = 0x800C_0000
    let machine = RigMachine()
    let hart = Hart(memory: GuestMemory(limit: 1 << 16))
    let interpreter = Interpreter()
    let environment = RigEnvironment()
    private var nextTable = SystemRig.root + 0x1000

    static let v: UInt64 = 1, r: UInt64 = 2, w: UInt64 = 4, x: UInt64 = 8, u: UInt64 = 16, g: UInt64 = 32, a: UInt64 = 64, d: UInt64 = 128

    init(_ mode: PrivilegeMode = .supervisor) {
        hart.platform = machine
        hart.environment = environment
        hart.state.resetForMachine(hartID: 0)
        hart.state.pc = Self.code
        set(CSRNumber.pmpaddr0, ~0)
        set(CSRNumber.pmpcfg0, 0x1F)
        machine.store64(Self.root + 2 * 8, (Self.code >> 12) << 10 | Self.v | Self.r | Self.w | Self.x | Self.a | Self.d)
        machine.store64(Self.root, Self.v | Self.r | Self.w | Self.a | Self.d)
        hart.state.satp = 8 << 60 | Self.root >> 12
        hart.privilege = mode
    }

    /// Writes a CSR as M-mode software would (the privilege is kept).
    func set(_ csr: UInt16, _ value: UInt64) {
        let mode = hart.privilege, pc = hart.state.pc, saved = hart.state.x(6)
        hart.privilege = .machine
        hart.state.setX(6, value)
        _ = hart.emulateSystem(Instruction(opcode: .csrrw, rd: 0, rs1: 6, csr: csr))
        hart.state.setX(6, saved)
        hart.privilege = mode
        hart.state.pc = pc
    }

    /// Places instruction words at `address` (physical); blocks predecoded before are dropped,
    /// as after a fence.i.
    func place(_ words: [UInt32], at address: UInt64 = SystemRig.code) {
        for (i, word) in words.enumerated() { machine.store32(address + UInt64(4 * i), word) }
        hart.memory.invalidateCode()
    }

    /// Maps the 4 KiB page at `va` to `pa` with `flags` through the three-level walk; returns
    /// the leaf PTE's address. `root` picks another address space's root table.
    @discardableResult
    func map(_ va: UInt64, _ pa: UInt64, _ flags: UInt64, level: Int = 0, root: UInt64 = SystemRig.root) -> UInt64 {
        var table = root
        for l in stride(from: 2, to: level, by: -1) {
            let slot = table + (va >> UInt64(12 + 9 * l) & 0x1FF) * 8
            var pte = machine.load64(slot)
            if pte & Self.v == 0 {
                pte = (nextTable >> 12) << 10 | Self.v
                nextTable += 0x1000
                machine.store64(slot, pte)
            }
            table = (pte >> 10) << 12
        }
        let slot = table + (va >> UInt64(12 + 9 * level) & 0x1FF) * 8
        machine.store64(slot, (pa >> 12) << 10 | flags)
        return slot
    }

    /// A second root table with the same kernel mappings (another address space).
    func newRoot() -> UInt64 {
        let root = nextTable
        nextTable += 0x1000
        machine.store64(root + 2 * 8, machine.load64(Self.root + 2 * 8))
        machine.store64(root, machine.load64(Self.root))
        return root
    }

    func run(_ max: UInt64 = 100_000) -> ExitStatus { interpreter.run(hart, maxInstructions: max) }

    /// exit(a0): a7 = 93, ecall.
    static let exit: [UInt32] = RV.exit
}
