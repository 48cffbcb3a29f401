import Guest
import RISCV
import X86

/// F and D. Loads and stores move bits between guest memory and the f registers in the state
/// block inline; arithmetic calls the interpreter's `FloatUnit`, which is bit-exact (NaN boxing,
/// canonical NaNs, fflags, rounding modes) — lowering it to SSE is a later issue.
extension Translator {
    static let nanBox: UInt64 = 0xffff_ffff_0000_0000

    func fSlot(_ f: UInt8) -> Mem { .qword(Host.state, Int32(StateOffset.f + 8 * Int(f))) }

    /// flw NaN-boxes (upper 32 bits all ones); fld copies 64 bits.
    mutating func loadFloat(_ i: Instruction, double: Bool) {
        guestAddress(i, store: false)
        markFaultSite(store: false)
        if double {
            a.mov(.rcx, guestMemory(.qword))
        } else {
            a.mov(.ecx, guestMemory(.dword))
            a.mov(.rdx, imm: Int64(bitPattern: Translator.nanBox))
            a.or(.rcx, .rdx)
        }
        a.mov(fSlot(i.rd), .rcx)
    }

    /// fsw stores the low 32 bits as they are (no unboxing check); fsd all 64.
    mutating func storeFloat(_ i: Instruction, double: Bool) {
        guestAddress(i, store: true)
        a.mov(.rcx, fSlot(i.rs2))
        markFaultSite(store: true)
        a.mov(guestMemory(double ? .qword : .dword), double ? .rcx : .ecx)
    }

    mutating func floatArithmetic(_ i: Instruction) {
        callHelper(i, targets.float)
    }
}
