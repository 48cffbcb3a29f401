import Guest
import Interpreter
import RISCV
import X86

/// The F/D instructions that round: arithmetic, fused multiply-add and conversions. With a
/// dynamic rm they run under the guest MXCSR as it is, their flags left there to accrue
/// (`GuestMXCSR`); a static rm loads its mode around the instruction. NaN results and
/// conversions out of range go to `FloatUnit`.
extension Translator {
    /// The frame of an inline rounding instruction: `body` gets the static x86 mode (nil: the
    /// guest's) and the fallback to `FloatUnit` (without `fallback`, a label nothing may use).
    mutating func roundedOperation(_ i: Instruction, fallback needed: Bool = true,
                                   _ body: (inout Translator, _ mode: UInt8?, _ fallback: Label) -> Void) {
        if InlineRounding(rm: i.rm) == .helper {
            floatHelper(i)
            return
        }
        let done = a.newLabel()
        let fallback = needed ? floatFallback(i, done: done) : a.newLabel()
        let m = inlineMode(i)
        body(&self, m, fallback)
        a.bind(done)
    }

    /// fadd, fsub, fmul, fdiv, fsqrt. The result goes straight into rd's xmm register when rd is
    /// cached and is not a source (a NaN result leaves the sources intact for the helper); with
    /// AVX the three-operand form then needs no copy at all.
    ///
    /// With `floatInPlace` (user mode, doubles) a NaN result is made the canonical NaN where it
    /// is instead of going to the helper, so the result goes into rd's register also when rd is
    /// a source (`fadd fa3, fa3, fa5`, an accumulator; with AVX), and there is no helper call
    /// out of line. For these five operations x86 raises invalid exactly where RISC-V
    /// does (a signalling NaN operand, ∞ − ∞, 0 · ∞, 0/0, ∞/∞, the root of a negative number)
    /// and nothing else with a NaN result, so the flags MXCSR accrued are already RISC-V's; only
    /// the NaN itself differs (x86 keeps an operand's payload or makes a negative default NaN).
    mutating func arithmetic(_ i: Instruction, _ op: ScalarOp, _ p: Precision) {
        let canonical = p == .double && targets.floatInPlace
        roundedOperation(i, fallback: !canonical) { t, m, fallback in
            let sources = op == .sqrt ? [i.rs1] : [i.rs1, i.rs2]
            let avx = CPUFeatures.host.fma // FMA3 is only used with the AVX state enabled
            var target = XMM.xmm0
            if p == .double, let x = t.fXMM(i.rd), !sources.contains(i.rd) || (avx && canonical) {
                target = x
            }
            if op == .sqrt {
                let x = t.sourceF(i.rs1, p, scratch: .xmm1, unboxed: fallback)
                t.beginRounding(m)
                if avx { t.a.vscalar(.sqrt, p, target, x, x) } else { t.a.scalar(.sqrt, p, target, x) }
            } else if avx {
                let x = t.sourceF(i.rs1, p, scratch: .xmm0, unboxed: fallback)
                let y = t.sourceF(i.rs2, p, scratch: .xmm1, unboxed: fallback)
                t.beginRounding(m)
                t.a.vscalar(op, p, target, x, y)
            } else {
                let y = t.sourceF(i.rs2, p, scratch: .xmm1, unboxed: fallback)
                t.loadF(target, i.rs1, p, unboxed: fallback)
                t.beginRounding(m)
                t.a.scalar(op, p, target, y)
            }
            if canonical {
                let back = t.a.newLabel()
                t.jumpIfNaN(target, p, t.outOfLine(.inline(.canonicalNaN(target, resume: back))))
                t.a.bind(back)
            } else {
                t.jumpIfNaN(target, p, fallback)
            }
            t.endRounding(m)
            t.storeF(i.rd, target, p)
        }
    }

    /// fmadd, fmsub, fnmsub, fnmadd with one rounding. A NaN result goes to the helper, which
    /// also covers ∞·0 + qNaN (invalid on RISC-V, quiet on x86).
    mutating func fusedMultiplyAdd(_ i: Instruction, _ op: FMAOp, _ p: Precision) {
        roundedOperation(i) { t, m, fallback in
            t.loadF(.xmm0, i.rs1, p, unboxed: fallback)
            let y = t.sourceF(i.rs2, p, scratch: .xmm1, unboxed: fallback)
            let z = t.sourceF(i.rs3, p, scratch: .xmm2, unboxed: fallback)
            t.beginRounding(m)
            t.a.fma(op, .o213, p, .xmm0, y, z) // xmm0 = ±(y·xmm0) ± z
            t.jumpIfNaN(.xmm0, p, fallback)
            t.endRounding(m)
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// fcvt.{w,wu,l,lu}.{s,d}, none of which reads MXCSR's flags.
    ///
    /// Signed results come from cvt(t)s?2si at the result's width (the truncating form is RTZ
    /// under any MXCSR). x86 returns INT_MIN for NaN and out of range, raising invalid alone: that
    /// result goes to the helper, and the flags it left are a subset of what the helper raises
    /// (invalid), or exactly RISC-V's (inexact) for a true INT_MIN.
    ///
    /// Unsigned ones are converted only when the operand is in [0, largest value that cannot round
    /// past the range], through the 64-bit conversion; everything else (negative, NaN, large) goes
    /// to the helper before x86 has raised anything, because x86 would raise inexact where RISC-V
    /// raises invalid (−1.5 to unsigned).
    mutating func toInteger(_ i: Instruction, _ p: Precision, _ kind: IntegerKind) {
        roundedOperation(i) { t, m, fallback in
            var x = t.sourceF(i.rs1, p, scratch: .xmm0, unboxed: fallback)
            var truncate = m == 1
            var mode = truncate ? nil : m
            // A static mode with SSE4.1: round to an integer first (inexact suppressed), then
            // truncate, which is then exact; inexact is whether rounding changed the value. No
            // MXCSR switch (two ldmxcsr and two stmxcsr, the cost of glibc's floor and ceil).
            var inexactFrom: XMM? = nil
            if let s = mode, CPUFeatures.host.sse41 {
                let x86Mode: UInt8 = s == 2 ? 1 : s == 3 ? 2 : 0 // RDN → down, RUP → up, RNE
                t.a.round(p, .xmm3, x, mode: x86Mode | 8)
                inexactFrom = x
                x = .xmm3
                truncate = true
                mode = nil
            }
            switch kind {
            case .uint32, .uint64:
                // The largest representable value ≤ 2^32 − 1 (resp. < 2^63): it and everything
                // below round to an integer in range in every mode.
                let limit: UInt64 = switch (kind, p) {
                case (.uint32, .double): 0x41ef_ffff_ffe0_0000 // 4294967295
                case (.uint32, .single): 0x4f7f_ffff           // 4294967040
                case (_, .double): 0x43df_ffff_ffff_ffff         // 2^63 − 1024
                case (_, .single): 0x5eff_ffff                 // 2^63 − 2^39
                }
                t.a.xorps(.xmm2, .xmm2)
                t.a.ucomis(p, x, .xmm2)
                t.a.jcc(.b, fallback) // negative or NaN
                t.a.mov(.rcx, imm: Int64(bitPattern: limit))
                t.a.movq(.xmm2, .rcx)
                t.a.ucomis(p, x, .xmm2)
                t.a.jcc(.a, fallback)
                t.beginRounding(mode)
                t.a.cvts2si(p, truncate: truncate, .rax, x)
                t.endRounding(mode)
                if kind == .uint32 { t.a.movsxd(.rax, .eax) }
            case .int32, .int64:
                let result: Reg = kind == .int32 ? .eax : .rax
                t.beginRounding(mode)
                t.a.cvts2si(p, truncate: truncate, result, x)
                if kind == .int32 {
                    t.a.cmp(.eax, imm: Int32.min)
                    t.a.jcc(.e, fallback)
                    t.a.movsxd(.rax, .eax)
                } else {
                    t.a.mov(.rcx, imm: Int64.min)
                    t.a.cmp(.rax, .rcx)
                    t.a.jcc(.e, fallback)
                }
                t.endRounding(mode)
            }
            if let original = inexactFrom {
                // In range (else the helper took over): NX when rounding moved the value.
                t.a.ucomis(p, .xmm3, original)
                t.a.setcc(.ne, .cl)
                t.a.movzx(.ecx, .cl)
                t.a.or(.dword(Host.state, Int32(StateOffset.fflags)), .ecx)
            }
            t.store(i.rd, .rax)
        }
    }

    /// fcvt.{s,d}.{w,wu,l,lu}. Never NaN; an unsigned 64-bit value with the top bit set is halved
    /// with its lost bit kept as a sticky bit (the conversion drops at least 11 bits, so this
    /// rounds once and correctly in every mode) and doubled back exactly.
    ///
    /// An exact conversion rounds the same in every mode and raises nothing, so it never touches
    /// MXCSR: fcvt.d.w and fcvt.d.wu always (binutils encodes them with a static rne), and a
    /// signed value that fits the significand under a static mode (floor and ceil convert back
    /// with rdn/rup), which checks the value and switches MXCSR only out of line.
    mutating func fromInteger(_ i: Instruction, _ p: Precision, _ kind: IntegerKind) {
        let alwaysExact = p == .double && (kind == .int32 || kind == .uint32)
        if alwaysExact, case .mode = InlineRounding(rm: i.rm) {
            // Nothing can go wrong: no fallback, no frm check; with `floatInPlace`, straight
            // into rd's xmm register.
            let target = targets.floatInPlace ? fXMM(i.rd) ?? .xmm0 : .xmm0
            convertFromInteger(register(i.rs1, scratch: .rax), p, kind, into: target)
            storeF(i.rd, target, p)
            return
        }
        roundedOperation(i) { t, m, _ in
            let x = t.register(i.rs1, scratch: .rax)
            if let m, !alwaysExact, kind == .int32 || kind == .int64 {
                let back = t.a.newLabel()
                let rounds = t.outOfLine(.inline(.roundedFromInteger(x, p, kind, mode: m, resume: back)))
                // Exact when −2^53 ≤ value < 2^53 (2^24 for singles): value >> 53 is 0 or −1.
                if kind == .int32 { t.a.movsxd(.rcx, .r32(x)) } else { t.a.mov(.rcx, .r64(x)) }
                t.a.sar(.rcx, imm: p == .double ? 53 : 24)
                t.a.add(.rcx, imm: 1)
                t.a.cmp(.rcx, imm: 1)
                t.a.jcc(.a, rounds)
                t.a.xorps(.xmm0, .xmm0)
                t.a.cvtsi2s(p, .xmm0, kind == .int32 ? .r32(x) : .r64(x))
                t.a.bind(back)
                t.storeF(i.rd, .xmm0, p)
                return
            }
            let mode = alwaysExact ? nil : m
            t.beginRounding(mode)
            t.convertFromInteger(x, p, kind)
            t.endRounding(mode)
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// xmm0 (or `target`, for 32-bit kinds) = integer `x` of `kind` converted to `p` under the
    /// current MXCSR.
    mutating func convertFromInteger(_ x: GPR, _ p: Precision, _ kind: IntegerKind, into target: XMM = .xmm0) {
        precondition(target == .xmm0 || kind == .int32 || kind == .uint32)
        a.xorps(target, target) // no false dependency on its last writer
        switch kind {
        case .int32:
            a.cvtsi2s(p, target, .r32(x))
        case .uint32:
            a.mov(.eax, .r32(x))
            a.cvtsi2s(p, target, .rax)
        case .int64:
            a.cvtsi2s(p, .xmm0, .r64(x))
        case .uint64:
            let back = a.newLabel()
            let big = outOfLine(.inline(.unsignedToFloat(x, p, resume: back)))
            a.test(.r64(x), .r64(x))
            a.jcc(.s, big)
            a.cvtsi2s(p, .xmm0, .r64(x))
            a.bind(back)
        }
    }

    /// fcvt.s.d rounds; fcvt.d.s is exact and raises nothing unless its operand is a signalling
    /// NaN, but still checks its rm (as QEMU does). NaN results go to the helper.
    mutating func convertFormat(_ i: Instruction, to p: Precision) {
        roundedOperation(i) { t, m, fallback in
            switch p {
            case .single:
                let x = t.sourceF(i.rs1, .double, scratch: .xmm1, unboxed: fallback)
                t.beginRounding(m)
                t.a.cvtsd2ss(.xmm0, x)
                t.jumpIfNaN(.xmm0, .single, fallback)
                t.endRounding(m)
            case .double:
                let x = t.sourceF(i.rs1, .single, scratch: .xmm1, unboxed: fallback)
                t.a.cvtss2sd(.xmm0, x)
                t.jumpIfNaN(.xmm0, .double, fallback)
            }
            t.storeF(i.rd, .xmm0, p)
        }
    }
}
