import Guest
import Interpreter
import RISCV
import X86

/// Zfa. fli is a constant known at translation time (singles NaN-boxed). For ordered operands
/// fminm/fmaxm are fmin/fmax and fltq/fleq are flt/fle, so they share those lowerings, whose
/// NaN cases already go to `FloatUnit` (which applies Zfa's rules there). fround/froundnx are
/// SSE4.1's roundss/roundsd with the mode in the immediate (precision exception suppressed for
/// fround, so NX accrues only for froundnx); NaN operands, RMM and hosts without SSE4.1 call
/// `FloatUnit`. fcvtmod.w.d always does.
extension Translator {
    mutating func loadFloatConstant(_ i: Instruction, double: Bool) {
        let bits = FloatConstantTable.value(Int(i.rs1), double: double)
        a.mov(.rcx, imm: Int64(bitPattern: double ? bits : bits | Translator.nanBox))
        storeFBits(i.rd, .rcx)
    }

    mutating func zfa(_ i: Instruction, _ op: FloatOp) {
        switch op {
        case .fminm_s: minMax(i, max: false, .single)
        case .fmaxm_s: minMax(i, max: true, .single)
        case .fminm_d: minMax(i, max: false, .double)
        case .fmaxm_d: minMax(i, max: true, .double)
        case .fltq_s: compare(i, .b, .single)
        case .fleq_s: compare(i, .be, .single)
        case .fltq_d: compare(i, .b, .double)
        case .fleq_d: compare(i, .be, .double)
        case .fround_s: roundToIntegral(i, .single, inexact: false)
        case .froundnx_s: roundToIntegral(i, .single, inexact: true)
        case .fround_d: roundToIntegral(i, .double, inexact: false)
        case .froundnx_d: roundToIntegral(i, .double, inexact: true)
        default: floatHelper(i) // fcvtmod.w.d
        }
    }

    /// roundss/roundsd: imm bits 1:0 the x86 mode, bit 2 "use MXCSR" (the guest's frm, for the
    /// dynamic rm), bit 3 suppresses the inexact flag.
    mutating func roundToIntegral(_ i: Instruction, _ p: Precision, inexact: Bool) {
        guard targets.features.sse41 else { floatHelper(i); return }
        roundedOperation(i) { t, m, fallback in
            t.loadF(.xmm0, i.rs1, p, unboxed: fallback)
            t.jumpIfNaN(.xmm0, p, fallback)
            // RISC-V rne, rtz, rdn, rup are x86 modes 0, 3, 1, 2.
            var imm: UInt8 = m.map { [0, 3, 1, 2][Int($0)] } ?? 4
            if !inexact { imm |= 8 }
            t.a.round(p, .xmm0, .xmm0, mode: imm)
            t.storeF(i.rd, .xmm0, p)
        }
    }
}
