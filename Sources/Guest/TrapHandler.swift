import RISCV

#if canImport(Glibc)
import Glibc
#endif

/// CSR numbers the trap-and-emulate handler knows.
public enum CSRNumber {
    public static let fflags: UInt16 = 0x001
    public static let frm: UInt16 = 0x002
    public static let fcsr: UInt16 = 0x003
    public static let cycle: UInt16 = 0xC00
    public static let time: UInt16 = 0xC01
    public static let instret: UInt16 = 0xC02

    /// CSRs whose bits 11:10 are `11` are read-only; writing one is an illegal instruction.
    @inline(__always) public static func isReadOnly(_ csr: UInt16) -> Bool { csr >> 10 & 3 == 3 }
    /// Bits 9:8 give the lowest privilege level that may access the CSR.
    @inline(__always) public static func minimumPrivilege(_ csr: UInt16) -> UInt8 { UInt8(truncatingIfNeeded: csr >> 8 & 3) }
}

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
/// instructions retired before it (so reading `instret` sees exactly those). Privileged-state
/// emulation for system mode will be added where `privilege` is consulted below.
extension Hart {
    /// Executes a system instruction and reports any exception to the environment.
    /// Does not count `instret`; engines do.
    public func emulate(_ inst: Instruction) -> Continuation {
        switch emulateSystem(inst) {
        case .retired(let next): next
        case .exception(let trap): raise(trap)
        }
    }

    /// Executes a system instruction without reporting exceptions, so the engine can tell a
    /// retired instruction from one that trapped.
    public func emulateSystem(_ inst: Instruction) -> Emulation {
        let pc = state.pc
        let illegal = Emulation.exception(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(inst.raw)))
        // Engines hand over only the system group (`Opcode.isSystem`); anything else reaching
        // the handler is an engine bug, reported to the guest as the safest thing: illegal.
        guard let op = SystemOp(inst.opcode) else { return illegal }
        switch op {
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
            // Legal only above U-mode; system-mode emulation (trap return, TLB flush, idle)
            // belongs here when it arrives. Until then every mode treats them as illegal.
            switch privilege {
            case .user, .supervisor, .machine: return illegal
            }
        }
    }

    /// Reports an exception to the environment (`state.pc` is set to the trap's pc first). With no
    /// environment, the guest stops as Linux would kill it.
    public func raise(_ trap: GuestTrap) -> Continuation {
        state.pc = trap.pc
        if let environment { return environment.exception(self, trap) }
        return .stop(.signaled(Hart.signal(for: trap.cause)))
    }

    /// The signal Linux sends a user program for an exception cause.
    public static func signal(for cause: ExceptionCause) -> Int32 {
        switch cause {
        case .illegalInstruction: SIGILL
        case .breakpoint: SIGTRAP
        case .instructionMisaligned, .loadMisaligned, .storeMisaligned: SIGBUS
        case .instructionAccessFault, .loadAccessFault, .storeAccessFault,
             .instructionPageFault, .loadPageFault, .storePageFault: SIGSEGV
        case .ecallFromU, .ecallFromS, .ecallFromM: SIGSYS
        }
    }

    private var ecallCause: ExceptionCause {
        switch privilege {
        case .user: .ecallFromU
        case .supervisor: .ecallFromS
        case .machine: .ecallFromM
        }
    }

    // MARK: Zicsr

    private enum CSRUpdate { case assign, set, clear }

    /// Performs a csrr* instruction: reads the old value into rd and, if `writes`, updates the CSR
    /// with `operand`. Illegal if the CSR does not exist at this privilege or is read-only and
    /// written; then nothing changes.
    private func csr(_ inst: Instruction, _ update: CSRUpdate, _ operand: UInt64, writes: Bool) -> Emulation {
        let pc = state.pc
        let number = inst.csr
        guard CSRNumber.minimumPrivilege(number) <= privilege.rawValue, let old = readCSR(number),
              !(writes && CSRNumber.isReadOnly(number)) else {
            return .exception(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(inst.raw)))
        }
        if writes {
            switch update {
            case .assign: writeCSR(number, operand)
            case .set: writeCSR(number, old | operand)
            case .clear: writeCSR(number, old & ~operand)
            }
        }
        // csrrw/csrrwi with rd = x0 should not read; no CSR here has read side effects, and setX
        // discards x0, so the read above is harmless.
        state.setX(Int(inst.rd), old)
        state.pc = pc &+ UInt64(inst.length)
        return .retired(.resume)
    }

    /// A CSR's value, or nil if it does not exist at this privilege level.
    private func readCSR(_ csr: UInt16) -> UInt64? {
        switch csr {
        case CSRNumber.fflags: UInt64(state.fflags)
        case CSRNumber.frm: UInt64(state.frm)
        case CSRNumber.fcsr: UInt64(state.fcsr)
        // One instruction per cycle, as far as the guest can tell.
        case CSRNumber.cycle, CSRNumber.instret: state.instret
        case CSRNumber.time: time
        default: nil
        }
    }

    /// Writes a CSR that `readCSR` knows and that is not read-only (bits beyond the field are
    /// dropped, as the spec's WARL/WPRI rules allow).
    private func writeCSR(_ csr: UInt16, _ value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch csr {
        case CSRNumber.fflags: state.fflags = v & 0x1f
        case CSRNumber.frm: state.frm = v & 0x7
        case CSRNumber.fcsr: state.fcsr = v & 0xff
        default: break
        }
    }
}
