extension Assembler {
    /// `movups xmmword ptr [mem], xmm` (0F 11 /r): 16 bytes, no alignment required.
    public mutating func movups(_ d: Mem, _ s: XMM) {
        emit(.none, .of(0x0F, 0x11), reg: s.rawValue, rm: .mem(d))
    }
}
