extension Disassembler {
    /// The text of one instruction, choosing objdump's alias where it would.
    mutating func render(_ i: Instruction, pc: UInt64) -> String {
        if i.length == 2, let text = renderCompressedSpecial(i) { return text }
        switch i.opcode.operation {
        case .integer(let op):
            return renderInteger(i, op, pc: pc)
        case .bit(let op):
            return renderBit(i, op)
        case .crypto:
            return renderGeneric(i)
        case .control(let op):
            return renderControl(i, op, pc: pc)
        case .memory(.fence):
            return renderFence(i)
        case .memory, .floatMemory:
            if i.length == 4 { noteAccess(base: i.rs1, offset: i.imm) }
            return renderGeneric(i)
        case .atomic:
            return renderGeneric(i)
        case .float(let op):
            // fsgnj* with both sources the same register print as fmv, fneg and fabs.
            if i.rs1 == i.rs2, let alias = Disassembler.signInjectionAliases[op] {
                return line(alias, RegisterNames.f(i.rd), RegisterNames.f(i.rs1))
            }
            // Zfa: fli's constant, and fcvtmod.w.d's fixed rounding mode.
            if op == .fli_s || op == .fli_d || op == .fli_h {
                return line(op.opcode.info.mnemonic, RegisterNames.f(i.rd), FloatConstantTable.text(Int(i.rs1)))
            }
            if op == .fcvtmod_w_d { return line("fcvtmod.w.d", RegisterNames.x(i.rd), RegisterNames.f(i.rs1), "rtz") }
            return renderGeneric(i)
        case .system(let op):
            return renderSystem(i, op)
        }
    }

    /// Zihintntl's hints, for x2…x5 in rs2.
    static let nontemporal = ["ntl.p1", "ntl.pall", "ntl.s1", "ntl.all"]

    static let signInjectionAliases: [FloatOp: String] = [
        .fsgnj_s: "fmv.s", .fsgnjn_s: "fneg.s", .fsgnjx_s: "fabs.s",
        .fsgnj_d: "fmv.d", .fsgnjn_d: "fneg.d", .fsgnjx_d: "fabs.d",
        .fsgnj_h: "fmv.h", .fsgnjn_h: "fneg.h", .fsgnjx_h: "fabs.h",
    ]

    mutating func renderInteger(_ i: Instruction, _ op: IntegerOp, pc: UInt64) -> String {
        let rd = RegisterNames.x(i.rd), rs1 = RegisterNames.x(i.rs1), rs2 = RegisterNames.x(i.rs2)
        let imm = String(i.imm)
        let wide = i.length == 4
        switch op {
        case .lui:
            noteUpper(i.rd, i.imm)
            return line("lui", rd, upperImmediate(i.imm))
        case .auipc:
            noteUpper(i.rd, Int64(bitPattern: pc &+ UInt64(bitPattern: i.imm)))
            return line("auipc", rd, upperImmediate(i.imm))
        case .addi:
            if i.rd == 0 && i.rs1 == 0 && i.imm == 0 { return "nop" }
            if i.rs1 == 0 { return line("li", rd, imm) }
            if i.imm == 0 { return line("mv", rd, rs1) }
            if wide { noteAccess(base: i.rs1, offset: i.imm) }
            return line("add", rd, rs1, imm)
        case .addiw:
            if i.imm == 0 { return line("sext.w", rd, rs1) }
            if wide && i.rs1 != 0 { noteAccess(base: i.rs1, offset: i.imm, wide: true) }
            return line("addw", rd, rs1, imm)
        case .sltiu where i.imm == 1:
            return line("seqz", rd, rs1)
        case .xori where i.imm == -1:
            return line("not", rd, rs1)
        // binutils 2.40 prefers its immediate-operand aliases of the register mnemonics here.
        case .xori: return line("xor", rd, rs1, imm)
        // Zicbop: ori with rd = x0 and a selector in imm[4:0] (0, 1, 3) is a prefetch hint.
        case .ori where i.rd == 0 && [0, 1, 3].contains(i.imm & 0x1f) && hints.has(.zicbop):
            let kind = ["i", "r", "", "w"][Int(i.imm & 3)]
            return line("prefetch." + kind, "\(i.imm & ~0x1f)(\(rs1))")
        case .ori: return line("or", rd, rs1, imm)
        case .andi where i.imm == 255: return line("zext.b", rd, rs1)
        case .andi: return line("and", rd, rs1, imm)
        case .slli: return line("sll", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .srli: return line("srl", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .srai: return line("sra", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .slliw: return line("sllw", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .srliw: return line("srlw", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .sraiw: return line("sraw", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        // Zihintntl: add x0, x0, x2…x5 (binutils 2.41's names).
        case .add where i.rd == 0 && i.rs1 == 0 && (2...5).contains(i.rs2) && hints.has(.zihintntl):
            return Disassembler.nontemporal[Int(i.rs2) - 2]
        case .sub where i.rs1 == 0: return line("neg", rd, rs2)
        case .subw where i.rs1 == 0: return line("negw", rd, rs2)
        case .slt where i.rs2 == 0: return line("sltz", rd, rs1)
        case .slt where i.rs1 == 0: return line("sgtz", rd, rs2)
        case .sltu where i.rs1 == 0: return line("snez", rd, rs2)
        case .sltiu, .slti, .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
             .addw, .subw, .sllw, .srlw, .sraw,
             .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw:
            return renderGeneric(i)
        }
    }

    mutating func renderControl(_ i: Instruction, _ op: ControlOp, pc: UInt64) -> String {
        switch op {
        case .jal:
            let target = address(pc &+ UInt64(bitPattern: i.imm))
            switch i.rd {
            case 0: return line("j", target)
            case 1: return line("jal", target)
            default: return line("jal", RegisterNames.x(i.rd), target)
            }
        case .jalr:
            return renderJalr(i)
        case .beq, .bne, .blt, .bge, .bltu, .bgeu:
            return renderBranch(i, pc: pc)
        }
    }

    func renderSystem(_ i: Instruction, _ op: SystemOp) -> String {
        switch op {
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
            return renderCSR(i)
        case .sfence_vma:
            let rs1 = RegisterNames.x(i.rs1), rs2 = RegisterNames.x(i.rs2)
            if i.rs2 != 0 { return line("sfence.vma", rs1, rs2) }
            return i.rs1 != 0 ? line("sfence.vma", rs1) : "sfence.vma"
        case .ecall, .ebreak, .fence_i, .sret, .mret, .wfi, .cbo_clean, .cbo_flush, .cbo_inval, .cbo_zero, .wrs_nto, .wrs_sto:
            return renderGeneric(i)
        }
    }

    /// The 20-bit field of lui/auipc, as objdump prints it.
    func upperImmediate(_ imm: Int64) -> String { hex((UInt64(bitPattern: imm) >> 12) & 0xfffff) }

    /// Operands straight from the table's format and register files, for instructions without aliases.
    func renderGeneric(_ i: Instruction) -> String {
        let spec = i.opcode.info
        func reg(_ file: RegisterFile, _ n: UInt8) -> String {
            file == .f ? RegisterNames.f(n) : RegisterNames.x(n)
        }
        let rd = reg(spec.rd, i.rd), rs1 = reg(spec.rs1, i.rs1), rs2 = reg(spec.rs2, i.rs2)
        let memory = "\(i.imm)(\(rs1))"
        switch spec.format {
        case .r: return line(spec.mnemonic, rd, rs1, rs2)
        case .rRM: return line(spec.mnemonic, rd, rs1, rs2) + roundingSuffix(i.rm)
        case .r4: return line(spec.mnemonic, rd, rs1, rs2, reg(spec.rs3, i.rs3)) + roundingSuffix(i.rm)
        case .unary: return line(spec.mnemonic, rd, rs1)
        case .unaryRM: return line(spec.mnemonic, rd, rs1) + roundingSuffix(i.rm)
        case .i: return spec.memory != nil ? line(spec.mnemonic, rd, memory) : line(spec.mnemonic, rd, rs1, String(i.imm))
        case .s: return line(spec.mnemonic, rs2, memory)
        case .amo: return line(spec.mnemonic + orderingSuffix(i.rm), rd, rs2, "(\(rs1))")
        case .lr: return line(spec.mnemonic + orderingSuffix(i.rm), rd, "(\(rs1))")
        case .shift: return line(spec.mnemonic, rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .byteSelect: return line(spec.mnemonic, rd, rs1, rs2, hex(UInt64(bitPattern: i.imm)))
        case .roundNumber: return line(spec.mnemonic, rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .cbo: return line(spec.mnemonic, "(\(rs1))")
        case .mop where spec.rs2 == .x: return line("mop.rr.\(i.imm)", rd, rs1, rs2)
        case .mop: return line("mop.r.\(i.imm)", rd, rs1)
        case .none, .b, .u, .j, .csr, .csrImm, .fence, .sfence: return spec.mnemonic
        }
    }

    /// `,rtz` and friends; nothing for the dynamic mode, `,unknown` for the reserved 5 and 6.
    func roundingSuffix(_ rm: UInt16) -> String {
        rm == 7 ? "" : "," + (RoundingModeNames.all[Int(rm & 7)] ?? "unknown")
    }

    func orderingSuffix(_ aqrl: UInt16) -> String {
        ["", ".rl", ".aq", ".aqrl"][Int(aqrl & 3)]
    }
}
