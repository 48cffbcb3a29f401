import Guest
import Interpreter
import RISCV
import X86

/// Zfh, Zfhmin and Zfa's half forms. x86 has no half arithmetic short of AVX512-FP16, so the
/// arithmetic, comparisons and the other conversions call `FloatUnit` (the binary16 soft-float);
/// the bit moves are inline: flh/fmv.h.x box the half (upper 48 bits all ones), fsh/fmv.x.h take
/// bits 15:0 as they are, and fli.h is a constant known at translation time. With F16C,
/// fcvt.s.h/fcvt.d.h of a boxed non-NaN half are `vcvtph2ps` (exact, no flags; then an exact
/// `cvtss2sd` for d); NaNs and unboxed operands, and hosts without F16C, call `FloatUnit`.
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
        switch op {
        case .fmv_x_h:
            if let x = fXMM(i.rs1) { a.movd(.eax, x) } else { a.mov(.eax, fLow(i.rs1)) }
            a.movsx(.rax, .ax)
            store(i.rd, .rax)
        case .fmv_h_x:
            let x = register(i.rs1, scratch: .rax)
            a.movzx(.ecx, .r16(x))
            a.mov(.rdx, imm: Int64(bitPattern: Translator.halfBox))
            a.or(.rcx, .rdx)
            storeFBits(i.rd, .rcx)
        case .fli_h:
            a.mov(.rcx, imm: Int64(bitPattern: HalfBox.box(HalfOps.constant(Int(i.rs1)))))
            storeFBits(i.rd, .rcx)
        case .fcvt_s_h, .fcvt_d_h:
            guard targets.features.f16c else { floatHelper(i); return }
            widenHalf(i, op == .fcvt_d_h ? .double : .single)
        default:
            floatHelper(i)
        }
    }

    mutating func widenHalf(_ i: Instruction, _ p: Precision) {
        unroundedOperation(i) { t, fallback in
            t.loadFBits(.rcx, i.rs1)
            // Boxed: bits 63:16 all ones.
            t.a.mov(.rdx, .rcx)
            t.a.or(.rdx, imm: 0xffff)
            t.a.cmp(.rdx, imm: -1)
            t.a.jcc(.ne, fallback)
            // A NaN becomes the canonical one (NV if signalling): the helper's business.
            t.a.mov(.edx, .ecx)
            t.a.and(.edx, imm: 0x7fff)
            t.a.cmp(.edx, imm: 0x7c00)
            t.a.jcc(.a, fallback)
            t.a.movd(.xmm0, .ecx)
            t.a.vcvtph2ps(.xmm0, .xmm0)
            if p == .double { t.a.cvtss2sd(.xmm0, .xmm0) }
            t.storeF(i.rd, .xmm0, p)
        }
    }
}
