import Guest
import Interpreter
import RISCV
import X86

/// The F/D instructions that do not round: sign injection and moves (pure bit operations, no
/// flags, no canonicalisation), comparisons and min/max (flags only for NaN operands, which go
/// to `FloatUnit`).
extension Translator {
    /// The frame of an inline non-rounding instruction: `body` gets the fallback label.
    mutating func unroundedOperation(_ i: Instruction, _ body: (inout Translator, _ fallback: Label) -> Void) {
        let done = a.newLabel()
        let fallback = floatFallback(i, done: done)
        body(&self, fallback)
        a.bind(done)
    }

    /// fsgnj, fsgnjn, fsgnjx as integer operations: result = a ^ ((a ^ b) & sign) and variants.
    /// A single operand that is not NaN-boxed reads as the canonical NaN: left to the helper.
    mutating func signInject(_ i: Instruction, _ kind: SignInjection, _ p: Precision) {
        if i.rs1 == i.rs2 { moveAbsNegate(i, kind, p); return }
        unroundedOperation(i) { t, fallback in
            let width: OperandSize = p == .double ? .qword : .dword
            let bits = UInt8(p == .double ? 63 : 31)
            let (ra, rb) = (Reg(.rcx, width), Reg(.rax, width))
            if p == .single {
                t.checkBoxed(i.rs1, unboxed: fallback)
                t.checkBoxed(i.rs2, unboxed: fallback)
            }
            t.loadFBits(.rcx, i.rs1)
            t.loadFBits(.rax, i.rs2)
            switch kind {
            case .copy: t.a.xor(rb, ra)
            case .negate: t.a.xor(rb, ra); t.a.not(rb)
            case .xor: break
            }
            t.a.shr(rb, imm: bits)
            t.a.shl(rb, imm: bits)
            t.a.xor(ra, rb)
            if p == .single {
                t.a.mov(.rdx, imm: Int64(bitPattern: Translator.nanBox))
                t.a.or(.rcx, .rdx)
            }
            t.storeFBits(i.rd, .rcx)
        }
    }

    /// fsgnj, fsgnjx and fsgnjn of a register with itself: fmv, fabs and fneg, the sign bit
    /// kept, cleared or flipped in place (libm takes absolute values everywhere).
    private mutating func moveAbsNegate(_ i: Instruction, _ kind: SignInjection, _ p: Precision) {
        if kind == .copy, p == .double, let x = fXMM(i.rs1), let y = fXMM(i.rd) {
            if x != y { a.movaps(y, x) }
            return
        }
        unroundedOperation(i) { t, fallback in
            if p == .single { t.checkBoxed(i.rs1, unboxed: fallback) }
            t.loadFBits(.rcx, i.rs1)
            let sign: UInt64 = p == .double ? 1 << 63 : 1 << 31
            switch kind {
            case .copy: break
            case .xor where p == .double:
                t.a.shl(.rcx, imm: 1)
                t.a.shr(.rcx, imm: 1)
            case .xor:
                t.a.mov(.rdx, imm: Int64(bitPattern: ~sign))
                t.a.and(.rcx, .rdx)
            case .negate:
                t.a.mov(.rdx, imm: Int64(bitPattern: sign))
                t.a.xor(.rcx, .rdx)
            }
            t.storeFBits(i.rd, .rcx)
        }
    }

    /// fmin/fmax. Ordered and different: x86 min/max are right. Equal: the same bits, or zeros
    /// of both signs, where OR picks −0 (min) and AND +0 (max). Any NaN: the helper.
    mutating func minMax(_ i: Instruction, max: Bool, _ p: Precision) {
        unroundedOperation(i) { t, fallback in
            let store = t.a.newLabel(), different = t.a.newLabel()
            t.loadF(.xmm0, i.rs1, p, unboxed: fallback)
            let y = t.sourceF(i.rs2, p, scratch: .xmm1, unboxed: fallback)
            t.a.ucomis(p, .xmm0, y)
            t.a.jcc(.p, fallback)
            t.a.jcc(.ne, different)
            t.a.bitwise(max ? .andpd : .orpd, .xmm0, y)
            t.a.jmp(store)
            t.a.bind(different)
            t.a.scalar(max ? .max : .min, p, .xmm0, y)
            t.a.bind(store)
            t.storeF(i.rd, .xmm0, p)
        }
    }

    /// feq (`.e`), flt (`.b`), fle (`.be`) after `ucomis a, b`. Ordered operands raise nothing;
    /// unordered ones go to the helper (quiet feq vs signalling flt/fle, sNaN detection).
    mutating func compare(_ i: Instruction, _ cc: Condition, _ p: Precision) {
        unroundedOperation(i) { t, fallback in
            let x = t.sourceF(i.rs1, p, scratch: .xmm0, unboxed: fallback)
            let y = t.sourceF(i.rs2, p, scratch: .xmm1, unboxed: fallback)
            t.a.xor(.eax, .eax)
            t.a.ucomis(p, x, y)
            t.a.jcc(.p, fallback)
            t.a.setcc(cc, .al)
            t.store(i.rd, .rax)
        }
    }

    /// fclass from the bits: the class index k (0 −∞ … 7 +∞, 8 sNaN, 9 qNaN) and rd = 1 << k.
    /// The eight signed classes mirror each other (−normal 1, +normal 6): k for the magnitude,
    /// then XOR 7 for a negative value. libm classifies its arguments (isinf, isnan, fpclassify).
    /// A single that is not NaN-boxed is the canonical NaN: left to the helper.
    mutating func classify(_ i: Instruction, _ p: Precision) {
        if p == .double {
            classifyBits(i, p)
        } else {
            unroundedOperation(i) { t, fallback in
                t.checkBoxed(i.rs1, unboxed: fallback)
                t.classifyBits(i, p)
            }
        }
    }

    private mutating func classifyBits(_ i: Instruction, _ p: Precision) {
        loadFBits(.rax, i.rs1)
        classifyBits(i, p == .double ? .qword : .dword, mantissa: p == .double ? 52 : 23)
    }

    /// fclass of the value in rax, an IEEE number `size` wide with a `mantissa`-bit fraction
    /// field (a half is classified as the top 16 bits of a dword, the rest zero), into rd.
    mutating func classifyBits(_ i: Instruction, _ size: OperandSize, mantissa: UInt8) {
        let width = UInt8(size == .qword ? 64 : 32)
        let (ax, cx, dx) = (Reg(.rax, size), Reg(.rcx, size), Reg(.rdx, size))
        let maxExponent = Int32(1) << (width - 1 - mantissa) - 1
        let zeroExponent = a.newLabel(), special = a.newLabel(), signed = a.newLabel()
        let unsigned = a.newLabel()
        a.mov(dx, ax)
        a.shr(dx, imm: width - 1)
        a.neg(.edx)
        a.and(.edx, imm: 7) // 7 for a negative value
        a.mov(cx, ax)
        a.shl(cx, imm: 1)
        a.shr(cx, imm: mantissa + 1) // the exponent
        a.shl(ax, imm: width - mantissa) // the significand's fraction at the top; quiet bit = sign bit
        a.test(.ecx, .ecx)
        a.jcc(.e, zeroExponent)
        a.cmp(.ecx, imm: maxExponent)
        a.jcc(.e, special)
        a.mov(.ecx, imm: 6) // normal
        a.jmp(signed)
        a.bind(zeroExponent)
        a.mov(.ecx, imm: 4) // zero
        a.test(ax, ax)
        a.jcc(.e, signed)
        a.mov(.ecx, imm: 5) // subnormal
        a.jmp(signed)
        a.bind(special)
        a.mov(.ecx, imm: 7) // infinity
        a.test(ax, ax)
        a.jcc(.e, signed)
        a.shr(ax, imm: width - 1)
        a.lea(.ecx, .qword(.rax, 8)) // 8 + quiet bit
        a.jmp(unsigned)
        a.bind(signed)
        a.xor(.ecx, .edx)
        a.bind(unsigned)
        a.mov(.eax, imm: 1)
        a.shl(.eax, .cl)
        store(i.rd, .rax)
    }

    /// fmv.x.w (sign-extends bits 31:0, no unboxing check) and fmv.x.d.
    mutating func moveToInteger(_ i: Instruction, _ p: Precision) {
        switch p {
        case .single:
            if let x = fXMM(i.rs1) {
                a.movd(.eax, x)
                a.movsxd(.rax, .eax)
            } else {
                a.movsxd(.rax, fLow(i.rs1))
            }
        case .double:
            loadFBits(.rax, i.rs1)
        }
        store(i.rd, .rax)
    }

    /// fmv.w.x (boxes) and fmv.d.x.
    mutating func moveToFloat(_ i: Instruction, _ p: Precision) {
        let x = register(i.rs1, scratch: .rax)
        switch p {
        case .single:
            a.mov(.ecx, .r32(x))
            a.mov(.rdx, imm: Int64(bitPattern: Translator.nanBox))
            a.or(.rcx, .rdx)
            storeFBits(i.rd, .rcx)
        case .double:
            storeFBits(i.rd, x)
        }
    }
}
