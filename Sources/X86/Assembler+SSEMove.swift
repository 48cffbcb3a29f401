extension Assembler {
    /// `movss dst, src`: merges the low 32 bits, keeping the rest of `dst`.
    public mutating func movss(_ d: XMM, _ s: XMM) { emit(.pF3, .of(0x0F, 0x10), reg: d.rawValue, rm: .xmm(s)) }
    /// `movss dst, dword ptr [mem]`: loads and zeroes the upper 96 bits.
    public mutating func movss(_ d: XMM, _ s: Mem) { emit(.pF3, .of(0x0F, 0x10), reg: d.rawValue, rm: .mem(s)) }
    public mutating func movss(_ d: Mem, _ s: XMM) { emit(.pF3, .of(0x0F, 0x11), reg: s.rawValue, rm: .mem(d)) }
    /// `movsd dst, src`: merges the low 64 bits.
    public mutating func movsd(_ d: XMM, _ s: XMM) { emit(.pF2, .of(0x0F, 0x10), reg: d.rawValue, rm: .xmm(s)) }
    /// `movsd dst, qword ptr [mem]`: loads and zeroes the upper 64 bits.
    public mutating func movsd(_ d: XMM, _ s: Mem) { emit(.pF2, .of(0x0F, 0x10), reg: d.rawValue, rm: .mem(s)) }
    public mutating func movsd(_ d: Mem, _ s: XMM) { emit(.pF2, .of(0x0F, 0x11), reg: s.rawValue, rm: .mem(d)) }

    /// `movaps dst, src`: copies the whole register (no merge, so no dependency on `dst`).
    public mutating func movaps(_ d: XMM, _ s: XMM) { emit(.none, .of(0x0F, 0x28), reg: d.rawValue, rm: .xmm(s)) }

    /// `movd xmm, r32`: zero-extends into the whole register.
    public mutating func movd(_ d: XMM, _ s: Reg) {
        precondition(s.size == .dword, "movd moves 32 bits; use movq for 64")
        emit(.p66, .of(0x0F, 0x6E), reg: d.rawValue, rm: .gpr(s))
    }

    public mutating func movd(_ d: XMM, _ s: Mem) { emit(.p66, .of(0x0F, 0x6E), reg: d.rawValue, rm: .mem(s)) }

    /// `movd r32, xmm`: the low 32 bits.
    public mutating func movd(_ d: Reg, _ s: XMM) {
        precondition(d.size == .dword, "movd moves 32 bits; use movq for 64")
        emit(.p66, .of(0x0F, 0x7E), reg: s.rawValue, rm: .gpr(d))
    }

    public mutating func movd(_ d: Mem, _ s: XMM) { emit(.p66, .of(0x0F, 0x7E), reg: s.rawValue, rm: .mem(d)) }

    /// `movq xmm, r64`: zero-extends into the whole register.
    public mutating func movq(_ d: XMM, _ s: Reg) {
        precondition(s.size == .qword, "movq moves 64 bits; use movd for 32")
        emit(.p66, w: true, .of(0x0F, 0x6E), reg: d.rawValue, rm: .gpr(s))
    }

    /// `movq r64, xmm`: the low 64 bits.
    public mutating func movq(_ d: Reg, _ s: XMM) {
        precondition(d.size == .qword, "movq moves 64 bits; use movd for 32")
        emit(.p66, w: true, .of(0x0F, 0x7E), reg: s.rawValue, rm: .gpr(d))
    }

    /// `movq dst, src`: copies the low 64 bits and zeroes the upper ones.
    public mutating func movq(_ d: XMM, _ s: XMM) { emit(.pF3, .of(0x0F, 0x7E), reg: d.rawValue, rm: .xmm(s)) }
    /// `movq xmm, qword ptr [mem]`.
    public mutating func movq(_ d: XMM, _ s: Mem) { emit(.pF3, .of(0x0F, 0x7E), reg: d.rawValue, rm: .mem(s)) }
    /// `movq qword ptr [mem], xmm`.
    public mutating func movq(_ d: Mem, _ s: XMM) { emit(.p66, .of(0x0F, 0xD6), reg: s.rawValue, rm: .mem(d)) }
}

// MARK: - Conversions

extension Assembler {
    /// `cvtsi2s{s,d} dst, src`: a signed 32- or 64-bit integer to float, rounded per MXCSR.
    public mutating func cvtsi2s(_ p: Precision, _ d: XMM, _ s: Reg) {
        precondition(s.size == .dword || s.size == .qword, "converts a 32/64-bit integer")
        emit(p.scalarPrefix, w: s.size.rexW, .of(0x0F, 0x2A), reg: d.rawValue, rm: .gpr(s))
    }

    /// `cvtsi2s{s,d} dst, dword/qword ptr [mem]` (the size of `s` picks the integer width).
    public mutating func cvtsi2s(_ p: Precision, _ d: XMM, _ s: Mem) {
        precondition(s.size == .dword || s.size == .qword, "converts a 32/64-bit integer")
        emit(p.scalarPrefix, w: s.size.rexW, .of(0x0F, 0x2A), reg: d.rawValue, rm: .mem(s))
    }

    public mutating func cvtsi2ss(_ d: XMM, _ s: Reg) { cvtsi2s(.single, d, s) }
    public mutating func cvtsi2sd(_ d: XMM, _ s: Reg) { cvtsi2s(.double, d, s) }

    /// `cvt[t]s{s,d}2si dst, src`: float to a signed 32/64-bit integer, rounded per MXCSR, or
    /// truncated when `truncate`. Out of range and NaN give the "integer indefinite" INT_MIN.
    public mutating func cvts2si(_ p: Precision, truncate: Bool, _ d: Reg, _ s: XMM) {
        precondition(d.size == .dword || d.size == .qword, "converts to a 32/64-bit integer")
        emit(p.scalarPrefix, w: d.size.rexW, .of(0x0F, truncate ? 0x2C : 0x2D), reg: d.gpr.rawValue, rm: .xmm(s))
    }

    public mutating func cvts2si(_ p: Precision, truncate: Bool, _ d: Reg, _ s: Mem) {
        precondition(d.size == .dword || d.size == .qword, "converts to a 32/64-bit integer")
        emit(p.scalarPrefix, w: d.size.rexW, .of(0x0F, truncate ? 0x2C : 0x2D), reg: d.gpr.rawValue, rm: .mem(s))
    }

    public mutating func cvtss2si(_ d: Reg, _ s: XMM) { cvts2si(.single, truncate: false, d, s) }
    public mutating func cvttss2si(_ d: Reg, _ s: XMM) { cvts2si(.single, truncate: true, d, s) }
    public mutating func cvtsd2si(_ d: Reg, _ s: XMM) { cvts2si(.double, truncate: false, d, s) }
    public mutating func cvttsd2si(_ d: Reg, _ s: XMM) { cvts2si(.double, truncate: true, d, s) }

    /// `cvtss2sd dst, src`: widens (exact; an sNaN becomes a quiet NaN).
    public mutating func cvtss2sd(_ d: XMM, _ s: XMM) { emit(.pF3, .of(0x0F, 0x5A), reg: d.rawValue, rm: .xmm(s)) }
    public mutating func cvtss2sd(_ d: XMM, _ s: Mem) { emit(.pF3, .of(0x0F, 0x5A), reg: d.rawValue, rm: .mem(s)) }
    /// `cvtsd2ss dst, src`: narrows, rounded per MXCSR.
    public mutating func cvtsd2ss(_ d: XMM, _ s: XMM) { emit(.pF2, .of(0x0F, 0x5A), reg: d.rawValue, rm: .xmm(s)) }
    public mutating func cvtsd2ss(_ d: XMM, _ s: Mem) { emit(.pF2, .of(0x0F, 0x5A), reg: d.rawValue, rm: .mem(s)) }
}
