/// Zfa (ratified 1.0) for F and D on RV64: fli, fminm/fmaxm, fround/froundnx, fcvtmod.w.d,
/// fleq/fltq. fmvh.x.d and fmvp.d.x exist only on RV32, so on RV64 their encodings stay illegal.
/// binutils 2.40 predates Zfa: the text follows binutils 2.41's (fli's constant by name or as
/// C's `%a` of the value, fcvtmod.w.d with its fixed `rtz`).
extension ISA {
    static let zfa: [InstructionSpec] = {
        var rows: [InstructionSpec] = []
        for fmt: UInt32 in [0, 1] {
            let s = fmt == 0 ? "s" : "d"
            let pick = { (single: Opcode, double: Opcode) in fmt == 0 ? single : double }
            // fli: rs1 holds the constant's index.
            rows.append(InstructionSpec(pick(.fli_s, .fli_d), "fli.\(s)", enc(Major.opFP, f7: 0x78 | fmt, rs2: 1),
                                        Mask.fpUnary, .unary, .zfa, .float, "f"))
            rows.append(InstructionSpec(pick(.fminm_s, .fminm_d), "fminm.\(s)", enc(Major.opFP, f3: 2, f7: 0x14 | fmt),
                                        Mask.funct7, .r, .zfa, .float, "fff"))
            rows.append(InstructionSpec(pick(.fmaxm_s, .fmaxm_d), "fmaxm.\(s)", enc(Major.opFP, f3: 3, f7: 0x14 | fmt),
                                        Mask.funct7, .r, .zfa, .float, "fff"))
            rows.append(InstructionSpec(pick(.fround_s, .fround_d), "fround.\(s)", enc(Major.opFP, f7: 0x20 | fmt, rs2: 4),
                                        Mask.fpUnaryRM, .unaryRM, .zfa, .float, "ff"))
            rows.append(InstructionSpec(pick(.froundnx_s, .froundnx_d), "froundnx.\(s)", enc(Major.opFP, f7: 0x20 | fmt, rs2: 5),
                                        Mask.fpUnaryRM, .unaryRM, .zfa, .float, "ff"))
            rows.append(InstructionSpec(pick(.fleq_s, .fleq_d), "fleq.\(s)", enc(Major.opFP, f3: 4, f7: 0x50 | fmt),
                                        Mask.funct7, .r, .zfa, .float, "xff"))
            rows.append(InstructionSpec(pick(.fltq_s, .fltq_d), "fltq.\(s)", enc(Major.opFP, f3: 5, f7: 0x50 | fmt),
                                        Mask.funct7, .r, .zfa, .float, "xff"))
        }
        // The rounding mode is fixed to rtz (rm = 1): part of the opcode.
        rows.append(InstructionSpec(.fcvtmod_w_d, "fcvtmod.w.d", enc(Major.opFP, f3: 1, f7: 0x61, rs2: 8),
                                    Mask.fpUnary, .unary, .zfa, .float, "xf"))
        return rows
    }()
}

/// fli's 32 constants (Zfa, table "Immediate values loaded by the FLI instructions").
public enum FloatConstantTable {
    /// Index → (negative, exponent, top two fraction bits) for the 28 plain binary numbers;
    /// nil for index 1 (the smallest normal), 30 (+∞) and 31 (the canonical NaN).
    static let shapes: [(Bool, Int, UInt64)?] = [
        (true, 0, 0), nil, (false, -16, 0), (false, -15, 0), (false, -8, 0), (false, -7, 0), (false, -4, 0), (false, -3, 0),
        (false, -2, 0), (false, -2, 1), (false, -2, 2), (false, -2, 3), (false, -1, 0), (false, -1, 1), (false, -1, 2), (false, -1, 3),
        (false, 0, 0), (false, 0, 1), (false, 0, 2), (false, 0, 3), (false, 1, 0), (false, 1, 1), (false, 1, 2), (false, 2, 0),
        (false, 3, 0), (false, 4, 0), (false, 7, 0), (false, 8, 0), (false, 15, 0), (false, 16, 0), nil, nil,
    ]

    /// The raw encoding of constant `index` (0–31) as a single (low 32 bits) or a double.
    public static func value(_ index: Int, double: Bool) -> UInt64 {
        let fractionBits: UInt64 = double ? 52 : 23, bias = double ? 1023 : 127
        let exponentField: UInt64 = (double ? 0x7ff : 0xff) << fractionBits
        switch index & 31 {
        case 1: return 1 << fractionBits // the smallest normal
        case 30: return exponentField
        case 31: return exponentField | 1 << (fractionBits - 1)
        default:
            let (negative, exponent, top) = shapes[index & 31]!
            return (negative ? 1 << (fractionBits + (double ? 11 : 8)) : 0)
                | UInt64(exponent + bias) << fractionBits | top << (fractionBits - 2)
        }
    }

    /// binutils' operand text: `min`, `inf`, `nan`, or the value as C's `%a` prints it.
    public static func text(_ index: Int) -> String {
        switch index & 31 {
        case 1: return "min"
        case 30: return "inf"
        case 31: return "nan"
        default:
            let (negative, exponent, top) = shapes[index & 31]!
            let fraction = ["", ".4", ".8", ".c"][Int(top)]
            return (negative ? "-" : "") + "0x1\(fraction)p\(exponent < 0 ? "-" : "+")\(abs(exponent))"
        }
    }
}
