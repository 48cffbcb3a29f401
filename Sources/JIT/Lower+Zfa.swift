import Guest
import Interpreter
import RISCV
import X86

/// Zfa. fli is a constant known at translation time (singles NaN-boxed); the others go to
/// `FloatUnit`, exact by construction: x86 has no NaN-propagating minimum, its quiet compares
/// leave NaN ordering to flags the inline compare path would have to re-derive, and
/// fround's NaN and RMM cases would need the same fallbacks as the other rounded operations.
extension Translator {
    mutating func loadFloatConstant(_ i: Instruction, double: Bool) {
        let bits = FloatConstantTable.value(Int(i.rs1), double: double)
        a.mov(.rcx, imm: Int64(bitPattern: double ? bits : bits | Translator.nanBox))
        storeFBits(i.rd, .rcx)
    }

    mutating func zfa(_ i: Instruction, _ op: FloatOp) {
        floatHelper(i)
    }
}
