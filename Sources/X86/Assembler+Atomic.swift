/// Locked read-modify-write: the building blocks of RISC-V AMOs and LR/SC.
extension Assembler {
    /// Makes the next instruction `lock`-prefixed: `a.lock(); a.add(.qword(.rdi, 0), .rax)`.
    /// Only read-modify-write instructions with a memory destination may follow.
    public mutating func lock() { pendingLock = true }

    /// `cmpxchg dst, src`: if rax (al/ax/eax) equals `dst`, store `src`; else load `dst` into it.
    public mutating func cmpxchg(_ dst: Mem, _ src: Reg) {
        let s = src.size
        emit(s.prefixes, w: s.rexW, .of(0x0F, s.opcode(0xB0)), reg: src.gpr.rawValue, rm: .mem(dst), byteRegs: .of(src))
    }

    /// `cmpxchg16b dst`: if rdx:rax equals the 16 bytes at `dst`, store rcx:rbx; else load them
    /// into rdx:rax. `dst` must be 16-byte aligned.
    public mutating func cmpxchg16b(_ dst: Mem) {
        emit(.none, w: true, .of(0x0F, 0xC7), reg: 1, rm: .mem(dst))
    }

    /// `xadd dst, src`: `dst += src`, and `src` gets the old `dst`.
    public mutating func xadd(_ dst: Mem, _ src: Reg) {
        let s = src.size
        emit(s.prefixes, w: s.rexW, .of(0x0F, s.opcode(0xC0)), reg: src.gpr.rawValue, rm: .mem(dst), byteRegs: .of(src))
    }
}
