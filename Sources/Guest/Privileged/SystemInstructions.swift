import RISCV

/// mret, sret, wfi and sfence.vma as the trap-and-emulate handler performs them, with the
/// privilege checks and the TVM, TW and TSR traps of mstatus.
///
/// Entry point: `Hart.emulatePrivileged(_:)`, called from `Hart.emulateSystem`.
extension Hart {
    /// Performs mret, sret, wfi or sfence.vma (any other instruction is illegal here).
    func emulatePrivileged(_ inst: Instruction) -> Emulation {
        let mode = privilege
        let status = state.mstatus
        let illegal = Emulation.exception(GuestTrap(.illegalInstruction, pc: state.pc, tval: UInt64(inst.raw)))
        let opcode = inst.opcode
        if opcode == .mret {
            guard mode == .machine else { return illegal }
            trapReturn(from: .machine)
            return .retired(.resume)
        }
        if opcode == .sret {
            guard mode == .machine || mode == .supervisor && status & MStatus.tsr == 0 else { return illegal }
            trapReturn(from: .supervisor)
            return .retired(.resume)
        }
        if opcode == .wfi {
            // U-mode may never wait, S-mode not when TW traps it to M.
            guard mode == .machine || mode == .supervisor && status & MStatus.tw == 0 else { return illegal }
            state.pc &+= UInt64(inst.length)
            return .retired(interruptWaiting ? .resume : .waitForInterrupt)
        }
        if opcode == .sfence_vma {
            guard mode == .machine || mode == .supervisor && status & MStatus.tvm == 0 else { return illegal }
            // rs1/rs2 = x0 (the register, not its value) mean all addresses / all address spaces.
            let asid = inst.rs2 == 0 ? nil : UInt16(truncatingIfNeeded: state.x(Int(inst.rs2)))
            if inst.rs1 != 0 {
                tlb.flush(address: state.x(Int(inst.rs1)), asid: asid)
            } else if let asid {
                tlb.flush(asid: asid)
            } else {
                tlb.flushAll()
            }
            state.pc &+= UInt64(inst.length)
            return .retired(.resume)
        }
        return illegal
    }
}
