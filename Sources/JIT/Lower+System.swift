import Guest
import RISCV
import X86

/// Instructions translated code does not perform itself.
extension Translator {
    /// Privileged and sensitive instructions end the block and go to the trap-and-emulate handler
    /// (`Hart.emulateSystem`) with their decoded form and pc.
    mutating func system(_ i: Instruction) {
        let index = tables.addSystemInstruction(i)
        storePC(pc)
        leave(.system, argument: index)
    }

    /// Anything not lowered inline (F/D, A for now) runs in the interpreter through
    /// `slowPathEntry`: cached registers are written back first and reloaded after, since the
    /// instruction may read or write any of them.
    mutating func slowPath(_ i: Instruction) {
        let instruction = tables.keep(i)
        storePC(pc)
        spillForCall()
        a.mov(.rdi, .rbx)
        a.mov(.rsi, imm: Int64(Int(bitPattern: instruction)))
        a.mov(.rax, imm: Int64(bitPattern: targets.slowPath))
        a.call(.rax)
        reloadAfterCall()
        let undo = notRetired
        let failed = outOfLine { t in
            // pc is still this instruction's; it did not retire.
            if undo > 0 { t.a.add(.r64(Host.budget), imm: Int32(undo)) }
            t.leave(.helper)
        }
        a.test(.eax, .eax)
        a.jcc(.ne, failed)
    }
}
