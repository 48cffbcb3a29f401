import Guest
import X86

/// The host MXCSR while guest code runs, and the guest's.
///
/// Translated code runs under the guest's MXCSR image: the rounding control of `frm` (its low two
/// bits: a frm of 4–7 makes every dynamic-rm instruction go to `FloatUnit`, so the rounding it
/// leaves in MXCSR is never used), all exceptions masked, DAZ/FTZ off. Exception flags accrue in
/// MXCSR and are ORed into `fflags` ("folded") only where something can observe them: the
/// epilogue, every helper call, an inline read of fflags/fcsr. Folding leaves them in MXCSR
/// (ORing them in again changes nothing); writing fflags clears them.
enum GuestMXCSR {
    /// The host's MXCSR, saved by the prologue and restored by the epilogue and around helpers
    /// (the state block's second-to-last scratch word; `mxcsrScratch` is the last).
    static let hostSlot = StateOffset.scratch + 8 * (StateOffset.scratchCount - 2)
    /// The guest image for the current frm, with no flags: what `ldmxcsr` loads after a helper
    /// call or a write of fflags.
    static let guestSlot = hostSlot + 4

    static var host: Mem { .dword(Host.state, Int32(hostSlot)) }
    static var guest: Mem { .dword(Host.state, Int32(guestSlot)) }

    /// Computes the guest image from frm into `guestSlot` and loads it. Clobbers rcx and rdx.
    static func loadFromFRM(_ a: inout Assembler) {
        a.mov(.ecx, .dword(Host.state, Int32(StateOffset.frm)))
        a.and(.ecx, imm: 3)
        a.mov(.rdx, imm: Int64(bitPattern: FloatConstants.address), tag: Relocation.tag(.floatConstants))
        a.mov(.ecx, Mem(.dword, base: .gpr(.rdx), index: .rcx, scale: 4, disp: 0))
        a.mov(guest, .ecx)
        a.ldmxcsr(guest)
    }

    /// ORs the RISC-V equivalents of MXCSR's exception flags into fflags; MXCSR keeps them.
    /// Clobbers rcx and rdx.
    static func fold(_ a: inout Assembler) {
        let slot = Mem.dword(Host.state, Int32(mxcsrScratch))
        a.stmxcsr(slot)
        a.mov(.ecx, slot)
        a.and(.ecx, imm: 0x3f)
        a.mov(.rdx, imm: Int64(bitPattern: FloatConstants.address), tag: Relocation.tag(.floatConstants))
        a.movzx(.ecx, Mem(.byte, base: .gpr(.rdx), index: .rcx, scale: 1, disp: FloatConstants.flagMapOffset))
        a.or(.dword(Host.state, Int32(StateOffset.fflags)), .ecx)
    }

    /// Entering translated code: save the host's MXCSR, load the guest's and its f registers.
    static func enter(_ a: inout Assembler) {
        a.stmxcsr(host)
        loadFromFRM(&a)
        FloatRegisterMap.load(&a)
    }

    /// Leaving it: f registers and flags into the state block, the host's MXCSR back.
    static func leave(_ a: inout Assembler) {
        FloatRegisterMap.store(&a)
        fold(&a)
        a.ldmxcsr(host)
    }

    /// Coming back from a helper call (after `leave`): the guest's image, flags clear (frm
    /// cannot have changed: no helper writes the FP CSRs), and its f registers.
    static func resume(_ a: inout Assembler) {
        a.ldmxcsr(guest)
        FloatRegisterMap.load(&a)
    }
}
