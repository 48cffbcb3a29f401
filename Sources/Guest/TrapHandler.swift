import RISCV


/// What the trap-and-emulate handler did with one system instruction.
public enum Emulation: Equatable, Sendable {
    /// The instruction completed (it retires; the engine counts it); go on as the continuation says.
    case retired(Continuation)
    /// The instruction raised this exception and did not retire: nothing was changed.
    case exception(GuestTrap)
}

/// The trap-and-emulate handler: the instructions engines do not execute themselves (`ecall`,
/// `ebreak`, Zicsr, `fence.i`, `mret`, `sret`, `wfi`, `sfence.vma`).
///
/// Engines call it with `state.pc` at the instruction and `state.instret` counting the
/// instructions retired before it (so reading `instret` sees exactly those). The CSR file, trap
/// return and the other privileged instructions are in Privileged/.
extension Hart {
    /// Executes a system instruction without reporting exceptions, so the engine can tell a
    /// retired instruction from one that trapped. Does not count `instret`; engines do.
    public func emulateSystem(_ inst: Instruction) -> Emulation {
        let pc = state.pc
        let illegal = Emulation.exception(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(inst.raw)))
        // Engines hand over only the system group (`Opcode.isSystem`); anything else reaching
        // the handler is an engine bug, reported to the guest as the safest thing: illegal.
        guard let op = SystemOp(inst.opcode) else { return illegal }
        switch op {
        case .ecall:
            // On a whole machine ecall is an exception like any other: it does not retire
            // (minstret stays, as on Spike), and it spends a unit of --max-insns as a trap. A
            // Linux process's ecall is a system call the environment completes: that retires.
            guard let environment, environment.environmentCallRetires else { return .exception(GuestTrap(ecallCause, pc: pc)) }
            return .retired(environment.environmentCall(self))
        case .ebreak:
            return .exception(GuestTrap(.breakpoint, pc: pc, tval: pc))
        // The immediate forms carry the 5-bit uimm in `rs1`. The set/clear forms with x0 or a zero
        // uimm do not write, which is what makes them legal on read-only CSRs.
        case .csrrw: return csr(inst, .assign, state.x(Int(inst.rs1)), writes: true)
        case .csrrs: return csr(inst, .set, state.x(Int(inst.rs1)), writes: inst.rs1 != 0)
        case .csrrc: return csr(inst, .clear, state.x(Int(inst.rs1)), writes: inst.rs1 != 0)
        case .csrrwi: return csr(inst, .assign, UInt64(inst.rs1), writes: true)
        case .csrrsi: return csr(inst, .set, UInt64(inst.rs1), writes: inst.rs1 != 0)
        case .csrrci: return csr(inst, .clear, UInt64(inst.rs1), writes: inst.rs1 != 0)
        case .fence_i:
            memory.invalidateCode()
            state.pc = pc &+ UInt64(inst.length)
            return .retired(.resume)
        case .mret, .sret, .wfi, .sfence_vma:
            return emulatePrivileged(inst)
        case .cbo_clean, .cbo_flush, .cbo_inval, .cbo_zero, .wrs_nto, .wrs_sto:
            return emulateCacheBlock(inst, op)
        }
    }

    /// Reports an exception to the environment (`state.pc` is set to the trap's pc first). With no
    /// environment the run stops on it.
    public func raise(_ trap: GuestTrap) -> Continuation {
        state.pc = trap.pc
        if let environment { return environment.exception(self, trap) }
        return .stop(.unhandled(trap))
    }

    private var ecallCause: ExceptionCause {
        switch privilege {
        case .user: .ecallFromU
        case .supervisor: .ecallFromS
        case .machine: .ecallFromM
        }
    }
}
