/// Zfh and Zfhmin (half precision, ratified 1.0) and Zfa's half forms, on RV64.
///
/// Zfhmin is the moves and conversions (flh, fsh, fmv.x.h, fmv.h.x, fcvt between h and s/d);
/// Zfh adds the arithmetic, and implies Zfhmin. Zfa's fli.h, fminm/fmaxm.h, fround/froundnx.h
/// and fleq/fltq.h exist when both Zfa and Zfh do (`Extension.requires`).
extension ISA {
    static let zfh: [InstructionSpec] = {
        // A switch, not a Set: a Set's Hashable lookup costs every process a runtime conformance scan.
        func minimal(_ opcode: Opcode) -> Bool {
            switch opcode {
            case .flh, .fsh, .fmv_x_h, .fmv_h_x: true
            default: false
            }
        }
        var rows = floatRows(
            fmt: 2, ext: .zfh, suffix: "h", width: 2, load: .flh, store: .fsh,
            fma: [.fmadd_h, .fmsub_h, .fnmsub_h, .fnmadd_h],
            arith: [.fadd_h, .fsub_h, .fmul_h, .fdiv_h], sqrt: .fsqrt_h,
            sign: [.fsgnj_h, .fsgnjn_h, .fsgnjx_h], minMax: [.fmin_h, .fmax_h],
            toInt: [.fcvt_w_h, .fcvt_wu_h, .fcvt_l_h, .fcvt_lu_h], fromInt: [.fcvt_h_w, .fcvt_h_wu, .fcvt_h_l, .fcvt_h_lu],
            compare: [.fle_h, .flt_h, .feq_h], toX: .fmv_x_h, fromX: .fmv_h_x, classify: .fclass_h, moveSuffix: "h"
        ).map { row in
            var row = row
            if minimal(row.opcode) { row.ext = .zfhmin }
            return row
        }
        // Between formats (all Zfhmin). Widening is exact: binutils 2.40 requires rm = 0 there.
        rows += [
            InstructionSpec(.fcvt_s_h, "fcvt.s.h", enc(Major.opFP, f7: 0x20, rs2: 2), Mask.fpUnary, .unary, .zfhmin, .float, "ff"),
            InstructionSpec(.fcvt_h_s, "fcvt.h.s", enc(Major.opFP, f7: 0x22, rs2: 0), Mask.fpUnaryRM, .unaryRM, .zfhmin, .float, "ff"),
            InstructionSpec(.fcvt_d_h, "fcvt.d.h", enc(Major.opFP, f7: 0x21, rs2: 2), Mask.fpUnary, .unary, .zfhmin, .float, "ff"),
            InstructionSpec(.fcvt_h_d, "fcvt.h.d", enc(Major.opFP, f7: 0x22, rs2: 1), Mask.fpUnaryRM, .unaryRM, .zfhmin, .float, "ff"),
        ]
        // Zfa's half forms (fmt 2).
        rows += [
            InstructionSpec(.fli_h, "fli.h", enc(Major.opFP, f7: 0x7a, rs2: 1), Mask.fpUnary, .unary, .zfa, .float, "f"),
            InstructionSpec(.fminm_h, "fminm.h", enc(Major.opFP, f3: 2, f7: 0x16), Mask.funct7, .r, .zfa, .float, "fff"),
            InstructionSpec(.fmaxm_h, "fmaxm.h", enc(Major.opFP, f3: 3, f7: 0x16), Mask.funct7, .r, .zfa, .float, "fff"),
            InstructionSpec(.fround_h, "fround.h", enc(Major.opFP, f7: 0x22, rs2: 4), Mask.fpUnaryRM, .unaryRM, .zfa, .float, "ff"),
            InstructionSpec(.froundnx_h, "froundnx.h", enc(Major.opFP, f7: 0x22, rs2: 5), Mask.fpUnaryRM, .unaryRM, .zfa, .float, "ff"),
            InstructionSpec(.fleq_h, "fleq.h", enc(Major.opFP, f3: 4, f7: 0x52), Mask.funct7, .r, .zfa, .float, "xff"),
            InstructionSpec(.fltq_h, "fltq.h", enc(Major.opFP, f3: 5, f7: 0x52), Mask.funct7, .r, .zfa, .float, "xff"),
        ]
        return rows
    }()
}

extension Extension {
    /// A second extension an instruction of `opcode`'s row needs besides its row's: Zfa's half
    /// forms need Zfh too.
    public static func requires(_ opcode: Opcode) -> Extension? {
        switch opcode {
        case .fli_h, .fminm_h, .fmaxm_h, .fround_h, .froundnx_h, .fleq_h, .fltq_h: .zfh
        default: nil
        }
    }
}
