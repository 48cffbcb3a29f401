/// One decoded guest instruction in its base (uncompressed) form.
///
/// Operand fields that an instruction does not use are zero. `imm` is already sign-extended
/// and scaled (branch and jump offsets in bytes, `lui`/`auipc` as the shifted value).
public struct Instruction: Equatable, Sendable {
    public var opcode: Opcode
    public var rd: UInt8
    public var rs1: UInt8
    public var rs2: UInt8
    public var rs3: UInt8
    /// Rounding mode for F/D (0...7, 7 = dynamic); for AMOs bit 1 = aq, bit 0 = rl;
    /// for `fence` the pred (bits 7:4) and succ (bits 3:0) sets, with fm in bits 11:8.
    public var rm: UInt16
    /// CSR number for Zicsr instructions; for the `*i` forms the 5-bit immediate is in `rs1`.
    public var csr: UInt16
    public var imm: Int64
    /// 2 for a compressed encoding, 4 otherwise.
    public var length: UInt8
    /// The raw encoding (low 16 bits only for compressed instructions).
    public var raw: UInt32

    public init(opcode: Opcode, rd: UInt8 = 0, rs1: UInt8 = 0, rs2: UInt8 = 0, rs3: UInt8 = 0,
                rm: UInt16 = 0, csr: UInt16 = 0, imm: Int64 = 0, length: UInt8 = 4, raw: UInt32 = 0) {
        self.opcode = opcode
        self.rd = rd
        self.rs1 = rs1
        self.rs2 = rs2
        self.rs3 = rs3
        self.rm = rm
        self.csr = csr
        self.imm = imm
        self.length = length
        self.raw = raw
    }
}
