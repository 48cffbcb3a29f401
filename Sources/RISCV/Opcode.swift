/// Every RV64GC base-form operation Trapeze knows, plus the privileged instructions.
///
/// Compressed encodings decode to one of these base forms (with `Instruction.length == 2`),
/// so engines never see a compressed opcode. The cases are declared group by group, in
/// `OpcodeGroup` order, so an opcode's group and its narrow per-group operation (`IntegerOp`,
/// `AtomicOp`, …) are a comparison and a subtraction away (`Opcode+Group.swift`); each group's
/// cases are declared in the same order as its narrow enum's.
public enum Opcode: UInt16, CaseIterable, Sendable {
    // Integer: RV64I register and immediate arithmetic, then M.
    case lui, auipc
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case addiw, slliw, srliw, sraiw
    case addw, subw, sllw, srlw, sraw
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case mulw, divw, divuw, remw, remuw
    // Bit: Zba, Zbb, Zbc/Zbkc, Zbs, Zbkb, Zbkx and Zicond (register arithmetic beyond RV64IM).
    case sh1add, sh2add, sh3add, add_uw, sh1add_uw, sh2add_uw, sh3add_uw, slli_uw
    case andn, orn, xnor, clz, clzw, ctz, ctzw, cpop, cpopw, max, maxu, min, minu
    case sext_b, sext_h, zext_h, rol, rolw, ror, rori, roriw, rorw, orc_b, rev8
    case clmul, clmulh, clmulr
    case bclr, bclri, bext, bexti, binv, binvi, bset, bseti
    case pack, packh, packw, brev8, xperm4, xperm8
    case czero_eqz, czero_nez
    // Zimop (may-be-operations: write zero to rd until an extension redefines them).
    case mop_r, mop_rr
    // Crypto: Zkne, Zknd, Zknh, Zksh, Zksed (scalar AES, SHA-2, SM3 and SM4 steps).
    case aes64es, aes64esm, aes64ds, aes64dsm, aes64im, aes64ks1i, aes64ks2
    case sha256sig0, sha256sig1, sha256sum0, sha256sum1, sha512sig0, sha512sig1, sha512sum0, sha512sum1
    case sm3p0, sm3p1, sm4ed, sm4ks
    // Control transfer.
    case jal, jalr
    case beq, bne, blt, bge, bltu, bgeu
    // Memory: integer loads and stores, and the fence that orders them.
    case lb, lh, lw, ld, lbu, lhu, lwu
    case sb, sh, sw, sd
    case fence
    // Atomic: A.
    case lr_w, sc_w, amoswap_w, amoadd_w, amoxor_w, amoand_w, amoor_w, amomin_w, amomax_w, amominu_w, amomaxu_w
    case lr_d, sc_d, amoswap_d, amoadd_d, amoxor_d, amoand_d, amoor_d, amomin_d, amomax_d, amominu_d, amomaxu_d
    // Zacas.
    case amocas_w, amocas_d, amocas_q
    // Float memory: F and D loads and stores.
    case flw, fsw, fld, fsd
    case flh, fsh
    // Float: F and D register-to-register.
    case fmadd_s, fmsub_s, fnmsub_s, fnmadd_s
    case fadd_s, fsub_s, fmul_s, fdiv_s, fsqrt_s
    case fsgnj_s, fsgnjn_s, fsgnjx_s, fmin_s, fmax_s
    case fcvt_w_s, fcvt_wu_s, fcvt_l_s, fcvt_lu_s
    case fmv_x_w, feq_s, flt_s, fle_s, fclass_s
    case fcvt_s_w, fcvt_s_wu, fcvt_s_l, fcvt_s_lu, fmv_w_x
    case fmadd_d, fmsub_d, fnmsub_d, fnmadd_d
    case fadd_d, fsub_d, fmul_d, fdiv_d, fsqrt_d
    case fsgnj_d, fsgnjn_d, fsgnjx_d, fmin_d, fmax_d
    case fcvt_s_d, fcvt_d_s
    case fcvt_w_d, fcvt_wu_d, fcvt_l_d, fcvt_lu_d
    case fmv_x_d, feq_d, flt_d, fle_d, fclass_d
    case fcvt_d_w, fcvt_d_wu, fcvt_d_l, fcvt_d_lu, fmv_d_x
    // Zfa (RV64: fmvh.x.d and fmvp.d.x are RV32-only).
    case fli_s, fli_d, fminm_s, fmaxm_s, fminm_d, fmaxm_d, fround_s, froundnx_s, fround_d, froundnx_d
    case fcvtmod_w_d, fleq_s, fltq_s, fleq_d, fltq_d
    // Zfh and Zfhmin (half precision), then Zfa's half forms.
    case fmadd_h, fmsub_h, fnmsub_h, fnmadd_h
    case fadd_h, fsub_h, fmul_h, fdiv_h, fsqrt_h
    case fsgnj_h, fsgnjn_h, fsgnjx_h, fmin_h, fmax_h
    case fcvt_w_h, fcvt_wu_h, fcvt_l_h, fcvt_lu_h
    case fmv_x_h, feq_h, flt_h, fle_h, fclass_h
    case fcvt_h_w, fcvt_h_wu, fcvt_h_l, fcvt_h_lu, fmv_h_x
    case fcvt_s_h, fcvt_h_s, fcvt_d_h, fcvt_h_d
    case fli_h, fminm_h, fmaxm_h, fround_h, froundnx_h, fleq_h, fltq_h
    // System: what the trap-and-emulate handler executes (base, Zifencei, Zicsr, privileged).
    case ecall, ebreak
    case fence_i
    case csrrw, csrrs, csrrc, csrrwi, csrrsi, csrrci
    case sret, mret, wfi, sfence_vma
    // Zicbom, Zicboz (cache-block operations) and Zawrs (wait on reservation set).
    case cbo_clean, cbo_flush, cbo_inval, cbo_zero
    case wrs_nto, wrs_sto

    /// How many opcodes there are (raw values are 0 up to this, less one), without building
    /// `allCases`, an array of every case, at start-up. The last case must stay last.
    public static var count: Int { Int(Opcode.wrs_sto.rawValue) + 1 }
}
