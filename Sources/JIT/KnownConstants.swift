import RISCV

/// User mode: guest registers whose value the block knows while it is translated — set by
/// `lui`, `auipc` or `li`, or by an `addi`/`addiw` of such a value — so that a load or store off
/// one whose address lies in guest memory needs no limit check (`guestAddress`, Lower+Memory.swift).
/// glibc reaches its globals and its GOT that way (`auipc a0, …; ld a0, …(a0)`), and so do
/// programs built without gp relaxation (statemachine's volatile globals). The access still
/// faults in the host where the page is not mapped, and the fault handler reports the address
/// from the register that holds it, as for every unchecked access.
///
/// Forgotten at a join (either way may have written the register otherwise) and at the start of
/// a peeled loop's second copy.
struct KnownConstants {
    private var known: UInt32 = 0
    private var values = [UInt64](repeating: 0, count: 32)

    /// The value of x`r` here, if the block knows it (x0 is 0).
    func value(of r: UInt8) -> UInt64? {
        if r == 0 { return 0 }
        return known & 1 << UInt32(r) != 0 ? values[Int(r)] : nil
    }

    /// After instruction `inst` at `pc` retired.
    mutating func update(_ inst: Instruction, pc: UInt64) {
        guard inst.opcode.files.writesX else { return }
        known &= ~inst.secondWritten
        guard inst.rd != 0 else { return }
        let result: UInt64?
        switch inst.opcode {
        case .lui: result = UInt64(bitPattern: inst.imm)
        case .auipc: result = pc &+ UInt64(bitPattern: inst.imm)
        case .addi: result = value(of: inst.rs1).map { $0 &+ UInt64(bitPattern: inst.imm) }
        case .addiw:
            result = value(of: inst.rs1).map { UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: $0 &+ UInt64(bitPattern: inst.imm)))) }
        default: result = nil
        }
        if let result {
            known |= 1 << UInt32(inst.rd)
            values[Int(inst.rd)] = result
        } else {
            forget(inst.rd)
        }
    }

    mutating func forget(_ r: UInt8) {
        known &= ~(1 << UInt32(r))
    }

    /// What both of two ways into a join know: the registers each knows, with the same value.
    mutating func meet(_ other: KnownConstants) {
        var rest = known & other.known
        known = 0
        while rest != 0 {
            let r = rest.trailingZeroBitCount
            rest &= rest &- 1
            if values[r] == other.values[r] { known |= 1 << UInt32(r) }
        }
    }

    /// Whether an access of up to 64 bytes at `base + disp` lies wholly below `limit` (and does
    /// not wrap): then it needs no check against it.
    static func inRange(_ base: UInt64, _ disp: Int32, limit: UInt64) -> Bool {
        let address = base &+ UInt64(bitPattern: Int64(disp))
        return limit > 64 && address < limit - 64
    }
}
