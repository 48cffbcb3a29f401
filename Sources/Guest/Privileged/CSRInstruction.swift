import RISCV

/// The Zicsr instructions (csrrw, csrrs, csrrc and their immediate forms), performed by the
/// trap-and-emulate handler against the CSR file.
///
/// Entry point: `Hart.csr(_:_:_:writes:)`, called from `Hart.emulateSystem`'s Zicsr arms.
extension Hart {
    enum CSRUpdate { case assign, set, clear }

    /// Performs a csrr* instruction: reads the old value into rd and, if `writes`, updates the CSR
    /// with `operand`. Illegal if the CSR does not exist, or not at this privilege, or is
    /// read-only and written, or its enable bits forbid the access; then nothing changes.
    func csr(_ inst: Instruction, _ update: CSRUpdate, _ operand: UInt64, writes: Bool) -> Emulation {
        let pc = state.pc
        let number = inst.csr
        guard csrAllowed(number, writing: writes), let old = readCSR(number) else {
            return .exception(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(inst.raw)))
        }
        if writes {
            // mip's read-modify-write starts from the software-writable bits, not from the lines
            // the devices drive (which the read shows).
            let base = number == CSRNumber.mip || number == CSRNumber.sip ? state.mipSoftware : old
            switch update {
            case .assign: writeCSR(number, operand)
            case .set: writeCSR(number, base | operand)
            case .clear: writeCSR(number, base & ~operand)
            }
        }
        // csrrw/csrrwi with rd = x0 should not read; no CSR here has read side effects, and setX
        // discards x0, so the read above is harmless.
        state.setX(Int(inst.rd), old)
        state.pc = pc &+ UInt64(inst.length)
        return .retired(.resume)
    }
}
