/// How a compressed encoding's fields map onto its base-form operands.
public enum CompressedForm: UInt8, Sendable {
    case addi4spn       // addi rd', sp, nzuimm
    case loadWord       // rd', uimm(rs1')   (c.lw)
    case loadDouble     // rd', uimm(rs1')   (c.ld, c.fld)
    case storeWord      // rs2', uimm(rs1')  (c.sw)
    case storeDouble    // rs2', uimm(rs1')  (c.sd, c.fsd)
    case immediate      // rd, rd, imm6       (c.addi, c.addiw)
    case loadImmediate  // rd, zero, imm6     (c.li)
    case addi16sp       // sp, sp, nzimm
    case lui            // rd, nzimm << 12
    case shiftPrime     // rd', rd', shamt    (c.srli, c.srai)
    case andi           // rd', rd', imm6
    case arithmetic     // rd', rd', rs2'
    case jump           // zero, offset       (c.j)
    case branch         // rs1', zero, offset (c.beqz, c.bnez)
    case shift          // rd, rd, shamt      (c.slli)
    case loadWordSP     // rd, uimm(sp)
    case loadDoubleSP   // rd, uimm(sp)
    case jumpRegister   // zero, 0(rs1)       (c.jr)
    case jumpLinkRegister // ra, 0(rs1)       (c.jalr)
    case move           // rd, zero, rs2      (c.mv)
    case add            // rd, rd, rs2        (c.add)
    case noOperands     // c.ebreak
    case storeWordSP    // rs2, uimm(sp)
    case storeDoubleSP  // rs2, uimm(sp)
    case loadByte       // rd', uimm(rs1')   (c.lbu: uimm[0|1] at bits 6:5)
    case loadHalf       // rd', uimm(rs1')   (c.lhu, c.lh: uimm[1] at bit 5)
    case storeByte      // rs2', uimm(rs1')  (c.sb)
    case storeHalf      // rs2', uimm(rs1')  (c.sh)
    case unaryPrime     // rd', rd'          (c.sext.b, c.zext.h, c.sext.h; c.zext.w as add.uw rd', rd', zero)
    case zeroExtendBytePrime // rd', rd', 255 (c.zext.b)
    case notPrime       // rd', rd', -1      (c.not)
    case mayBeOperation // c.mop.n: no operands (runs as nop)
}

/// A further condition an encoding must meet, beyond its mask, to be valid (the rest are reserved).
public enum CompressedRequirement: UInt8, Sendable {
    case none, nonzeroImmediate, nonzeroRd, nonzeroRs1, nonzeroRs2
}

/// One row of the RVC table (RV64 only: C.LQ, C.SQ and the RV32 C.JAL/C.FLW forms are absent).
public struct CompressedSpec: Sendable {
    public let name: String
    public let mask: UInt16
    public let match: UInt16
    public let base: Opcode
    public let form: CompressedForm
    public let requirement: CompressedRequirement
    /// `c`, or the extension that added the encoding (Zcb); the base form's own extension applies too.
    public let ext: Extension

    init(_ name: String, _ match: UInt16, _ mask: UInt16, _ base: Opcode, _ form: CompressedForm,
         _ requirement: CompressedRequirement = .none, ext: Extension = .c) {
        self.name = name
        self.match = match
        self.mask = mask
        self.base = base
        self.form = form
        self.requirement = requirement
        self.ext = ext
    }
}

extension ISA {
    /// The extension that defines a 16-bit encoding (`c`, `zcb`, `zcmop`), or nil if reserved.
    public static func compressedExtension(_ half: UInt16) -> Extension? {
        DecodeIndex.compressedEntry(half)?.ext
    }

    /// The RV64C encodings, in priority order: the first row whose mask matches and whose
    /// requirement holds is the decoding. binutils' validity is followed where it is more lenient
    /// than the spec (c.addi16sp with a zero immediate decodes to `addi sp, sp, 0`).
    public static let compressed: [CompressedSpec] = {
        let f3: UInt16 = 0xe003          // funct3 + quadrant
        let f3rd: UInt16 = 0xef83        // ... + rd (c.addi16sp)
        let f6: UInt16 = 0xec03          // funct3 + bits 11:10
        let f6x: UInt16 = 0xfc63         // funct6 + bits 6:5
        let f4: UInt16 = 0xf003          // funct4
        let f4rs2: UInt16 = 0xf07f       // funct4 + rs2
        return [
            CompressedSpec("c.addi4spn", 0x0000, f3, .addi, .addi4spn, .nonzeroImmediate),
            CompressedSpec("c.fld", 0x2000, f3, .fld, .loadDouble),
            CompressedSpec("c.lw", 0x4000, f3, .lw, .loadWord),
            CompressedSpec("c.ld", 0x6000, f3, .ld, .loadDouble),
            CompressedSpec("c.fsd", 0xa000, f3, .fsd, .storeDouble),
            CompressedSpec("c.sw", 0xc000, f3, .sw, .storeWord),
            CompressedSpec("c.sd", 0xe000, f3, .sd, .storeDouble),

            CompressedSpec("c.addi", 0x0001, f3, .addi, .immediate),
            CompressedSpec("c.addiw", 0x2001, f3, .addiw, .immediate, .nonzeroRd),
            CompressedSpec("c.li", 0x4001, f3, .addi, .loadImmediate),
            CompressedSpec("c.addi16sp", 0x6101, f3rd, .addi, .addi16sp),
            CompressedSpec("c.lui", 0x6001, f3, .lui, .lui, .nonzeroImmediate),
            CompressedSpec("c.srli", 0x8001, f6, .srli, .shiftPrime),
            CompressedSpec("c.srai", 0x8401, f6, .srai, .shiftPrime),
            CompressedSpec("c.andi", 0x8801, f6, .andi, .andi),
            CompressedSpec("c.sub", 0x8c01, f6x, .sub, .arithmetic),
            CompressedSpec("c.xor", 0x8c21, f6x, .xor, .arithmetic),
            CompressedSpec("c.or", 0x8c41, f6x, .or, .arithmetic),
            CompressedSpec("c.and", 0x8c61, f6x, .and, .arithmetic),
            CompressedSpec("c.subw", 0x9c01, f6x, .subw, .arithmetic),
            CompressedSpec("c.addw", 0x9c21, f6x, .addw, .arithmetic),
            CompressedSpec("c.j", 0xa001, f3, .jal, .jump),
            CompressedSpec("c.beqz", 0xc001, f3, .beq, .branch),
            CompressedSpec("c.bnez", 0xe001, f3, .bne, .branch),

            CompressedSpec("c.slli", 0x0002, f3, .slli, .shift),
            CompressedSpec("c.fldsp", 0x2002, f3, .fld, .loadDoubleSP),
            CompressedSpec("c.lwsp", 0x4002, f3, .lw, .loadWordSP, .nonzeroRd),
            CompressedSpec("c.ldsp", 0x6002, f3, .ld, .loadDoubleSP, .nonzeroRd),
            CompressedSpec("c.jr", 0x8002, f4rs2, .jalr, .jumpRegister, .nonzeroRs1),
            CompressedSpec("c.mv", 0x8002, f4, .add, .move, .nonzeroRs2),
            CompressedSpec("c.ebreak", 0x9002, 0xffff, .ebreak, .noOperands),
            CompressedSpec("c.jalr", 0x9002, f4rs2, .jalr, .jumpLinkRegister, .nonzeroRs1),
            CompressedSpec("c.add", 0x9002, f4, .add, .add, .nonzeroRs2),
            CompressedSpec("c.fsdsp", 0xa002, f3, .fsd, .storeDoubleSP),
            CompressedSpec("c.swsp", 0xc002, f3, .sw, .storeWordSP),
            CompressedSpec("c.sdsp", 0xe002, f3, .sd, .storeDoubleSP),
        ] + compressedZcb
    }()
}
