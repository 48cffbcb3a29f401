extension Assembler {
    /// `vcvtph2ps dst, src` (F16C, VEX.128.66.0F38.W0 13 /r): the four halves in src's low 64
    /// bits widened to singles; exact for every non-NaN input, and raises nothing for those.
    public mutating func vcvtph2ps(_ dst: XMM, _ src: XMM) {
        emitVEX(map: 2, pp: 1, w: false, vvvv: 0, 0x13, reg: dst.rawValue, rm: .xmm(src))
    }
}
