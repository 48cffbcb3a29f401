/// The operand fields of a 16-bit encoding, with RVC's scrambled immediates put back in order.
struct CompressedFields {
    let h: UInt32

    init(_ half: UInt16) { h = UInt32(half) }

    @inline(__always) func bit(_ i: UInt32) -> UInt32 { (h >> i) & 1 }
    @inline(__always) func bits(_ hi: UInt32, _ lo: UInt32) -> UInt32 { (h >> lo) & ((1 << (hi - lo + 1)) - 1) }

    /// Full register number in bits 11:7 and 6:2.
    var rd: UInt8 { UInt8(bits(11, 7)) }
    var rs2: UInt8 { UInt8(bits(6, 2)) }
    /// The 3-bit register fields name x8–x15 (or f8–f15).
    var rdPrime: UInt8 { UInt8(bits(4, 2)) + 8 }
    var rs1Prime: UInt8 { UInt8(bits(9, 7)) + 8 }

    /// Sign-extends the low `width` bits of `value`.
    @inline(__always) func signed(_ value: UInt32, _ width: UInt32) -> Int64 {
        Int64(Int32(bitPattern: value << (32 - width)) >> (32 - width))
    }

    /// imm[5] at bit 12, imm[4:0] at bits 6:2, sign-extended (c.addi, c.li, c.andi).
    var imm6: Int64 { signed(bit(12) << 5 | bits(6, 2), 6) }
    /// shamt[5] at bit 12, shamt[4:0] at bits 6:2.
    var shamt: Int64 { Int64(bit(12) << 5 | bits(6, 2)) }
    /// nzuimm[5:4|9:6|2|3] at bits 12:5.
    var addi4spnImm: Int64 { Int64(bits(12, 11) << 4 | bits(10, 7) << 6 | bit(6) << 2 | bit(5) << 3) }
    /// uimm[5:3] at 12:10, uimm[2|6] at 6:5.
    var wordOffset: Int64 { Int64(bits(12, 10) << 3 | bit(6) << 2 | bit(5) << 6) }
    /// uimm[5:3] at 12:10, uimm[7:6] at 6:5.
    var doubleOffset: Int64 { Int64(bits(12, 10) << 3 | bits(6, 5) << 6) }
    /// nzimm[9] at 12, nzimm[4|6|8:7|5] at 6:2.
    var addi16spImm: Int64 { signed(bit(12) << 9 | bit(6) << 4 | bit(5) << 6 | bits(4, 3) << 7 | bit(2) << 5, 10) }
    /// nzimm[17] at 12, nzimm[16:12] at 6:2.
    var luiImm: Int64 { signed(bit(12) << 17 | bits(6, 2) << 12, 18) }
    /// offset[11|4|9:8|10|6|7|3:1|5] at 12:2.
    var jumpOffset: Int64 {
        signed(bit(12) << 11 | bit(11) << 4 | bits(10, 9) << 8 | bit(8) << 10 | bit(7) << 6 | bit(6) << 7
               | bits(5, 3) << 1 | bit(2) << 5, 12)
    }
    /// offset[8|4:3] at 12:10, offset[7:6|2:1|5] at 6:2.
    var branchOffset: Int64 { signed(bit(12) << 8 | bits(11, 10) << 3 | bits(6, 5) << 6 | bits(4, 3) << 1 | bit(2) << 5, 9) }
    /// uimm[5] at 12, uimm[4:2|7:6] at 6:2.
    var wordSPLoadOffset: Int64 { Int64(bit(12) << 5 | bits(6, 4) << 2 | bits(3, 2) << 6) }
    /// uimm[5] at 12, uimm[4:3|8:6] at 6:2.
    var doubleSPLoadOffset: Int64 { Int64(bit(12) << 5 | bits(6, 5) << 3 | bits(4, 2) << 6) }
    /// uimm[5:2|7:6] at 12:7.
    var wordSPStoreOffset: Int64 { Int64(bits(12, 9) << 2 | bits(8, 7) << 6) }
    /// uimm[5:3|8:6] at 12:7.
    var doubleSPStoreOffset: Int64 { Int64(bits(12, 10) << 3 | bits(9, 7) << 6) }

    /// Zcb's c.lbu/c.sb: uimm[0] at bit 6, uimm[1] at bit 5.
    var byteOffset: Int64 { Int64(bit(6) | bit(5) << 1) }
    /// Zcb's c.lhu/c.lh/c.sh: uimm[1] at bit 5.
    var halfOffset: Int64 { Int64(bit(5) << 1) }

    func satisfies(_ requirement: CompressedRequirement, form: CompressedForm) -> Bool {
        switch requirement {
        case .none: true
        case .nonzeroRd, .nonzeroRs1: rd != 0
        case .nonzeroRs2: rs2 != 0
        case .nonzeroImmediate: form == .addi4spn ? addi4spnImm != 0 : luiImm != 0
        }
    }

    /// The base-form instruction this encoding stands for.
    func expand(_ base: Opcode, _ form: CompressedForm) -> Instruction {
        var i = Instruction(opcode: base, length: 2, raw: h)
        switch form {
        case .addi4spn: i.rd = rdPrime; i.rs1 = 2; i.imm = addi4spnImm
        case .loadWord: i.rd = rdPrime; i.rs1 = rs1Prime; i.imm = wordOffset
        case .loadDouble: i.rd = rdPrime; i.rs1 = rs1Prime; i.imm = doubleOffset
        case .storeWord: i.rs2 = rdPrime; i.rs1 = rs1Prime; i.imm = wordOffset
        case .storeDouble: i.rs2 = rdPrime; i.rs1 = rs1Prime; i.imm = doubleOffset
        case .immediate: i.rd = rd; i.rs1 = rd; i.imm = imm6
        case .loadImmediate: i.rd = rd; i.imm = imm6
        case .addi16sp: i.rd = 2; i.rs1 = 2; i.imm = addi16spImm
        case .lui: i.rd = rd; i.imm = luiImm
        case .shiftPrime: i.rd = rs1Prime; i.rs1 = rs1Prime; i.imm = shamt
        case .andi: i.rd = rs1Prime; i.rs1 = rs1Prime; i.imm = imm6
        case .arithmetic: i.rd = rs1Prime; i.rs1 = rs1Prime; i.rs2 = rdPrime
        case .jump: i.imm = jumpOffset
        case .branch: i.rs1 = rs1Prime; i.imm = branchOffset
        case .shift: i.rd = rd; i.rs1 = rd; i.imm = shamt
        case .loadWordSP: i.rd = rd; i.rs1 = 2; i.imm = wordSPLoadOffset
        case .loadDoubleSP: i.rd = rd; i.rs1 = 2; i.imm = doubleSPLoadOffset
        case .jumpRegister: i.rs1 = rd
        case .jumpLinkRegister: i.rd = 1; i.rs1 = rd
        case .move: i.rd = rd; i.rs2 = rs2
        case .add: i.rd = rd; i.rs1 = rd; i.rs2 = rs2
        case .noOperands: break
        case .storeWordSP: i.rs2 = rs2; i.rs1 = 2; i.imm = wordSPStoreOffset
        case .storeDoubleSP: i.rs2 = rs2; i.rs1 = 2; i.imm = doubleSPStoreOffset
        case .loadByte: i.rd = rdPrime; i.rs1 = rs1Prime; i.imm = byteOffset
        case .loadHalf: i.rd = rdPrime; i.rs1 = rs1Prime; i.imm = halfOffset
        case .storeByte: i.rs2 = rdPrime; i.rs1 = rs1Prime; i.imm = byteOffset
        case .storeHalf: i.rs2 = rdPrime; i.rs1 = rs1Prime; i.imm = halfOffset
        case .unaryPrime: i.rd = rs1Prime; i.rs1 = rs1Prime
        case .zeroExtendBytePrime: i.rd = rs1Prime; i.rs1 = rs1Prime; i.imm = 255
        case .notPrime: i.rd = rs1Prime; i.rs1 = rs1Prime; i.imm = -1
        case .mayBeOperation: break
        }
        return i
    }
}
