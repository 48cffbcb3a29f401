import Guest
import RISCV

/// Executes the F and D extensions' register-to-register instructions against a hart's state.
///
/// This is the reference semantics both engines share: the interpreter calls it for every F/D
/// arithmetic instruction and the JIT calls it as the slow path for what it does not lower.
public enum FloatUnit {
    /// Executes one F/D arithmetic instruction (every opcode from `fmadd_s` through `fmv_d_x`
    /// except the loads and stores): reads and writes f and x registers, ORs raised exceptions
    /// into fflags, and rounds by `inst.rm` (7 = dynamic, from frm). Never touches pc.
    ///
    /// Returns false, having written nothing, when the instruction is illegal: a rounding
    /// instruction with rm 5 or 6, or dynamic with frm 5, 6 or 7. Also returns false for an
    /// opcode outside the float group (loads, stores and other groups are not its business).
    public static func execute(_ inst: Instruction, _ state: GuestState) -> Bool {
        guard let op = FloatOp(inst.opcode) else { return false }
        return execute(op, inst, state)
    }

    @inline(__always)
    static func execute(_ op: FloatOp, _ inst: Instruction, _ state: GuestState) -> Bool {
        let r = FloatOperands(inst, state)
        switch op {
        // Fused multiply-add.
        case .fmadd_s: return r.rounded { r.setS(FloatOps.fmaS(a: r.s1, b: r.s2, c: r.s3, rm: $0, flags: &$1)) }
        case .fmsub_s: return r.rounded { r.setS(FloatOps.fmaS(a: r.s1, b: r.s2, c: r.s3, negateAddend: true, rm: $0, flags: &$1)) }
        case .fnmsub_s: return r.rounded { r.setS(FloatOps.fmaS(a: r.s1, b: r.s2, c: r.s3, negateProduct: true, rm: $0, flags: &$1)) }
        case .fnmadd_s:
            return r.rounded { r.setS(FloatOps.fmaS(a: r.s1, b: r.s2, c: r.s3, negateProduct: true, negateAddend: true, rm: $0, flags: &$1)) }
        case .fmadd_d: return r.rounded { r.setD(FloatOps.fmaD(a: r.d1, b: r.d2, c: r.d3, rm: $0, flags: &$1)) }
        case .fmsub_d: return r.rounded { r.setD(FloatOps.fmaD(a: r.d1, b: r.d2, c: r.d3, negateAddend: true, rm: $0, flags: &$1)) }
        case .fnmsub_d: return r.rounded { r.setD(FloatOps.fmaD(a: r.d1, b: r.d2, c: r.d3, negateProduct: true, rm: $0, flags: &$1)) }
        case .fnmadd_d:
            return r.rounded { r.setD(FloatOps.fmaD(a: r.d1, b: r.d2, c: r.d3, negateProduct: true, negateAddend: true, rm: $0, flags: &$1)) }

        // Rounded arithmetic.
        case .fadd_s: return r.rounded { r.setS(FloatOps.addS(a: r.s1, b: r.s2, rm: $0, flags: &$1)) }
        case .fsub_s: return r.rounded { r.setS(FloatOps.subS(a: r.s1, b: r.s2, rm: $0, flags: &$1)) }
        case .fmul_s: return r.rounded { r.setS(FloatOps.mulS(a: r.s1, b: r.s2, rm: $0, flags: &$1)) }
        case .fdiv_s: return r.rounded { r.setS(FloatOps.divS(a: r.s1, b: r.s2, rm: $0, flags: &$1)) }
        case .fsqrt_s: return r.rounded { r.setS(FloatOps.sqrtS(a: r.s1, rm: $0, flags: &$1)) }
        case .fadd_d: return r.rounded { r.setD(FloatOps.addD(a: r.d1, b: r.d2, rm: $0, flags: &$1)) }
        case .fsub_d: return r.rounded { r.setD(FloatOps.subD(a: r.d1, b: r.d2, rm: $0, flags: &$1)) }
        case .fmul_d: return r.rounded { r.setD(FloatOps.mulD(a: r.d1, b: r.d2, rm: $0, flags: &$1)) }
        case .fdiv_d: return r.rounded { r.setD(FloatOps.divD(a: r.d1, b: r.d2, rm: $0, flags: &$1)) }
        case .fsqrt_d: return r.rounded { r.setD(FloatOps.sqrtD(a: r.d1, rm: $0, flags: &$1)) }

        // Sign injection: no rounding, no flags, no canonicalisation.
        case .fsgnj_s: r.setS(FloatOps.signInjectS(a: r.s1, b: r.s2, .copy)); return true
        case .fsgnjn_s: r.setS(FloatOps.signInjectS(a: r.s1, b: r.s2, .negate)); return true
        case .fsgnjx_s: r.setS(FloatOps.signInjectS(a: r.s1, b: r.s2, .xor)); return true
        case .fsgnj_d: r.setD(FloatOps.signInjectD(a: r.d1, b: r.d2, .copy)); return true
        case .fsgnjn_d: r.setD(FloatOps.signInjectD(a: r.d1, b: r.d2, .negate)); return true
        case .fsgnjx_d: r.setD(FloatOps.signInjectD(a: r.d1, b: r.d2, .xor)); return true

        // Min, max and comparisons: flags but no rounding.
        case .fmin_s: return r.unrounded { r.setS(FloatOps.minS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fmax_s: return r.unrounded { r.setS(FloatOps.maxS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fmin_d: return r.unrounded { r.setD(FloatOps.minD(a: r.d1, b: r.d2, flags: &$0)) }
        case .fmax_d: return r.unrounded { r.setD(FloatOps.maxD(a: r.d1, b: r.d2, flags: &$0)) }
        case .feq_s: return r.unrounded { r.setX(FloatOps.eqS(a: r.s1, b: r.s2, flags: &$0)) }
        case .flt_s: return r.unrounded { r.setX(FloatOps.ltS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fle_s: return r.unrounded { r.setX(FloatOps.leS(a: r.s1, b: r.s2, flags: &$0)) }
        case .feq_d: return r.unrounded { r.setX(FloatOps.eqD(a: r.d1, b: r.d2, flags: &$0)) }
        case .flt_d: return r.unrounded { r.setX(FloatOps.ltD(a: r.d1, b: r.d2, flags: &$0)) }
        case .fle_d: return r.unrounded { r.setX(FloatOps.leD(a: r.d1, b: r.d2, flags: &$0)) }
        case .fclass_s: r.setX(FloatOps.classS(a: r.s1)); return true
        case .fclass_d: r.setX(FloatOps.classD(a: r.d1)); return true

        // Float to integer.
        case .fcvt_w_s: return r.rounded { r.setX(FloatOps.toIntegerS(a: r.s1, .int32, rm: $0, flags: &$1)) }
        case .fcvt_wu_s: return r.rounded { r.setX(FloatOps.toIntegerS(a: r.s1, .uint32, rm: $0, flags: &$1)) }
        case .fcvt_l_s: return r.rounded { r.setX(FloatOps.toIntegerS(a: r.s1, .int64, rm: $0, flags: &$1)) }
        case .fcvt_lu_s: return r.rounded { r.setX(FloatOps.toIntegerS(a: r.s1, .uint64, rm: $0, flags: &$1)) }
        case .fcvt_w_d: return r.rounded { r.setX(FloatOps.toIntegerD(a: r.d1, .int32, rm: $0, flags: &$1)) }
        case .fcvt_wu_d: return r.rounded { r.setX(FloatOps.toIntegerD(a: r.d1, .uint32, rm: $0, flags: &$1)) }
        case .fcvt_l_d: return r.rounded { r.setX(FloatOps.toIntegerD(a: r.d1, .int64, rm: $0, flags: &$1)) }
        case .fcvt_lu_d: return r.rounded { r.setX(FloatOps.toIntegerD(a: r.d1, .uint64, rm: $0, flags: &$1)) }

        // Integer to float.
        case .fcvt_s_w: return r.rounded { r.setS(FloatOps.fromIntegerS(x: r.x1, .int32, rm: $0, flags: &$1)) }
        case .fcvt_s_wu: return r.rounded { r.setS(FloatOps.fromIntegerS(x: r.x1, .uint32, rm: $0, flags: &$1)) }
        case .fcvt_s_l: return r.rounded { r.setS(FloatOps.fromIntegerS(x: r.x1, .int64, rm: $0, flags: &$1)) }
        case .fcvt_s_lu: return r.rounded { r.setS(FloatOps.fromIntegerS(x: r.x1, .uint64, rm: $0, flags: &$1)) }
        case .fcvt_d_w: return r.rounded { r.setD(FloatOps.fromIntegerD(x: r.x1, .int32, rm: $0, flags: &$1)) }
        case .fcvt_d_wu: return r.rounded { r.setD(FloatOps.fromIntegerD(x: r.x1, .uint32, rm: $0, flags: &$1)) }
        case .fcvt_d_l: return r.rounded { r.setD(FloatOps.fromIntegerD(x: r.x1, .int64, rm: $0, flags: &$1)) }
        case .fcvt_d_lu: return r.rounded { r.setD(FloatOps.fromIntegerD(x: r.x1, .uint64, rm: $0, flags: &$1)) }

        // Between formats. fcvt.d.s never rounds but, like QEMU, still rejects a reserved rm.
        case .fcvt_s_d: return r.rounded { r.setS(FloatOps.doubleToSingle(a: r.d1, rm: $0, flags: &$1)) }
        case .fcvt_d_s: return r.rounded { r.setD(FloatOps.singleToDouble(a: r.s1, rm: $0, flags: &$1)) }

        // Raw moves: fmv.x.w sign-extends bits 31:0 without an unboxing check; fmv.w.x boxes.
        case .fmv_x_w: r.setX(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: r.d1)))); return true
        case .fmv_w_x: r.setS(UInt32(truncatingIfNeeded: r.x1)); return true
        case .fmv_x_d: r.setX(r.d1); return true
        case .fmv_d_x: r.setD(r.x1); return true

        // Zfa. fli's rs1 field is the constant's index.
        case .fli_s: r.setS(UInt32(truncatingIfNeeded: FloatConstantTable.value(Int(inst.rs1), double: false))); return true
        case .fli_d: r.setD(FloatConstantTable.value(Int(inst.rs1), double: true)); return true
        case .fminm_s: return r.unrounded { r.setS(FloatOps.minimumS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fmaxm_s: return r.unrounded { r.setS(FloatOps.maximumS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fminm_d: return r.unrounded { r.setD(FloatOps.minimumD(a: r.d1, b: r.d2, flags: &$0)) }
        case .fmaxm_d: return r.unrounded { r.setD(FloatOps.maximumD(a: r.d1, b: r.d2, flags: &$0)) }
        case .fround_s: return r.rounded { r.setS(FloatOps.roundIntegralS(a: r.s1, rm: $0, signalInexact: false, flags: &$1)) }
        case .froundnx_s: return r.rounded { r.setS(FloatOps.roundIntegralS(a: r.s1, rm: $0, signalInexact: true, flags: &$1)) }
        case .fround_d: return r.rounded { r.setD(FloatOps.roundIntegralD(a: r.d1, rm: $0, signalInexact: false, flags: &$1)) }
        case .froundnx_d: return r.rounded { r.setD(FloatOps.roundIntegralD(a: r.d1, rm: $0, signalInexact: true, flags: &$1)) }
        case .fcvtmod_w_d: return r.unrounded { r.setX(FloatOps.toInt32ModuloD(a: r.d1, flags: &$0)) }
        case .fleq_s: return r.unrounded { r.setX(FloatOps.quietLeS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fltq_s: return r.unrounded { r.setX(FloatOps.quietLtS(a: r.s1, b: r.s2, flags: &$0)) }
        case .fleq_d: return r.unrounded { r.setX(FloatOps.quietLeD(a: r.d1, b: r.d2, flags: &$0)) }
        case .fltq_d: return r.unrounded { r.setX(FloatOps.quietLtD(a: r.d1, b: r.d2, flags: &$0)) }

        // Zfh, Zfhmin and Zfa's half forms (Half.swift).
        case .fmadd_h, .fmsub_h, .fnmsub_h, .fnmadd_h, .fadd_h, .fsub_h, .fmul_h, .fdiv_h, .fsqrt_h,
             .fsgnj_h, .fsgnjn_h, .fsgnjx_h, .fmin_h, .fmax_h, .fcvt_w_h, .fcvt_wu_h, .fcvt_l_h, .fcvt_lu_h,
             .fmv_x_h, .feq_h, .flt_h, .fle_h, .fclass_h, .fcvt_h_w, .fcvt_h_wu, .fcvt_h_l, .fcvt_h_lu, .fmv_h_x,
             .fcvt_s_h, .fcvt_h_s, .fcvt_d_h, .fcvt_h_d,
             .fli_h, .fminm_h, .fmaxm_h, .fround_h, .froundnx_h, .fleq_h, .fltq_h:
            return executeHalf(op, inst, r)

        }
    }
}

/// One instruction's register operands, read lazily, and the writes back.
struct FloatOperands {
    let inst: Instruction
    let state: GuestState

    @inline(__always) init(_ inst: Instruction, _ state: GuestState) {
        self.inst = inst
        self.state = state
    }

    @inline(__always) var d1: UInt64 { state.f(Int(inst.rs1)) }
    @inline(__always) var d2: UInt64 { state.f(Int(inst.rs2)) }
    @inline(__always) var d3: UInt64 { state.f(Int(inst.rs3)) }
    @inline(__always) var s1: UInt32 { NaNBox.unbox(d1) }
    @inline(__always) var s2: UInt32 { NaNBox.unbox(d2) }
    @inline(__always) var s3: UInt32 { NaNBox.unbox(d3) }
    @inline(__always) var x1: UInt64 { state.x(Int(inst.rs1)) }

    @inline(__always) func setD(_ v: UInt64) { state.setF(Int(inst.rd), v) }
    @inline(__always) func setS(_ v: UInt32) { state.setF(Int(inst.rd), NaNBox.box(v)) }
    @inline(__always) func setX(_ v: UInt64) { state.setX(Int(inst.rd), v) }
    @inline(__always) func setX(_ v: Bool) { state.setX(Int(inst.rd), v ? 1 : 0) }

    /// Runs an instruction that rounds: resolves its rounding mode (false if reserved), then
    /// accrues the flags it raised.
    @inline(__always)
    func rounded(_ body: (RoundingMode, inout UInt32) -> Void) -> Bool {
        guard let mode = RoundingMode(rm: inst.rm, frm: state.frm) else { return false }
        var flags: UInt32 = 0
        body(mode, &flags)
        if flags != 0 { state.fflags |= flags }
        return true
    }

    /// Runs an instruction that raises flags but does not round (its rm field is a funct3).
    @inline(__always)
    func unrounded(_ body: (inout UInt32) -> Void) -> Bool {
        var flags: UInt32 = 0
        body(&flags)
        if flags != 0 { state.fflags |= flags }
        return true
    }
}
