extension Disassembler {
    /// objdump 2.40's aliases in the bit group: `zext.w` for add.uw with x0, and the immediate
    /// forms of rotates and single-bit operations under their register mnemonics.
    func renderBit(_ i: Instruction, _ op: BitOp) -> String {
        let rd = RegisterNames.x(i.rd), rs1 = RegisterNames.x(i.rs1)
        let shamt = hex(UInt64(bitPattern: i.imm))
        switch op {
        case .add_uw where i.rs2 == 0: return line("zext.w", rd, rs1)
        case .rori: return line("ror", rd, rs1, shamt)
        case .roriw: return line("rorw", rd, rs1, shamt)
        case .bclri: return line("bclr", rd, rs1, shamt)
        case .bexti: return line("bext", rd, rs1, shamt)
        case .binvi: return line("binv", rd, rs1, shamt)
        case .bseti: return line("bset", rd, rs1, shamt)
        case .sh1add, .sh2add, .sh3add, .add_uw, .sh1add_uw, .sh2add_uw, .sh3add_uw, .slli_uw,
             .andn, .orn, .xnor, .clz, .clzw, .ctz, .ctzw, .cpop, .cpopw, .max, .maxu, .min, .minu,
             .sext_b, .sext_h, .zext_h, .rol, .rolw, .ror, .rorw, .orc_b, .rev8,
             .clmul, .clmulh, .clmulr, .bclr, .bext, .binv, .bset,
             .pack, .packh, .packw, .brev8, .xperm4, .xperm8, .czero_eqz, .czero_nez, .mop_r, .mop_rr:
            return renderGeneric(i)
        }
    }
}
