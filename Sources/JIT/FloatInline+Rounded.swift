import Guest
import Interpreter
import RISCV
import X86

/// The F/D instructions that round: arithmetic, fused multiply-add and conversions. Each runs
/// under an MXCSR loaded with its rounding mode and no flags, reads the flags back into fflags,
/// and leaves NaN results and conversions out of range to `FloatUnit`.
extension Translator {
    /// The frame of an inline rounding instruction: `body` gets the x86 mode, the fallback for
    /// use before MXCSR is touched, and the one for after (which restores RNE first).
    mutating func roundedOperation(_ i: Instruction,
                                   _ body: (inout Translator, _ mode: UInt8, _ fallback: Label, _ late: Label) -> Void) {
        let rounding = InlineRounding(rm: i.rm)
        if rounding == .helper {
            floatHelper(i)
            return
        }
        // A static mode other than RNE loads MXCSR: pending flags go first, before any fallback
        // can be created expecting them.
        if rounding != .mode(0) && rounding != .dynamic { foldFlags() }
        let done = a.newLabel()
        let fallback = floatFallback(i, done: done)
        guard let m = inlineMode(i, fallback: fallback) else { return }
        let late = m == 0 ? fallback : floatFallback(i, done: done, restoreRNE: true)
        body(&self, m, fallback, late)
        a.bind(done)
    }

    /// fadd, fsub, fmul, fdiv, fsqrt.
    mutating func arithmetic(_ i: Instruction, _ op: ScalarOp, _ p: Precision) {
        roundedOperation(i) { t, m, fallback, late in
            if op == .sqrt {
                t.loadF(.xmm1, i.rs1, p, unboxed: fallback)
                t.setRounding(m)
                t.a.scalar(.sqrt, p, .xmm0, .xmm1)
            } else {
                t.loadF(.xmm0, i.rs1, p, unboxed: fallback)
                t.loadF(.xmm1, i.rs2, p, unboxed: fallback)
                t.setRounding(m)
                t.a.scalar(op, p, .xmm0, .xmm1)
            }
            t.jumpIfNaN(.xmm0, p, late)
            t.accrueFlags(mode: m)
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// fmadd, fmsub, fnmsub, fnmadd with one rounding. A NaN result goes to the helper, which
    /// also covers ∞·0 + qNaN (invalid on RISC-V, quiet on x86).
    mutating func fusedMultiplyAdd(_ i: Instruction, _ op: FMAOp, _ p: Precision) {
        roundedOperation(i) { t, m, fallback, late in
            t.loadF(.xmm0, i.rs1, p, unboxed: fallback)
            t.loadF(.xmm1, i.rs2, p, unboxed: fallback)
            t.loadF(.xmm2, i.rs3, p, unboxed: fallback)
            t.setRounding(m)
            t.a.fma(op, .o213, p, .xmm0, .xmm1, .xmm2) // xmm0 = ±(xmm1·xmm0) ± xmm2
            t.jumpIfNaN(.xmm0, p, late)
            t.accrueFlags(mode: m)
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// fcvt.{w,wu,l,lu}.{s,d}. Signed results come from cvt(t)s?2si at the result's width; an
    /// unsigned 32-bit one from the 64-bit conversion. Whatever x86 flags invalid (NaN, out of
    /// range: it returns INT_MIN where RISC-V saturates), and an unsigned result that does not fit,
    /// goes to the helper before any flag is accrued.
    mutating func toInteger(_ i: Instruction, _ p: Precision, _ kind: IntegerKind) {
        // Its fallbacks must not fold: x86 may have raised inexact where RISC-V raises invalid.
        foldFlags()
        roundedOperation(i) { t, m, fallback, late in
            t.loadF(.xmm0, i.rs1, p, unboxed: fallback)
            // RTZ is what the truncating form does under any MXCSR: no rounding mode to restore.
            let truncate = m == 1
            let mode: UInt8 = truncate ? 0 : m
            let restoring = mode == 0 ? fallback : late
            t.loadMXCSR(mode) // the IE test below must see this conversion's flags alone
            let result: Reg = kind == .int32 ? .eax : .rax
            t.a.cvts2si(p, truncate: truncate, result, .xmm0)
            t.a.stmxcsr(.dword(Host.state, Int32(mxcsrScratch)))
            t.a.test(.dword(Host.state, Int32(mxcsrScratch)), imm: 1) // IE
            t.a.jcc(.ne, restoring)
            switch kind {
            case .int32:
                t.a.movsxd(.rax, .eax)
            case .int64:
                break
            case .uint32:
                t.a.mov(.rcx, .rax)
                t.a.shr(.rcx, imm: 32)
                t.a.jcc(.ne, restoring) // negative or above 2^32 − 1
                t.a.movsxd(.rax, .eax)
            case .uint64:
                t.a.test(.rax, .rax)
                t.a.jcc(.s, restoring) // negative, or invalid had it been signed
            }
            t.accrueFlags(mode: mode)
            t.store(i.rd, .rax)
        }
    }

    /// fcvt.{s,d}.{w,wu,l,lu}. Never NaN; an unsigned 64-bit value with the top bit set is halved
    /// with its lost bit kept as a sticky bit (the conversion drops at least 11 bits, so this
    /// rounds once and correctly in every mode) and doubled back exactly.
    mutating func fromInteger(_ i: Instruction, _ p: Precision, _ kind: IntegerKind) {
        roundedOperation(i) { t, m, _, _ in
            let x = t.register(i.rs1, scratch: .rax)
            t.setRounding(m)
            t.a.xorps(.xmm0, .xmm0) // no false dependency on xmm0's last writer
            switch kind {
            case .int32:
                t.a.cvtsi2s(p, .xmm0, .r32(x))
            case .uint32:
                t.a.mov(.eax, .r32(x))
                t.a.cvtsi2s(p, .xmm0, .rax)
            case .int64:
                t.a.cvtsi2s(p, .xmm0, .r64(x))
            case .uint64:
                let back = t.a.newLabel()
                let big = t.outOfLine(.inline(.unsignedToFloat(x, p, resume: back)))
                t.a.test(.r64(x), .r64(x))
                t.a.jcc(.s, big)
                t.a.cvtsi2s(p, .xmm0, .r64(x))
                t.a.bind(back)
            }
            t.accrueFlags(mode: m)
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// fcvt.s.d rounds; fcvt.d.s is exact and raises nothing unless its operand is a signalling
    /// NaN, but still checks its rm (as QEMU does). NaN results go to the helper.
    mutating func convertFormat(_ i: Instruction, to p: Precision) {
        roundedOperation(i) { t, m, fallback, late in
            switch p {
            case .single:
                t.loadF(.xmm1, i.rs1, .double, unboxed: fallback)
                t.setRounding(m)
                t.a.cvtsd2ss(.xmm0, .xmm1)
                t.jumpIfNaN(.xmm0, .single, late)
                t.accrueFlags(mode: m)
            case .double:
                t.loadF(.xmm1, i.rs1, .single, unboxed: fallback)
                t.a.cvtss2sd(.xmm0, .xmm1)
                t.jumpIfNaN(.xmm0, .double, fallback)
            }
            t.storeF(i.rd, .xmm0, p)
        }
    }
}
