/// AES-NI and the two SSE2 shuffles the scalar-crypto lowerings need to build and take apart
/// a 128-bit state: all legacy-SSE encodings with the 66 prefix.
public enum AESOp: UInt8, CaseIterable, Sendable {
    /// InvMixColumns of the source.
    case aesimc = 0xDB
    /// One round: ShiftRows, SubBytes, MixColumns, then XOR with the source (the round key).
    case aesenc = 0xDC
    /// The last round: ShiftRows, SubBytes, XOR with the round key.
    case aesenclast = 0xDD
    /// One inverse round: InvShiftRows, InvSubBytes, InvMixColumns, XOR with the round key.
    case aesdec = 0xDE
    /// The last inverse round: InvShiftRows, InvSubBytes, XOR with the round key.
    case aesdeclast = 0xDF
}

extension Assembler {
    public mutating func aes(_ op: AESOp, _ dst: XMM, _ src: XMM) {
        emit(.p66, .of(0x0F, 0x38, op.rawValue), reg: dst.rawValue, rm: .xmm(src))
    }

    public mutating func aes(_ op: AESOp, _ dst: XMM, _ src: Mem) {
        emit(.p66, .of(0x0F, 0x38, op.rawValue), reg: dst.rawValue, rm: .mem(src))
    }

    /// SubWord of dwords 1 and 3, and RotWord(SubWord) XOR `rcon` of them, into dwords 0–3.
    public mutating func aeskeygenassist(_ dst: XMM, _ src: XMM, _ rcon: UInt8) {
        emit(.p66, .of(0x0F, 0x3A, 0xDF), reg: dst.rawValue, rm: .xmm(src), imm: Int64(rcon), immSize: 1)
    }

    public mutating func aeskeygenassist(_ dst: XMM, _ src: Mem, _ rcon: UInt8) {
        emit(.p66, .of(0x0F, 0x3A, 0xDF), reg: dst.rawValue, rm: .mem(src), imm: Int64(rcon), immSize: 1)
    }

    /// Carry-less multiplication of one qword of dst by one of src (`select` bit 0 picks dst's
    /// high qword, bit 4 src's): the 128-bit product into dst (PCLMULQDQ).
    public mutating func pclmulqdq(_ dst: XMM, _ src: XMM, _ select: UInt8) {
        emit(.p66, .of(0x0F, 0x3A, 0x44), reg: dst.rawValue, rm: .xmm(src), imm: Int64(select), immSize: 1)
    }

    /// dst = low qword of src : low qword of dst (src above).
    public mutating func punpcklqdq(_ dst: XMM, _ src: XMM) {
        emit(.p66, .of(0x0F, 0x6C), reg: dst.rawValue, rm: .xmm(src))
    }

    /// Dword i of dst = dword (order >> 2i & 3) of src.
    public mutating func pshufd(_ dst: XMM, _ src: XMM, _ order: UInt8) {
        emit(.p66, .of(0x0F, 0x70), reg: dst.rawValue, rm: .xmm(src), imm: Int64(order), immSize: 1)
    }
}
