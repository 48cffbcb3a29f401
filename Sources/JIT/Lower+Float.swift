import Guest
import Interpreter
import RISCV
import X86

/// F and D. Loads and stores move bits between guest memory and the f registers (cached in xmm
/// registers or in the state block, `FloatRegisters.swift`); everything else is lowered inline to
/// SSE/AVX/FMA3 (`FloatInline*.swift`), bit-identical to the interpreter's `FloatUnit`, which
/// inline code still calls for the rare cases x86 does differently: RMM, frm of 4–7, a NaN
/// result, a single that is not NaN-boxed, an integer conversion out of range, FMA without FMA3.
extension Translator {
    static let nanBox: UInt64 = 0xffff_ffff_0000_0000

    func fSlot(_ f: UInt8) -> Mem { .qword(Host.state, Int32(StateOffset.f + 8 * Int(f))) }

    /// flw NaN-boxes (upper 32 bits all ones); fld copies 64 bits. A cached rd is loaded
    /// straight from guest memory.
    mutating func loadFloat(_ i: Instruction, double: Bool) {
        guestAddress(i, .plain(store: false))
        markFaultSite(store: false)
        if double {
            if let x = fXMM(i.rd) {
                a.movsd(x, guestMemory(.qword))
                return
            }
            a.mov(.rcx, guestMemory(.qword))
        } else {
            a.mov(.ecx, guestMemory(.dword))
            a.mov(.rdx, imm: Int64(bitPattern: Translator.nanBox))
            a.or(.rcx, .rdx)
        }
        storeFBits(i.rd, .rcx)
    }

    /// fsw stores the low 32 bits as they are (no unboxing check); fsd all 64.
    mutating func storeFloat(_ i: Instruction, double: Bool) {
        guestAddress(i, .plain(store: true))
        if let x = fXMM(i.rs2) {
            markFaultSite(store: true)
            if double { a.movsd(guestMemory(.qword), x) } else { a.movss(guestMemory(.dword), x) }
            return
        }
        a.mov(.rcx, fSlot(i.rs2))
        markFaultSite(store: true)
        a.mov(guestMemory(double ? .qword : .dword), double ? .rcx : .ecx)
    }

    /// Every F/D register-to-register instruction.
    mutating func floatArithmetic(_ i: Instruction, _ op: FloatOp) {
        let fma = CPUFeatures.host.fma
        switch op {
        case .fmadd_s: fma ? fusedMultiplyAdd(i, .madd, .single) : floatHelper(i)
        case .fmsub_s: fma ? fusedMultiplyAdd(i, .msub, .single) : floatHelper(i)
        // RISC-V fnmsub is −(a·b) + c, x86's fnmadd; fnmadd is −(a·b) − c, x86's fnmsub.
        case .fnmsub_s: fma ? fusedMultiplyAdd(i, .nmadd, .single) : floatHelper(i)
        case .fnmadd_s: fma ? fusedMultiplyAdd(i, .nmsub, .single) : floatHelper(i)
        case .fmadd_d: fma ? fusedMultiplyAdd(i, .madd, .double) : floatHelper(i)
        case .fmsub_d: fma ? fusedMultiplyAdd(i, .msub, .double) : floatHelper(i)
        case .fnmsub_d: fma ? fusedMultiplyAdd(i, .nmadd, .double) : floatHelper(i)
        case .fnmadd_d: fma ? fusedMultiplyAdd(i, .nmsub, .double) : floatHelper(i)

        case .fadd_s: arithmetic(i, .add, .single)
        case .fsub_s: arithmetic(i, .sub, .single)
        case .fmul_s: arithmetic(i, .mul, .single)
        case .fdiv_s: arithmetic(i, .div, .single)
        case .fsqrt_s: arithmetic(i, .sqrt, .single)
        case .fadd_d: arithmetic(i, .add, .double)
        case .fsub_d: arithmetic(i, .sub, .double)
        case .fmul_d: arithmetic(i, .mul, .double)
        case .fdiv_d: arithmetic(i, .div, .double)
        case .fsqrt_d: arithmetic(i, .sqrt, .double)

        case .fsgnj_s: signInject(i, .copy, .single)
        case .fsgnjn_s: signInject(i, .negate, .single)
        case .fsgnjx_s: signInject(i, .xor, .single)
        case .fsgnj_d: signInject(i, .copy, .double)
        case .fsgnjn_d: signInject(i, .negate, .double)
        case .fsgnjx_d: signInject(i, .xor, .double)

        case .fmin_s: minMax(i, max: false, .single)
        case .fmax_s: minMax(i, max: true, .single)
        case .fmin_d: minMax(i, max: false, .double)
        case .fmax_d: minMax(i, max: true, .double)
        case .feq_s: compare(i, .e, .single)
        case .flt_s: compare(i, .b, .single)
        case .fle_s: compare(i, .be, .single)
        case .feq_d: compare(i, .e, .double)
        case .flt_d: compare(i, .b, .double)
        case .fle_d: compare(i, .be, .double)
        case .fclass_s: classify(i, .single)
        case .fclass_d: classify(i, .double)

        case .fcvt_w_s: toInteger(i, .single, .int32)
        case .fcvt_wu_s: toInteger(i, .single, .uint32)
        case .fcvt_l_s: toInteger(i, .single, .int64)
        case .fcvt_lu_s: toInteger(i, .single, .uint64)
        case .fcvt_w_d: toInteger(i, .double, .int32)
        case .fcvt_wu_d: toInteger(i, .double, .uint32)
        case .fcvt_l_d: toInteger(i, .double, .int64)
        case .fcvt_lu_d: toInteger(i, .double, .uint64)
        case .fcvt_s_w: fromInteger(i, .single, .int32)
        case .fcvt_s_wu: fromInteger(i, .single, .uint32)
        case .fcvt_s_l: fromInteger(i, .single, .int64)
        case .fcvt_s_lu: fromInteger(i, .single, .uint64)
        case .fcvt_d_w: fromInteger(i, .double, .int32)
        case .fcvt_d_wu: fromInteger(i, .double, .uint32)
        case .fcvt_d_l: fromInteger(i, .double, .int64)
        case .fcvt_d_lu: fromInteger(i, .double, .uint64)
        case .fcvt_s_d: convertFormat(i, to: .single)
        case .fcvt_d_s: convertFormat(i, to: .double)

        case .fmv_x_w: moveToInteger(i, .single)
        case .fmv_x_d: moveToInteger(i, .double)
        case .fmv_w_x: moveToFloat(i, .single)
        case .fmv_d_x: moveToFloat(i, .double)

        // Zfa: fli is a constant; the rest call FloatUnit (Lower+Zfa.swift).
        case .fli_s, .fli_d: loadFloatConstant(i, double: op == .fli_d)
        case .fminm_s, .fmaxm_s, .fminm_d, .fmaxm_d, .fround_s, .froundnx_s, .fround_d, .froundnx_d,
             .fcvtmod_w_d, .fleq_s, .fltq_s, .fleq_d, .fltq_d:
            zfa(i, op)

        // Zfh, Zfhmin and Zfa's half forms (Lower+Half.swift).
        case .fmadd_h, .fmsub_h, .fnmsub_h, .fnmadd_h, .fadd_h, .fsub_h, .fmul_h, .fdiv_h, .fsqrt_h,
             .fsgnj_h, .fsgnjn_h, .fsgnjx_h, .fmin_h, .fmax_h, .fcvt_w_h, .fcvt_wu_h, .fcvt_l_h, .fcvt_lu_h,
             .fmv_x_h, .feq_h, .flt_h, .fle_h, .fclass_h, .fcvt_h_w, .fcvt_h_wu, .fcvt_h_l, .fcvt_h_lu, .fmv_h_x,
             .fcvt_s_h, .fcvt_h_s, .fcvt_d_h, .fcvt_h_d,
             .fli_h, .fminm_h, .fmaxm_h, .fround_h, .froundnx_h, .fleq_h, .fltq_h:
            half(i, op)

        }
    }

    /// The whole instruction in `FloatUnit`.
    mutating func floatHelper(_ i: Instruction) {
        callHelper(i, targets.float)
    }
}
