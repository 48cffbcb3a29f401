extension ISA {
    static let m: [InstructionSpec] = {
        let mul = { (o: Opcode, n: String, major: UInt32, f3: UInt32) in
            InstructionSpec(o, n, enc(major, f3: f3, f7: 0x01), Mask.funct7, .r, .m, .integer, "xxx")
        }
        return [
            mul(.mul, "mul", Major.op, 0), mul(.mulh, "mulh", Major.op, 1), mul(.mulhsu, "mulhsu", Major.op, 2),
            mul(.mulhu, "mulhu", Major.op, 3), mul(.div, "div", Major.op, 4), mul(.divu, "divu", Major.op, 5),
            mul(.rem, "rem", Major.op, 6), mul(.remu, "remu", Major.op, 7),
            mul(.mulw, "mulw", Major.op32, 0), mul(.divw, "divw", Major.op32, 4), mul(.divuw, "divuw", Major.op32, 5),
            mul(.remw, "remw", Major.op32, 6), mul(.remuw, "remuw", Major.op32, 7),
        ]
    }()

    static let a: [InstructionSpec] = {
        // funct5 and mnemonic stem of each AMO.
        let funct5: [UInt32] = [0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c]
        let stems = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"]
        let words: [Opcode] = [.amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
                               .amomin_w, .amomax_w, .amominu_w, .amomaxu_w]
        let doubles: [Opcode] = [.amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
                                 .amomin_d, .amomax_d, .amominu_d, .amomaxu_d]
        var rows: [InstructionSpec] = []
        for (f3, suffix, width, lr, sc, amos) in [(UInt32(2), "w", UInt8(4), Opcode.lr_w, Opcode.sc_w, words),
                                                  (3, "d", 8, .lr_d, .sc_d, doubles)] {
            rows.append(InstructionSpec(lr, "lr.\(suffix)", enc(Major.amo, f3: f3, f7: 0x02 << 2), Mask.lr, .lr, .a, .atomic,
                                        "xx", [], MemoryAccess(.loadReserved, width: width, signed: true)))
            rows.append(InstructionSpec(sc, "sc.\(suffix)", enc(Major.amo, f3: f3, f7: 0x03 << 2), Mask.amo, .amo, .a, .atomic,
                                        "xxx", [], MemoryAccess(.storeConditional, width: width)))
            for (i, opcode) in amos.enumerated() {
                let f5 = funct5[i], name = "\(stems[i]).\(suffix)"
                rows.append(InstructionSpec(opcode, name, enc(Major.amo, f3: f3, f7: f5 << 2), Mask.amo, .amo, .a, .atomic, "xxx",
                                            [], MemoryAccess(.atomic, width: width, signed: true)))
            }
        }
        return rows
    }()
}
