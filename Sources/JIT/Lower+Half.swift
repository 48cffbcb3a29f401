import Guest
import Interpreter
import RISCV
import X86

/// Zfh, Zfhmin and Zfa's half forms. x86 has no half arithmetic short of AVX512-FP16; with F16C
/// a half widens to a single exactly (`vcvtph2ps`) and a single narrows to a half with one
/// rounding in any mode (`vcvtps2ph`), and that is enough for most of Zfh inline:
///
/// - The bit moves: flh/fmv.h.x box the half (upper 48 bits all ones), fsh/fmv.x.h take bits
///   15:0 as they are, fli.h is a constant, fsgnj*.h and fclass.h work on the bits.
/// - fcvt.s.h/fcvt.d.h widen (exact); fcvt.h.s narrows (one rounding); fcvt.h.d narrows a
///   double rounded to odd at single precision first (see `narrowDouble`).
/// - fadd/fsub/fmul/fdiv/fsqrt.h compute in single precision and narrow. That is one correct
///   rounding, not two: the exact result rounded to binary32 (24 bits) and then to binary16 (11
///   bits) equals it rounded to binary16 directly, because 24 ≥ 2·11 + 2 (Figueroa, "When is
///   double rounding innocuous?", 1995, for +, −, ×, ÷ and √ in round-to-nearest; in a directed
///   mode rounding twice the same way is always the same as once). Half operands never leave
///   binary32's normal range (products and quotients of halves lie within 2^−48…2^32), so the
///   first rounding is at full precision and never overflows or underflows; the second raises
///   overflow, underflow (tininess after rounding, as RISC-V) and inexact as a single rounding
///   would, and the first's inexact implies the second's.
/// - fmin/fmax and the comparisons widen both operands and go as singles (exact).
///
/// NaN results and operands that raise invalid, unboxed operands, RMM and a reserved rm call
/// `FloatUnit` (the binary16 soft-float), as do the fused multiply-adds (the product is exact in
/// single precision but the sum would round twice), conversions to and from integers and Zfa's
/// half forms other than fli.h; and every rounding instruction on a host without F16C.
extension Translator {
    static let halfBox: UInt64 = 0xffff_ffff_ffff_0000

    mutating func loadHalf(_ i: Instruction) {
        guestAddress(i, .plain(store: false))
        markFaultSite(store: false)
        a.movzx(.ecx, guestMemory(.word))
        a.mov(.rdx, imm: Int64(bitPattern: Translator.halfBox))
        a.or(.rcx, .rdx)
        storeFBits(i.rd, .rcx)
    }

    mutating func storeHalf(_ i: Instruction) {
        guestAddress(i, .plain(store: true))
        if let x = fXMM(i.rs2) { a.movd(.ecx, x) } else { a.mov(.ecx, fLow(i.rs2)) }
        markFaultSite(store: true)
        a.mov(guestMemory(.word), .cx)
    }

    mutating func half(_ i: Instruction, _ op: FloatOp) {
        let f16c = targets.features.f16c
        switch op {
        case .fmv_x_h:
            if let x = fXMM(i.rs1) { a.movd(.eax, x) } else { a.mov(.eax, fLow(i.rs1)) }
            a.movsx(.rax, .ax)
            store(i.rd, .rax)
        case .fmv_h_x:
            let x = register(i.rs1, scratch: .rax)
            a.movzx(.ecx, .r16(x))
            boxHalf(i.rd)
        case .fli_h:
            a.mov(.rcx, imm: Int64(bitPattern: HalfBox.box(HalfOps.constant(Int(i.rs1)))))
            storeFBits(i.rd, .rcx)
        case .fsgnj_h: signInjectHalf(i, .copy)
        case .fsgnjn_h: signInjectHalf(i, .negate)
        case .fsgnjx_h: signInjectHalf(i, .xor)
        case .fclass_h:
            unroundedOperation(i) { t, fallback in
                t.checkHalfBoxed(i.rs1, into: .rax, unboxed: fallback)
                t.a.shl(.eax, imm: 16)
                t.classifyBits(i, .dword, mantissa: 26)
            }
        case .fcvt_s_h where f16c: widenHalf(i, .single)
        case .fcvt_d_h where f16c: widenHalf(i, .double)
        case .fadd_h where f16c: halfArithmetic(i, .add)
        case .fsub_h where f16c: halfArithmetic(i, .sub)
        case .fmul_h where f16c: halfArithmetic(i, .mul)
        case .fdiv_h where f16c: halfArithmetic(i, .div)
        case .fsqrt_h where f16c: halfArithmetic(i, .sqrt)
        case .fmin_h where f16c: minMaxHalf(i, max: false)
        case .fmax_h where f16c: minMaxHalf(i, max: true)
        case .feq_h where f16c: compareHalf(i, .e)
        case .flt_h where f16c: compareHalf(i, .b)
        case .fle_h where f16c: compareHalf(i, .be)
        case .fcvt_h_s where f16c: narrowSingle(i)
        case .fcvt_h_d where f16c: narrowDouble(i)
        default:
            floatHelper(i)
        }
    }

    /// `f = ecx`'s low 16 bits boxed (ecx holds them zero-extended). Clobbers rdx.
    private mutating func boxHalf(_ f: UInt8) {
        a.mov(.rdx, imm: Int64(bitPattern: Translator.halfBox))
        a.or(.rcx, .rdx)
        storeFBits(f, .rcx)
    }

    /// `g` = f's bits; jumps to `unboxed` unless they are a boxed half (bits 63:16 all ones,
    /// that is, at least 0xffff_ffff_ffff_0000).
    mutating func checkHalfBoxed(_ f: UInt8, into g: GPR, unboxed: Label) {
        loadFBits(g, f)
        a.cmp(.r64(g), imm: -0x1_0000)
        a.jcc(.b, unboxed)
    }

    /// `x` = boxed half f widened to a single (exact; a signalling NaN raises invalid, which the
    /// helper that a NaN goes to raises too). The other lanes of `x` hold quiet NaNs, which
    /// raise nothing when `vcvtps2ph` narrows them along. Clobbers rdx.
    private mutating func widenHalfOperand(_ f: UInt8, into x: XMM, unboxed: Label) {
        let cached = fXMM(f)
        checkHalfBoxed(f, into: .rdx, unboxed: unboxed)
        if cached == nil { a.movq(x, .rdx) }
        a.vcvtph2ps(x, cached ?? x)
    }

    /// f = the single in `x`'s low lane narrowed to a half and boxed, rounded as `rounding` says
    /// (`vcvtps2ph`'s immediate: 4 for MXCSR's mode). `x`'s other lanes must be zeros or quiet
    /// NaNs, which raise nothing. Clobbers rcx and rdx.
    private mutating func storeNarrowed(_ f: UInt8, from x: XMM, rounding: UInt8 = 4) {
        a.vcvtps2ph(x, x, rounding: rounding)
        storeLowHalf(f, from: x)
    }

    /// f = the half in `x`'s low 16 bits, boxed. Clobbers rcx and rdx.
    private mutating func storeLowHalf(_ f: UInt8, from x: XMM) {
        a.movd(.ecx, x)
        a.movzx(.ecx, .cx)
        boxHalf(f)
    }

    /// `vcvtps2ph`'s immediate for an inline mode: RISC-V's static RNE, RTZ, RDN, RUP as x86
    /// numbers them, or MXCSR's (the guest's) for nil. A conversion needs no MXCSR switch.
    private func narrowingImmediate(_ m: UInt8?) -> UInt8 {
        guard let m else { return 4 }
        return [0, 3, 1, 2][Int(m)]
    }

    mutating func widenHalf(_ i: Instruction, _ p: Precision) {
        unroundedOperation(i) { t, fallback in
            t.widenHalfOperand(i.rs1, into: .xmm0, unboxed: fallback)
            t.jumpIfNaN(.xmm0, .single, fallback) // a NaN becomes the canonical one: the helper's
            if p == .double { t.a.cvtss2sd(.xmm0, .xmm0) }
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// fadd/fsub/fmul/fdiv/fsqrt.h as singles, narrowed (one correct rounding: see above).
    private mutating func halfArithmetic(_ i: Instruction, _ op: ScalarOp) {
        roundedOperation(i) { t, m, fallback in
            t.widenHalfOperand(i.rs1, into: .xmm0, unboxed: fallback)
            if op != .sqrt { t.widenHalfOperand(i.rs2, into: .xmm1, unboxed: fallback) }
            t.beginRounding(m)
            t.a.scalar(op, .single, .xmm0, op == .sqrt ? .xmm0 : .xmm1)
            t.jumpIfNaN(.xmm0, .single, fallback)
            t.a.vcvtps2ph(.xmm0, .xmm0) // in the static mode, if any
            t.endRounding(m)
            t.storeLowHalf(i.rd, from: .xmm0)
        }
    }

    /// fmin/fmax.h as singles (as `minMax`), narrowed back exactly. Any NaN: the helper.
    private mutating func minMaxHalf(_ i: Instruction, max: Bool) {
        unroundedOperation(i) { t, fallback in
            let store = t.a.newLabel(), different = t.a.newLabel()
            t.widenHalfOperand(i.rs1, into: .xmm0, unboxed: fallback)
            t.widenHalfOperand(i.rs2, into: .xmm1, unboxed: fallback)
            t.a.ucomis(.single, .xmm0, .xmm1)
            t.a.jcc(.p, fallback)
            t.a.jcc(.ne, different)
            t.a.bitwise(max ? .andps : .orps, .xmm0, .xmm1)
            t.a.jmp(store)
            t.a.bind(different)
            t.a.scalar(max ? .max : .min, .single, .xmm0, .xmm1)
            t.a.bind(store)
            t.storeNarrowed(i.rd, from: .xmm0)
        }
    }

    /// feq/flt/fle.h as singles (as `compare`); unordered operands go to the helper.
    private mutating func compareHalf(_ i: Instruction, _ cc: Condition) {
        unroundedOperation(i) { t, fallback in
            t.widenHalfOperand(i.rs1, into: .xmm0, unboxed: fallback)
            t.widenHalfOperand(i.rs2, into: .xmm1, unboxed: fallback)
            t.a.xor(.eax, .eax)
            t.a.ucomis(.single, .xmm0, .xmm1)
            t.a.jcc(.p, fallback)
            t.a.setcc(cc, .al)
            t.store(i.rd, .rax)
        }
    }

    /// fsgnj/fsgnjn/fsgnjx.h on the bits: rd = a with bit 15 replaced; both must be boxed.
    private mutating func signInjectHalf(_ i: Instruction, _ kind: SignInjection) {
        unroundedOperation(i) { t, fallback in
            t.checkHalfBoxed(i.rs2, into: .rax, unboxed: fallback)
            t.checkHalfBoxed(i.rs1, into: .rcx, unboxed: fallback)
            switch kind {
            case .copy: t.a.xor(.eax, .ecx)
            case .negate: t.a.xor(.eax, .ecx); t.a.not(.eax)
            case .xor: break
            }
            t.a.and(.eax, imm: 0x8000)
            t.a.xor(.rcx, .rax) // bits 63:16 stay the box
            t.storeFBits(i.rd, .rcx)
        }
    }

    /// fcvt.h.s: one rounding by `vcvtps2ph`, in a static mode through its immediate (no MXCSR
    /// switch). A NaN goes to the helper (canonical NaN, NV for a signalling one).
    private mutating func narrowSingle(_ i: Instruction) {
        roundedOperation(i) { t, m, fallback in
            let x = t.sourceF(i.rs1, .single, scratch: .xmm0, unboxed: fallback)
            if x != .xmm0 { t.a.movq(.xmm0, x) } // lanes 2–3 of a cache register are anything
            t.jumpIfNaN(.xmm0, .single, fallback)
            t.storeNarrowed(i.rd, from: .xmm0, rounding: t.narrowingImmediate(m))
        }
    }

    /// fcvt.h.d. Narrowing the double to a single first and then to a half would round twice
    /// (wrong in round-to-nearest), so the single is the double rounded to odd instead: truncated
    /// to 24 bits with the lowest set when anything was cut off. Rounding that to 11 bits gives
    /// the double's correct rounding in every mode, with the same flags (Boldo and Melquiond,
    /// "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd",
    /// 2008: 24 ≥ 11 + 2). Done on the bits for 2^−30 ≤ |x| < 2^17, where the single is normal;
    /// zeros are converted inline too, and the rest (tiny, huge, infinite, NaN) calls the helper.
    private mutating func narrowDouble(_ i: Instruction) {
        roundedOperation(i) { t, m, fallback in
            let zero = t.a.newLabel(), sign = t.a.newLabel()
            t.loadFBits(.rax, i.rs1)
            t.a.mov(.rcx, .rax)
            t.a.shl(.rcx, imm: 1)
            t.a.jcc(.e, zero)
            t.a.shr(.rcx, imm: 53) // the exponent
            t.a.sub(.ecx, imm: 1023 - 30)
            t.a.cmp(.ecx, imm: 30 + 17)
            t.a.jcc(.ae, fallback)
            // Bits 31:0 of x >> 29 are the exponent's low 9 bits and the top 23 fraction bits;
            // rebiasing by 896 (1023 − 127) leaves an exponent of 97…143 in them.
            t.a.mov(.rcx, .rax)
            t.a.shr(.rcx, imm: 29)
            t.a.sub(.ecx, imm: 896 << 23)
            t.a.test(.eax, imm: 0x1fff_ffff) // the 29 bits cut off
            t.a.setcc(.ne, .dl)
            t.a.movzx(.edx, .dl)
            t.a.or(.ecx, .edx)
            t.a.jmp(sign)
            t.a.bind(zero)
            t.a.xor(.ecx, .ecx)
            t.a.bind(sign)
            t.a.shr(.rax, imm: 63)
            t.a.shl(.eax, imm: 31)
            t.a.or(.ecx, .eax)
            t.a.movd(.xmm0, .ecx)
            t.storeNarrowed(i.rd, from: .xmm0, rounding: t.narrowingImmediate(m))
        }
    }
}
