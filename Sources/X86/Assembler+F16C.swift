extension Assembler {
    /// `vcvtph2ps dst, src` (F16C, VEX.128.66.0F38.W0 13 /r): the four halves in src's low 64
    /// bits widened to singles; exact for every non-NaN input, and raises nothing for those.
    public mutating func vcvtph2ps(_ dst: XMM, _ src: XMM) {
        emitVEX(map: 2, pp: 1, w: false, vvvv: 0, 0x13, reg: dst.rawValue, rm: .xmm(src))
    }
}

extension Assembler {
    /// `vcvtps2ph dst, src, imm` (F16C, VEX.128.66.0F3A.W0 1D /r ib): the four singles in src
    /// narrowed to halves in dst's low 64 bits. imm 4 rounds as MXCSR says; 0–3 force RNE, RDN,
    /// RUP, RTZ. Raises overflow, underflow (tininess after rounding), inexact, and invalid for a
    /// signalling NaN.
    public mutating func vcvtps2ph(_ dst: XMM, _ src: XMM, rounding imm: UInt8 = 4) {
        emitVEX(map: 3, pp: 1, w: false, vvvv: 0, 0x1D, reg: src.rawValue, rm: .xmm(dst), immSize: 1)
        bytes.append(imm)
    }
}
