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
        switch inst.opcode {
        case .ecall:
            guard let environment else { return .exception(GuestTrap(ecallCause, pc: pc)) }
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
        case .lui, .auipc, .jal, .jalr, .beq, .bne, .blt, .bge, .bltu, .bgeu,
             .lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, .sb, .sh, .sw, .sd,
             .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai,
             .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
             .addiw, .slliw, .srliw, .sraiw, .addw, .subw, .sllw, .srlw, .sraw, .fence,
             .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw,
             .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .lr_d, .sc_d, .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
             .amomin_d, .amomax_d, .amominu_d, .amomaxu_d,
             .flw, .fsw, .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s,
             .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s, .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fmv_x_w, .feq_s, .flt_s, .fle_s, .fclass_s,
             .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fmv_w_x,
             .fld, .fsd, .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d,
             .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d, .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d,
             .fcvt_s_d, .fcvt_d_s, .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d,
             .fmv_x_d, .feq_d, .flt_d, .fle_d, .fclass_d, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu, .fmv_d_x:
            // Engines execute these themselves; reaching the handler with one is an engine bug,
            // reported to the guest as the safest thing: an illegal instruction.
            return illegal
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
