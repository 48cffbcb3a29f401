extension Disassembler {
    /// The text of one instruction, choosing objdump's alias where it would.
    mutating func render(_ i: Instruction, pc: UInt64) -> String {
        if i.length == 2, let text = renderCompressedSpecial(i) { return text }
        let rd = RegisterNames.x(i.rd), rs1 = RegisterNames.x(i.rs1), rs2 = RegisterNames.x(i.rs2)
        let imm = String(i.imm)
        let wide = i.length == 4
        switch i.opcode {
        case .lui:
            noteUpper(i.rd, i.imm)
            return line("lui", rd, upperImmediate(i.imm))
        case .auipc:
            noteUpper(i.rd, Int64(bitPattern: pc &+ UInt64(bitPattern: i.imm)))
            return line("auipc", rd, upperImmediate(i.imm))
        case .jal:
            let target = address(pc &+ UInt64(bitPattern: i.imm))
            switch i.rd {
            case 0: return line("j", target)
            case 1: return line("jal", target)
            default: return line("jal", rd, target)
            }
        case .jalr:
            return renderJalr(i)
        case .beq, .bne, .blt, .bge, .bltu, .bgeu:
            return renderBranch(i, pc: pc)
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
        case .ori: return line("or", rd, rs1, imm)
        case .andi where i.imm == 255: return line("zext.b", rd, rs1)
        case .andi: return line("and", rd, rs1, imm)
        case .slli: return line("sll", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .srli: return line("srl", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .srai: return line("sra", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .slliw: return line("sllw", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .srliw: return line("srlw", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .sraiw: return line("sraw", rd, rs1, hex(UInt64(bitPattern: i.imm)))
        case .sub where i.rs1 == 0: return line("neg", rd, rs2)
        case .subw where i.rs1 == 0: return line("negw", rd, rs2)
        case .slt where i.rs2 == 0: return line("sltz", rd, rs1)
        case .slt where i.rs1 == 0: return line("sgtz", rd, rs2)
        case .sltu where i.rs1 == 0: return line("snez", rd, rs2)
        case .fence:
            return renderFence(i)
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
            return renderCSR(i)
        case .fsgnj_s where i.rs1 == i.rs2, .fsgnj_d where i.rs1 == i.rs2:
            return line(i.opcode == .fsgnj_s ? "fmv.s" : "fmv.d", RegisterNames.f(i.rd), RegisterNames.f(i.rs1))
        case .fsgnjn_s where i.rs1 == i.rs2, .fsgnjn_d where i.rs1 == i.rs2:
            return line(i.opcode == .fsgnjn_s ? "fneg.s" : "fneg.d", RegisterNames.f(i.rd), RegisterNames.f(i.rs1))
        case .fsgnjx_s where i.rs1 == i.rs2, .fsgnjx_d where i.rs1 == i.rs2:
            return line(i.opcode == .fsgnjx_s ? "fabs.s" : "fabs.d", RegisterNames.f(i.rd), RegisterNames.f(i.rs1))
        case .sfence_vma:
            if i.rs2 != 0 { return line("sfence.vma", rs1, rs2) }
            return i.rs1 != 0 ? line("sfence.vma", rs1) : "sfence.vma"
        case .lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, .flw, .fld,
             .sb, .sh, .sw, .sd, .fsw, .fsd:
            if wide { noteAccess(base: i.rs1, offset: i.imm) }
            return renderGeneric(i)
        case .sltiu, .slti, .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
             .addw, .subw, .sllw, .srlw, .sraw, .ecall, .ebreak, .fence_i,
             .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw,
             .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .lr_d, .sc_d, .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
             .amomin_d, .amomax_d, .amominu_d, .amomaxu_d,
             .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s, .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s,
             .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fmv_x_w, .feq_s, .flt_s, .fle_s, .fclass_s,
             .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fmv_w_x,
             .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d, .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d,
             .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d, .fcvt_s_d, .fcvt_d_s,
             .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d, .fmv_x_d, .feq_d, .flt_d, .fle_d, .fclass_d,
             .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu, .fmv_d_x,
             .sret, .mret, .wfi:
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
