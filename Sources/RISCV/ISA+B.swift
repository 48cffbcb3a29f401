/// The bit group: Zba, Zbb, Zbc, Zbs (B), Zbkb, Zbkc, Zbkx (the scalar-crypto bit operations)
/// and Zicond, with their RV64 encodings (ratified B 1.0.0, Zbk* 1.0.1, Zicond 1.0).
extension ISA {
    static let bit: [InstructionSpec] = {
        let reg = { (o: Opcode, n: String, major: UInt32, f3: UInt32, f7: UInt32, e: Extension) in
            InstructionSpec(o, n, enc(major, f3: f3, f7: f7), Mask.funct7, .r, e, .bit, "xxx")
        }
        // clz, rev8 and friends: rs2 (or the whole immediate) is part of the opcode.
        let unary = { (o: Opcode, n: String, major: UInt32, f3: UInt32, imm: UInt32, e: Extension) in
            InstructionSpec(o, n, enc(major, f3: f3) | imm << 20, Mask.fpUnary, .unary, e, .bit, "xx")
        }
        // 6-bit shift amounts (funct6 in 31:26); roriw's is 5 bits under a funct7.
        let shift = { (o: Opcode, n: String, major: UInt32, f3: UInt32, f6: UInt32, e: Extension) in
            InstructionSpec(o, n, enc(major, f3: f3, f7: f6 << 1), Mask.shift64, .shift, e, .bit, "xx")
        }
        let op = Major.op, op32 = Major.op32, imm = Major.opImm, imm32 = Major.opImm32
        return [
            // Zba
            reg(.sh1add, "sh1add", op, 2, 0x10, .zba), reg(.sh2add, "sh2add", op, 4, 0x10, .zba),
            reg(.sh3add, "sh3add", op, 6, 0x10, .zba), reg(.add_uw, "add.uw", op32, 0, 0x04, .zba),
            reg(.sh1add_uw, "sh1add.uw", op32, 2, 0x10, .zba), reg(.sh2add_uw, "sh2add.uw", op32, 4, 0x10, .zba),
            reg(.sh3add_uw, "sh3add.uw", op32, 6, 0x10, .zba),
            shift(.slli_uw, "slli.uw", imm32, 1, 0x02, .zba),
            // Zbb (andn, orn, xnor, rol, rolw, ror, rori, roriw, rorw and rev8 are in Zbkb too)
            reg(.andn, "andn", op, 7, 0x20, .zbb), reg(.orn, "orn", op, 6, 0x20, .zbb),
            reg(.xnor, "xnor", op, 4, 0x20, .zbb),
            unary(.clz, "clz", imm, 1, 0x600, .zbb), unary(.clzw, "clzw", imm32, 1, 0x600, .zbb),
            unary(.ctz, "ctz", imm, 1, 0x601, .zbb), unary(.ctzw, "ctzw", imm32, 1, 0x601, .zbb),
            unary(.cpop, "cpop", imm, 1, 0x602, .zbb), unary(.cpopw, "cpopw", imm32, 1, 0x602, .zbb),
            reg(.max, "max", op, 6, 0x05, .zbb), reg(.maxu, "maxu", op, 7, 0x05, .zbb),
            reg(.min, "min", op, 4, 0x05, .zbb), reg(.minu, "minu", op, 5, 0x05, .zbb),
            unary(.sext_b, "sext.b", imm, 1, 0x604, .zbb), unary(.sext_h, "sext.h", imm, 1, 0x605, .zbb),
            // zext.h is packw with rs2 = x0; its own row so that Zbb alone has it.
            unary(.zext_h, "zext.h", op32, 4, 0x080, .zbb),
            reg(.rol, "rol", op, 1, 0x30, .zbb), reg(.rolw, "rolw", op32, 1, 0x30, .zbb),
            reg(.ror, "ror", op, 5, 0x30, .zbb),
            shift(.rori, "rori", imm, 5, 0x18, .zbb),
            InstructionSpec(.roriw, "roriw", enc(imm32, f3: 5, f7: 0x30), Mask.funct7, .shift, .zbb, .bit, "xx"),
            reg(.rorw, "rorw", op32, 5, 0x30, .zbb),
            unary(.orc_b, "orc.b", imm, 5, 0x287, .zbb), unary(.rev8, "rev8", imm, 5, 0x6b8, .zbb),
            // Zbc (clmul and clmulh are Zbkc's too)
            reg(.clmul, "clmul", op, 1, 0x05, .zbc), reg(.clmulh, "clmulh", op, 3, 0x05, .zbc),
            reg(.clmulr, "clmulr", op, 2, 0x05, .zbc),
            // Zbs
            reg(.bclr, "bclr", op, 1, 0x24, .zbs), shift(.bclri, "bclri", imm, 1, 0x12, .zbs),
            reg(.bext, "bext", op, 5, 0x24, .zbs), shift(.bexti, "bexti", imm, 5, 0x12, .zbs),
            reg(.binv, "binv", op, 1, 0x34, .zbs), shift(.binvi, "binvi", imm, 1, 0x1a, .zbs),
            reg(.bset, "bset", op, 1, 0x14, .zbs), shift(.bseti, "bseti", imm, 1, 0x0a, .zbs),
            // Zbkb, Zbkx
            reg(.pack, "pack", op, 4, 0x04, .zbkb), reg(.packh, "packh", op, 7, 0x04, .zbkb),
            reg(.packw, "packw", op32, 4, 0x04, .zbkb),
            unary(.brev8, "brev8", imm, 5, 0x687, .zbkb),
            reg(.xperm4, "xperm4", op, 2, 0x14, .zbkx), reg(.xperm8, "xperm8", op, 4, 0x14, .zbkx),
            // Zicond
            reg(.czero_eqz, "czero.eqz", op, 5, 0x07, .zicond), reg(.czero_nez, "czero.nez", op, 7, 0x07, .zicond),
        ]
    }()
}

extension Extension {
    /// The extension's name as ISA strings spell it (`zba`, `m`). Spelled out rather than
    /// `String(describing:)`, whose reflection costs start-up time (AT_HWCAP, hwprobe).
    public var name: String {
        switch self {
        case .i: "i"
        case .m: "m"
        case .a: "a"
        case .f: "f"
        case .d: "d"
        case .zicsr: "zicsr"
        case .zifencei: "zifencei"
        case .privileged: "privileged"
        case .zba: "zba"
        case .zbb: "zbb"
        case .zbc: "zbc"
        case .zbs: "zbs"
        case .zbkb: "zbkb"
        case .zbkc: "zbkc"
        case .zbkx: "zbkx"
        case .zicond: "zicond"
        case .zkne: "zkne"
        case .zknd: "zknd"
        case .zknh: "zknh"
        case .zksh: "zksh"
        case .zksed: "zksed"
        case .zfa: "zfa"
        case .zimop: "zimop"
        case .zacas: "zacas"
        case .zicbom: "zicbom"
        case .zicboz: "zicboz"
        case .zawrs: "zawrs"
        case .zcb: "zcb"
        case .zcmop: "zcmop"
        case .zicbop: "zicbop"
        case .zihintpause: "zihintpause"
        case .zihintntl: "zihintntl"
        case .zfh: "zfh"
        case .zfhmin: "zfhmin"
        case .c: "c"
        }
    }

    /// The other extension an instruction of `opcode`'s row belongs to, if any: Zbkb repeats
    /// Zbb's logic-with-negate, rotates and rev8; Zbkc repeats Zbc's clmul and clmulh.
    public static func also(_ opcode: Opcode) -> Extension? {
        switch opcode {
        case .andn, .orn, .xnor, .rol, .rolw, .ror, .rori, .roriw, .rorw, .rev8: .zbkb
        case .clmul, .clmulh: .zbkc
        case .aes64ks1i, .aes64ks2: .zknd
        default: nil
        }
    }
}
