/// The RVA22/RVA23 scalar extensions beyond the bit and crypto groups that need rows of their own:
/// Zimop (mop.r.n, mop.rr.n), Zacas (amocas.w/d/q), Zicbom and Zicboz (cbo.*) and Zawrs (wrs.*).
/// Zcb and Zcmop are compressed encodings of base forms (`ISA.compressedZcb`); Zicbop (prefetch.*),
/// Zihintpause (pause) and Zihintntl (ntl.*) are hints on base encodings that only the
/// disassembler names.
extension ISA {
    static let rva23Scalar: [InstructionSpec] = [
        // Zimop: 1n00nn0111nn sssss 100 ddddd 1110011 and 1n00nn1 ttttt sssss 100 ddddd 1110011.
        InstructionSpec(.mop_r, "mop.r", 0x81c0_4073, 0xb3c0_707f, .mop, .zimop, .bit, "xx"),
        InstructionSpec(.mop_rr, "mop.rr", 0x8200_4073, 0xb200_707f, .mop, .zimop, .bit, "xxx"),
        // Zacas: funct5 00101; rd is the compare value in and the old value out. amocas.q works on
        // the register pairs rd/rd+1 and rs2/rs2+1 (odd numbers are reserved: illegal when run).
        InstructionSpec(.amocas_w, "amocas.w", enc(Major.amo, f3: 2, f7: 0x05 << 2), Mask.amo, .amo, .zacas, .atomic,
                        "xxx", [], MemoryAccess(.atomic, width: 4, signed: true)),
        InstructionSpec(.amocas_d, "amocas.d", enc(Major.amo, f3: 3, f7: 0x05 << 2), Mask.amo, .amo, .zacas, .atomic,
                        "xxx", [], MemoryAccess(.atomic, width: 8, signed: true)),
        InstructionSpec(.amocas_q, "amocas.q", enc(Major.amo, f3: 4, f7: 0x05 << 2), Mask.amo, .amo, .zacas, .atomic,
                        "xxx", [.mayTrap], MemoryAccess(.atomic, width: 16)),
        // Zicbom, Zicboz: MISC-MEM funct3 2, the operation in imm[11:0], rd = 0; the system group,
        // since system mode gates them on menvcfg/senvcfg and translates through the MMU.
        InstructionSpec(.cbo_clean, "cbo.clean", enc(Major.miscMem, f3: 2) | 1 << 20, 0xfff0_7fff, .cbo, .zicbom, .system,
                        "-x", [.mayTrap]),
        InstructionSpec(.cbo_flush, "cbo.flush", enc(Major.miscMem, f3: 2) | 2 << 20, 0xfff0_7fff, .cbo, .zicbom, .system,
                        "-x", [.mayTrap]),
        InstructionSpec(.cbo_inval, "cbo.inval", enc(Major.miscMem, f3: 2), 0xfff0_7fff, .cbo, .zicbom, .system,
                        "-x", [.mayTrap]),
        InstructionSpec(.cbo_zero, "cbo.zero", enc(Major.miscMem, f3: 2) | 4 << 20, 0xfff0_7fff, .cbo, .zicboz, .system,
                        "-x", [.mayTrap]),
        // Zawrs (they may trap: mstatus.TW may make a wait that does not end at once illegal)
        InstructionSpec(.wrs_nto, "wrs.nto", 0x00d0_0073, Mask.exact, .none, .zawrs, .system, "", [.mayTrap]),
        InstructionSpec(.wrs_sto, "wrs.sto", 0x01d0_0073, Mask.exact, .none, .zawrs, .system, "", [.mayTrap]),
    ]

    /// Zcb (needs C; c.sext.*, c.zext.h and c.zext.w also need Zbb or Zba, c.mul needs M: the base
    /// form's extension is checked too) and Zcmop (c.mop.n: c.lui's reserved rd = 2n+1, imm = 0).
    static let compressedZcb: [CompressedSpec] = {
        let memory: UInt16 = 0xfc03      // funct6 + quadrant (c.lbu, c.sb)
        let half: UInt16 = 0xfc43        // ... + bit 6 (c.lhu, c.lh, c.sh)
        let unary: UInt16 = 0xfc7f       // funct6 + bits 6:2
        return [
            CompressedSpec("c.lbu", 0x8000, memory, .lbu, .loadByte, ext: .zcb),
            CompressedSpec("c.lhu", 0x8400, half, .lhu, .loadHalf, ext: .zcb),
            CompressedSpec("c.lh", 0x8440, half, .lh, .loadHalf, ext: .zcb),
            CompressedSpec("c.sb", 0x8800, memory, .sb, .storeByte, ext: .zcb),
            CompressedSpec("c.sh", 0x8c00, half, .sh, .storeHalf, ext: .zcb),
            CompressedSpec("c.zext.b", 0x9c61, unary, .andi, .zeroExtendBytePrime, ext: .zcb),
            CompressedSpec("c.sext.b", 0x9c65, unary, .sext_b, .unaryPrime, ext: .zcb),
            CompressedSpec("c.zext.h", 0x9c69, unary, .zext_h, .unaryPrime, ext: .zcb),
            CompressedSpec("c.sext.h", 0x9c6d, unary, .sext_h, .unaryPrime, ext: .zcb),
            CompressedSpec("c.zext.w", 0x9c71, unary, .add_uw, .unaryPrime, ext: .zcb),
            CompressedSpec("c.not", 0x9c75, unary, .xori, .notPrime, ext: .zcb),
            CompressedSpec("c.mul", 0x9c41, 0xfc63, .mul, .arithmetic, ext: .zcb),
            CompressedSpec("c.mop", 0x6081, 0xf8ff, .addi, .mayBeOperation, ext: .zcmop),
        ]
    }()
}
