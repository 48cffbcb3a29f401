extension ISA {
    static let f: [InstructionSpec] = floatRows(
        fmt: 0, ext: .f, suffix: "s", width: 4, load: .flw, store: .fsw,
        fma: [.fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s],
        arith: [.fadd_s, .fsub_s, .fmul_s, .fdiv_s], sqrt: .fsqrt_s,
        sign: [.fsgnj_s, .fsgnjn_s, .fsgnjx_s], minMax: [.fmin_s, .fmax_s],
        toInt: [.fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s], fromInt: [.fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu],
        compare: [.fle_s, .flt_s, .feq_s], toX: .fmv_x_w, fromX: .fmv_w_x, classify: .fclass_s, moveSuffix: "w"
    ) + [
        InstructionSpec(.fcvt_s_d, "fcvt.s.d", enc(Major.opFP, f7: 0x20, rs2: 1), Mask.fpUnaryRM, .unaryRM, .d, .float, "ff"),
    ]

    static let d: [InstructionSpec] = floatRows(
        fmt: 1, ext: .d, suffix: "d", width: 8, load: .fld, store: .fsd,
        fma: [.fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d],
        arith: [.fadd_d, .fsub_d, .fmul_d, .fdiv_d], sqrt: .fsqrt_d,
        sign: [.fsgnj_d, .fsgnjn_d, .fsgnjx_d], minMax: [.fmin_d, .fmax_d],
        toInt: [.fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d], fromInt: [.fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu],
        compare: [.fle_d, .flt_d, .feq_d], toX: .fmv_x_d, fromX: .fmv_d_x, classify: .fclass_d, moveSuffix: "d"
    ) + [
        // Exact conversions: binutils 2.40 requires rm = 0 for these, so the rm field is part of the opcode.
        InstructionSpec(.fcvt_d_s, "fcvt.d.s", enc(Major.opFP, f7: 0x21, rs2: 0), Mask.fpUnary, .unary, .d, .float, "ff"),
    ]

    /// The rows F, D and Zfh share, differing only in the fmt field (bits 26:25: 0 S, 1 D, 2 H) and names.
    static func floatRows(
        fmt: UInt32, ext: Extension, suffix: String, width: UInt8, load: Opcode, store: Opcode,
        fma: [Opcode], arith: [Opcode], sqrt: Opcode, sign: [Opcode], minMax: [Opcode],
        toInt: [Opcode], fromInt: [Opcode], compare: [Opcode], toX: Opcode, fromX: Opcode, classify: Opcode,
        moveSuffix: String
    ) -> [InstructionSpec] {
        let f3: UInt32 = [2, 3, 1][Int(fmt)] // the access width: w, d, h
        var rows: [InstructionSpec] = [
            InstructionSpec(load, "fl\(moveSuffix)", enc(Major.loadFP, f3: f3), Mask.funct3, .i, ext, .floatMemory, "fx", [],
                            MemoryAccess(.load, width: width)),
            InstructionSpec(store, "fs\(moveSuffix)", enc(Major.storeFP, f3: f3), Mask.funct3, .s, ext, .floatMemory, "-xf", [],
                            MemoryAccess(.store, width: width)),
        ]
        for (opcode, (major, name)) in zip(fma, [(Major.madd, "fmadd"), (Major.msub, "fmsub"),
                                                   (Major.nmsub, "fnmsub"), (Major.nmadd, "fnmadd")]) {
            rows.append(InstructionSpec(opcode, "\(name).\(suffix)", major | fmt << 25, Mask.fma, .r4, ext, .float, "ffff"))
        }
        for (opcode, (f7, name)) in zip(arith, [(UInt32(0x00), "fadd"), (0x04, "fsub"), (0x08, "fmul"), (0x0c, "fdiv")]) {
            rows.append(InstructionSpec(opcode, "\(name).\(suffix)", enc(Major.opFP, f7: f7 | fmt), Mask.fpRM, .rRM, ext, .float, "fff"))
        }
        rows.append(InstructionSpec(sqrt, "fsqrt.\(suffix)", enc(Major.opFP, f7: 0x2c | fmt), Mask.fpUnaryRM, .unaryRM, ext, .float, "ff"))
        for (opcode, (f3, name)) in zip(sign, [(UInt32(0), "fsgnj"), (1, "fsgnjn"), (2, "fsgnjx")]) {
            rows.append(InstructionSpec(opcode, "\(name).\(suffix)", enc(Major.opFP, f3: f3, f7: 0x10 | fmt), Mask.funct7, .r, ext, .float, "fff"))
        }
        for (opcode, (f3, name)) in zip(minMax, [(UInt32(0), "fmin"), (1, "fmax")]) {
            rows.append(InstructionSpec(opcode, "\(name).\(suffix)", enc(Major.opFP, f3: f3, f7: 0x14 | fmt), Mask.funct7, .r, ext, .float, "fff"))
        }
        let intNames = ["w", "wu", "l", "lu"]
        for (i, opcode) in toInt.enumerated() {
            rows.append(InstructionSpec(opcode, "fcvt.\(intNames[i]).\(suffix)", enc(Major.opFP, f7: 0x60 | fmt, rs2: UInt32(i)),
                                        Mask.fpUnaryRM, .unaryRM, ext, .float, "xf"))
        }
        for (i, opcode) in fromInt.enumerated() {
            let match = enc(Major.opFP, f7: 0x68 | fmt, rs2: UInt32(i))
            // int32 → double is exact; binutils 2.40 requires rm = 0 there.
            if fmt == 1 && i < 2 {
                rows.append(InstructionSpec(opcode, "fcvt.\(suffix).\(intNames[i])", match, Mask.fpUnary, .unary, ext, .float, "fx"))
            } else {
                rows.append(InstructionSpec(opcode, "fcvt.\(suffix).\(intNames[i])", match, Mask.fpUnaryRM, .unaryRM, ext, .float, "fx"))
            }
        }
        for (opcode, (f3, name)) in zip(compare, [(UInt32(0), "fle"), (1, "flt"), (2, "feq")]) {
            rows.append(InstructionSpec(opcode, "\(name).\(suffix)", enc(Major.opFP, f3: f3, f7: 0x50 | fmt), Mask.funct7, .r, ext, .float, "xff"))
        }
        rows.append(InstructionSpec(toX, "fmv.x.\(moveSuffix)", enc(Major.opFP, f7: 0x70 | fmt), Mask.fpUnary, .unary, ext, .float, "xf"))
        rows.append(InstructionSpec(classify, "fclass.\(suffix)", enc(Major.opFP, f3: 1, f7: 0x70 | fmt), Mask.fpUnary, .unary, ext, .float, "xf"))
        rows.append(InstructionSpec(fromX, "fmv.\(moveSuffix).x", enc(Major.opFP, f7: 0x78 | fmt), Mask.fpUnary, .unary, ext, .float, "fx"))
        return rows
    }
}
