import Guest
import X86

/// Reading and writing guest f registers, wherever they live (`FloatRegisterMap`): an xmm
/// register or the state block. Singles are NaN-boxed in the low 64 bits either way; what an
/// xmm register holds above bit 63 means nothing.
extension Translator {
    func fXMM(_ f: UInt8) -> XMM? { FloatRegisterMap.host[Int(f)] }

    func fHigh(_ f: UInt8) -> Mem { .dword(Host.state, Int32(StateOffset.f + 8 * Int(f) + 4)) }
    func fLow(_ f: UInt8) -> Mem { .dword(Host.state, Int32(StateOffset.f + 8 * Int(f))) }

    /// Jumps to `unboxed` unless f holds a NaN-boxed single (upper 32 bits all ones). Clobbers rdx
    /// when f is cached.
    mutating func checkBoxed(_ f: UInt8, unboxed: Label) {
        if let x = fXMM(f) {
            a.movq(.rdx, x)
            a.shr(.rdx, imm: 32)
            a.cmp(.edx, imm: -1)
        } else {
            a.cmp(fHigh(f), imm: -1)
        }
        a.jcc(.ne, unboxed)
    }

    /// A register holding f as an operand of precision `p`: its cache register, or `scratch`
    /// loaded from the state block. A single that is not NaN-boxed goes to `unboxed`.
    mutating func sourceF(_ f: UInt8, _ p: Precision, scratch: XMM, unboxed: Label) -> XMM {
        if p == .single { checkBoxed(f, unboxed: unboxed) }
        if let x = fXMM(f) { return x }
        switch p {
        case .double: a.movsd(scratch, fSlot(f))
        case .single: a.movss(scratch, fLow(f))
        }
        return scratch
    }

    /// `x = f` as an operand of precision `p`, in `x` itself (which the caller then overwrites).
    mutating func loadF(_ x: XMM, _ f: UInt8, _ p: Precision, unboxed: Label) {
        let r = sourceF(f, p, scratch: x, unboxed: unboxed)
        if r != x { a.movaps(x, r) }
    }

    /// `f = x` (NaN-boxed if single). Clobbers rcx and rdx for a cached single.
    mutating func storeF(_ f: UInt8, _ x: XMM, _ p: Precision) {
        switch (p, fXMM(f)) {
        case (.double, let r?):
            if r != x { a.movaps(r, x) }
        case (.double, nil):
            a.movsd(fSlot(f), x)
        case (.single, let r?):
            a.movd(.ecx, x)
            a.mov(.rdx, imm: Int64(bitPattern: Translator.nanBox))
            a.or(.rcx, .rdx)
            a.movq(r, .rcx)
        case (.single, nil):
            a.movss(fLow(f), x)
            a.mov(fHigh(f), imm: -1)
        }
    }

    /// `g = f`'s 64 bits.
    mutating func loadFBits(_ g: GPR, _ f: UInt8) {
        if let x = fXMM(f) { a.movq(.r64(g), x) } else { a.mov(.r64(g), fSlot(f)) }
    }

    /// `f = g`'s 64 bits.
    mutating func storeFBits(_ f: UInt8, _ g: GPR) {
        if let x = fXMM(f) { a.movq(x, .r64(g)) } else { a.mov(fSlot(f), .r64(g)) }
    }
}
