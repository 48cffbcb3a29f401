import RISCV

/// How the translator handles an opcode.
enum Lowering: Equatable {
    /// Emitted inline, falls through to the next instruction.
    case inline
    /// Ends the block with a direct or indirect jump.
    case branch
    /// Ends the block: the dispatcher hands it to the trap-and-emulate handler.
    case system
    /// Falls through, but may call into Swift from the block: A and F/D (inline, with helper
    /// fallbacks for the cases x86 cannot do exactly) and Zicsr on the FP CSRs.
    case slowPath

    /// As `kind(_: Opcode)`, except that Zicsr on the floating-point CSRs (fflags, frm, fcsr)
    /// is a helper call inside the block: math libraries save and restore them around every
    /// call, and they touch nothing but the state block.
    static func kind(_ i: Instruction) -> Lowering {
        isFloatCSR(i) ? .slowPath : kind(i.opcode)
    }

    static func isFloatCSR(_ i: Instruction) -> Bool {
        switch i.opcode {
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci: (1...3).contains(i.csr)
        default: false
        }
    }

    static func kind(_ op: Opcode) -> Lowering {
        switch op {
        case .lui, .auipc, .flw, .fsw, .fld, .fsd,
             .lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, .sb, .sh, .sw, .sd,
             .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai,
             .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
             .addiw, .slliw, .srliw, .sraiw, .addw, .subw, .sllw, .srlw, .sraw, .fence,
             .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw:
            return .inline
        case .jal, .jalr, .beq, .bne, .blt, .bge, .bltu, .bgeu:
            return .branch
        case .ecall, .ebreak, .fence_i, .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci,
             .sret, .mret, .wfi, .sfence_vma:
            return .system
        // A: lock-prefixed x86 inline; misaligned or out-of-range addresses call the interpreter.
        case .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .lr_d, .sc_d, .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
             .amomin_d, .amomax_d, .amominu_d, .amomaxu_d,
             // F and D arithmetic: SSE/FMA3 inline; NaN results, RMM and the like call FloatUnit.
             .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s,
             .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s, .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fmv_x_w, .feq_s, .flt_s, .fle_s, .fclass_s,
             .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fmv_w_x,
             .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d,
             .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d, .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d,
             .fcvt_s_d, .fcvt_d_s, .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d,
             .fmv_x_d, .feq_d, .flt_d, .fle_d, .fclass_d, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu, .fmv_d_x:
            return .slowPath
        }
    }
}

extension Translator {
    /// Emits one guest instruction. The switch is exhaustive so a new opcode breaks the build here.
    mutating func lower(_ i: Instruction) {
        switch i.opcode {
        case .lui: upperImmediate(i, upper: 0)
        case .auipc: upperImmediate(i, upper: pc)
        case .jal: jal(i)
        case .jalr: jalr(i)
        case .beq: branch(i, .e)
        case .bne: branch(i, .ne)
        case .blt: branch(i, .l)
        case .bge: branch(i, .ge)
        case .bltu: branch(i, .b)
        case .bgeu: branch(i, .ae)
        case .lb: loadMemory(i, .signed8)
        case .lh: loadMemory(i, .signed16)
        case .lw: loadMemory(i, .signed32)
        case .ld: loadMemory(i, .bits64)
        case .lbu: loadMemory(i, .unsigned8)
        case .lhu: loadMemory(i, .unsigned16)
        case .lwu: loadMemory(i, .unsigned32)
        case .sb: storeMemory(i, .byte)
        case .sh: storeMemory(i, .word)
        case .sw: storeMemory(i, .dword)
        case .sd: storeMemory(i, .qword)
        case .addi: immediate(i, .add)
        case .xori: immediate(i, .xor)
        case .ori: immediate(i, .or)
        case .andi: immediate(i, .and)
        case .slti: setLess(i, .l)
        case .sltiu: setLess(i, .b)
        case .slli: shiftImmediate(i, .shl, word: false)
        case .srli: shiftImmediate(i, .shr, word: false)
        case .srai: shiftImmediate(i, .sar, word: false)
        case .add: registers(i, .add, word: false)
        case .sub: registers(i, .sub, word: false)
        case .xor: registers(i, .xor, word: false)
        case .or: registers(i, .or, word: false)
        case .and: registers(i, .and, word: false)
        case .slt: setLess(i, .l)
        case .sltu: setLess(i, .b)
        case .sll: shiftRegister(i, .shl, word: false)
        case .srl: shiftRegister(i, .shr, word: false)
        case .sra: shiftRegister(i, .sar, word: false)
        case .addiw: immediate(i, .add, word: true)
        case .slliw: shiftImmediate(i, .shl, word: true)
        case .srliw: shiftImmediate(i, .shr, word: true)
        case .sraiw: shiftImmediate(i, .sar, word: true)
        case .addw: registers(i, .add, word: true)
        case .subw: registers(i, .sub, word: true)
        case .sllw: shiftRegister(i, .shl, word: true)
        case .srlw: shiftRegister(i, .shr, word: true)
        case .sraw: shiftRegister(i, .sar, word: true)
        // One hart, program order: x86's ordering is already stronger than what fence asks.
        case .fence: break
        case .mul: multiply(i, word: false)
        case .mulw: multiply(i, word: true)
        case .mulh: multiplyHigh(i, .signed)
        case .mulhu: multiplyHigh(i, .unsigned)
        case .mulhsu: multiplyHigh(i, .signedUnsigned)
        case .div: divide(i, signed: true, remainder: false, word: false)
        case .divu: divide(i, signed: false, remainder: false, word: false)
        case .rem: divide(i, signed: true, remainder: true, word: false)
        case .remu: divide(i, signed: false, remainder: true, word: false)
        case .divw: divide(i, signed: true, remainder: false, word: true)
        case .divuw: divide(i, signed: false, remainder: false, word: true)
        case .remw: divide(i, signed: true, remainder: true, word: true)
        case .remuw: divide(i, signed: false, remainder: true, word: true)
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
            if Lowering.isFloatCSR(i) { floatCSR(i) } else { system(i) }
        case .ecall, .ebreak, .fence_i, .sret, .mret, .wfi, .sfence_vma:
            system(i)
        case .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .lr_d, .sc_d, .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
             .amomin_d, .amomax_d, .amominu_d, .amomaxu_d:
            atomic(i)
        case .flw: loadFloat(i, double: false)
        case .fld: loadFloat(i, double: true)
        case .fsw: storeFloat(i, double: false)
        case .fsd: storeFloat(i, double: true)
        case .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s,
             .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s, .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fmv_x_w, .feq_s, .flt_s, .fle_s, .fclass_s,
             .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fmv_w_x,
             .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d,
             .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d, .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d,
             .fcvt_s_d, .fcvt_d_s, .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d,
             .fmv_x_d, .feq_d, .flt_d, .fle_d, .fclass_d, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu, .fmv_d_x:
            floatArithmetic(i)
        }
    }
}
