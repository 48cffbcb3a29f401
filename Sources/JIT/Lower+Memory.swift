import Guest
import RISCV
import X86

/// Loads and stores, confined to guest memory (DESIGN.md §3): an address at or above the
/// guest limit leaves through a fault stub; inside the range the host page protections mirror the
/// guest's, so the access itself may fault in the host and `FaultHandler` turns that into the same
/// guest exception. Misaligned accesses simply work on x86, as Linux makes them work for RISC-V.
extension Translator {
    enum LoadKind { case signed8, signed16, signed32, bits64, unsigned8, unsigned16, unsigned32 }

    /// rax = rs1 + imm, the guest address, checked against the limit; `guestMemory` then names
    /// the access. When rs1 is cached the access addresses `[memory + rs1 + imm]` itself, so the
    /// load does not wait for the lea (the check runs beside it, predicted not taken); the sum is
    /// the same modulo 2^64. When an earlier check in the block covers the access
    /// (CheckedBases.swift) there is neither check nor lea: the fault site says where the address is.
    mutating func guestAddress(_ i: Instruction, store: Bool) {
        let imm = Int32(truncatingIfNeeded: i.imm)
        access = (Host.t0, 0)
        let checked = checkedBases.covers(i.rs1, imm)
        switch operand(i.rs1) {
        case .zero: materialize(Host.t0, UInt64(bitPattern: i.imm))
        case .host(let h):
            access = (h, imm)
            // Covered by an earlier check: no address to compare, and the fault handler finds it
            // from h itself (FaultSite.addressRegister).
            if checked { return }
            if imm == 0 { a.mov(.rax, .r64(h)) } else { a.lea(.rax, .qword(h, imm)) }
        case .memory(let d):
            a.mov(.rax, .qword(Host.state, d))
            if imm != 0 { a.add(.rax, imm: imm) }
        }
        if checked { return }
        a.cmp(.rax, .qword(Host.state, Int32(StateOffset.memoryLimit)))
        a.jcc(.ae, faultExit(store: store))
        checkedBases.insert(i.rs1, imm)
    }

    /// The guest memory operand of the access `guestAddress` just checked.
    func guestMemory(_ size: OperandSize) -> Mem {
        Mem(size, base: .gpr(Host.memory), index: access.index, scale: 1, disp: access.disp)
    }

    mutating func loadMemory(_ i: Instruction, _ kind: LoadKind) {
        guestAddress(i, store: false)
        var d = Host.t1
        if case .host(let h) = operand(i.rd) { d = h }
        markFaultSite(store: false)
        switch kind {
        case .signed8: a.movsx(.r64(d), guestMemory(.byte))
        case .signed16: a.movsx(.r64(d), guestMemory(.word))
        case .signed32: a.movsxd(.r64(d), guestMemory(.dword))
        case .bits64: a.mov(.r64(d), guestMemory(.qword))
        case .unsigned8: a.movzx(.r32(d), guestMemory(.byte))
        case .unsigned16: a.movzx(.r32(d), guestMemory(.word))
        case .unsigned32: a.mov(.r32(d), guestMemory(.dword))
        }
        store(i.rd, d) // x0: loaded (it may fault) and dropped
    }

    mutating func storeMemory(_ i: Instruction, _ size: OperandSize) {
        guestAddress(i, store: true)
        switch operand(i.rs2) {
        case .zero:
            markFaultSite(store: true)
            a.mov(guestMemory(size), imm: 0)
        case .host(let h):
            markFaultSite(store: true)
            a.mov(guestMemory(size), Reg(h, size))
        case .memory(let d):
            a.mov(.rcx, .qword(Host.state, d))
            markFaultSite(store: true)
            a.mov(guestMemory(size), Reg(.rcx, size))
        }
    }
}
