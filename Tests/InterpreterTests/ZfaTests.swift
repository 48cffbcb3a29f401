import Guest
import Interpreter
import RISCV
import Testing

private let NV: UInt32 = 0x10, NX: UInt32 = 0x01
private let canonicalD: UInt64 = 0x7ff8_0000_0000_0000
private let canonicalS: UInt64 = 0xffff_ffff_7fc0_0000
private func d(_ v: Double) -> UInt64 { v.bitPattern }
private func s(_ v: Float) -> UInt64 { 0xffff_ffff_0000_0000 | UInt64(v.bitPattern) }
private let sNaND: UInt64 = 0x7ff0_0000_0000_0001, qNaND: UInt64 = 0x7ff8_dead_0000_0000
private let sNaNS: UInt64 = 0xffff_ffff_7f80_0001

/// Runs one Zfa instruction with f1 = a, f2 = b (rs1 = `rs1` for fli) and rounding mode `rm`;
/// returns (legal, f4 or x5, fflags).
private func zfa(_ op: Opcode, _ a: UInt64 = 0, _ b: UInt64 = 0, rm: UInt16 = 7, frm: UInt32 = 0,
                 rs1: UInt8 = 1) -> (legal: Bool, result: UInt64, flags: UInt32) {
    let scratch = FloatTestState()
    let state = scratch.state
    state.setF(1, a)
    state.setF(2, b)
    state.fflags = 0
    state.frm = frm
    let toX = op.info.rd == .x
    let legal = FloatUnit.execute(Instruction(opcode: op, rd: toX ? 5 : 4, rs1: rs1, rs2: 2, rm: rm), state)
    return (legal, toX ? state.x(5) : state.f(4), state.fflags)
}

/// Zfa against the specification (1.0): the fli table, minimum/maximum with NaN propagation,
/// round-to-integral with and without NX, fcvtmod.w.d's modular result and flags, and the quiet
/// comparisons. Values are the specification's or worked out by hand.
@Suite struct ZfaTests {
    @Test func fliTable() {
        // Spec table: index → value (single encoding, double encoding).
        let expected: [Int: (UInt32, UInt64)] = [
            0: (0xbf80_0000, 0xbff0_0000_0000_0000), // −1.0
            1: (0x0080_0000, 0x0010_0000_0000_0000), // smallest normal
            2: (0x3780_0000, 0x3ef0_0000_0000_0000), // 2^-16
            3: (0x3800_0000, 0x3f00_0000_0000_0000), // 2^-15
            6: (0x3d80_0000, 0x3fb0_0000_0000_0000), // 0.0625
            9: (0x3ea0_0000, 0x3fd4_0000_0000_0000), // 0.3125
            11: (0x3ee0_0000, 0x3fdc_0000_0000_0000), // 0.4375
            16: (0x3f80_0000, 0x3ff0_0000_0000_0000), // 1.0
            19: (0x3fe0_0000, 0x3ffc_0000_0000_0000), // 1.75
            21: (0x4020_0000, 0x4004_0000_0000_0000), // 2.5
            22: (0x4040_0000, 0x4008_0000_0000_0000), // 3
            26: (0x4300_0000, 0x4060_0000_0000_0000), // 128
            29: (0x4780_0000, 0x40f0_0000_0000_0000), // 65536
            30: (0x7f80_0000, 0x7ff0_0000_0000_0000), // +inf
            31: (0x7fc0_0000, 0x7ff8_0000_0000_0000), // canonical NaN
        ]
        for (index, (single, double)) in expected {
            let rs = zfa(.fli_s, rs1: UInt8(index)), rd = zfa(.fli_d, rs1: UInt8(index))
            #expect(rs.result == 0xffff_ffff_0000_0000 | UInt64(single) && rs.flags == 0, "fli.s \(index)")
            #expect(rd.result == double && rd.flags == 0, "fli.d \(index)")
        }
        // Every entry as a Double: the listed values, increasing from index 2 to 29.
        let values = (0..<32).map { Double(bitPattern: FloatConstantTable.value($0, double: true)) }
        #expect(values[0] == -1 && values[1] == 0x1p-1022 && values[30] == .infinity && values[31].isNaN)
        #expect(zip(values[2..<29], values[3..<30]).allSatisfy { $0 < $1 })
        #expect([values[4], values[5], values[7], values[8], values[12], values[20], values[23], values[24], values[25], values[27], values[28]]
                == [0x1p-8, 0x1p-7, 0.125, 0.25, 0.5, 2, 4, 8, 16, 256, 32768])
        for k in 0..<32 where k != 1 && k != 31 {
            #expect(Double(Float(bitPattern: UInt32(FloatConstantTable.value(k, double: false)))) == values[k], "\(k)")
        }
        #expect(FloatConstantTable.text(0) == "-0x1p+0" && FloatConstantTable.text(9) == "0x1.4p-2"
                && FloatConstantTable.text(1) == "min" && FloatConstantTable.text(29) == "0x1p+16")
    }

    @Test func minimumMaximum() {
        #expect(zfa(.fminm_d, d(1), d(2)).result == d(1))
        #expect(zfa(.fmaxm_d, d(-0.0), d(0.0)).result == d(0.0))
        #expect(zfa(.fminm_d, d(-0.0), d(0.0)).result == d(-0.0))
        // A quiet NaN operand gives the canonical NaN, without NV (fmin would return the other).
        #expect(zfa(.fminm_d, qNaND, d(1)) == (true, canonicalD, 0))
        #expect(zfa(.fmaxm_d, d(1), qNaND) == (true, canonicalD, 0))
        #expect(zfa(.fmaxm_d, sNaND, d(1)) == (true, canonicalD, NV))
        #expect(zfa(.fminm_s, s(3), s(-4)).result == s(-4))
        #expect(zfa(.fmaxm_s, sNaNS, s(1)) == (true, canonicalS, NV))
        // A badly boxed single reads as the canonical NaN.
        #expect(zfa(.fminm_s, 0x3f80_0000, s(1)) == (true, canonicalS, 0))
    }

    @Test func roundToIntegral() {
        let rne: UInt16 = 0, rtz: UInt16 = 1, rdn: UInt16 = 2, rup: UInt16 = 3, rmm: UInt16 = 4
        #expect(zfa(.fround_d, d(2.5), rm: rne) == (true, d(2), 0))
        #expect(zfa(.froundnx_d, d(2.5), rm: rne) == (true, d(2), NX))
        #expect(zfa(.froundnx_d, d(2.5), rm: rmm) == (true, d(3), NX))
        #expect(zfa(.froundnx_d, d(-2.5), rm: rmm) == (true, d(-3), NX))
        #expect(zfa(.froundnx_d, d(-0.3), rm: rtz) == (true, d(-0.0), NX)) // the sign stays
        #expect(zfa(.froundnx_d, d(0.3), rm: rup) == (true, d(1), NX))
        #expect(zfa(.froundnx_d, d(-0.3), rm: rdn) == (true, d(-1), NX))
        #expect(zfa(.froundnx_d, d(1e300), rm: rne) == (true, d(1e300), 0)) // already integral
        #expect(zfa(.froundnx_d, d(3), rm: rne) == (true, d(3), 0))
        #expect(zfa(.froundnx_d, d(0x1p-1074), rm: rup) == (true, d(1), NX)) // smallest subnormal
        #expect(zfa(.fround_d, d(-.infinity), rm: rne) == (true, d(-.infinity), 0))
        #expect(zfa(.fround_d, sNaND, rm: rne) == (true, canonicalD, NV))
        #expect(zfa(.fround_d, qNaND, rm: rne) == (true, canonicalD, 0))
        #expect(zfa(.froundnx_s, s(1.5), rm: rne) == (true, s(2), NX))
        #expect(zfa(.fround_s, s(-1.5), rm: rtz) == (true, s(-1), 0))
        #expect(zfa(.fround_s, s(8388607.5), rm: rup) == (true, s(8388608), 0))
        // Dynamic mode from frm; a reserved one is illegal.
        #expect(zfa(.froundnx_d, d(2.5), rm: 7, frm: 3) == (true, d(3), NX))
        #expect(!zfa(.fround_d, d(2.5), rm: 5).legal)
        #expect(!zfa(.fround_d, d(2.5), rm: 7, frm: 6).legal)
    }

    @Test func convertModulo() {
        #expect(zfa(.fcvtmod_w_d, d(-1.5)) == (true, UInt64(bitPattern: -1), NX))
        #expect(zfa(.fcvtmod_w_d, d(2147483647)) == (true, 0x7fff_ffff, 0))
        #expect(zfa(.fcvtmod_w_d, d(-2147483648.75)) == (true, 0xffff_ffff_8000_0000, NX))
        // Out of range: the low 32 bits of the truncated value, NV and not NX.
        #expect(zfa(.fcvtmod_w_d, d(2147483648)) == (true, 0xffff_ffff_8000_0000, NV))
        #expect(zfa(.fcvtmod_w_d, d(4294967300.5)) == (true, 4, NV))
        #expect(zfa(.fcvtmod_w_d, d(-4294967297)) == (true, UInt64(bitPattern: -1), NV))
        #expect(zfa(.fcvtmod_w_d, d(0x1p63 + 0x1p33 + 0x1p31 * 3)) == (true, 0xffff_ffff_8000_0000, NV))
        #expect(zfa(.fcvtmod_w_d, d(0x1p80)) == (true, 0, NV))
        #expect(zfa(.fcvtmod_w_d, d(.infinity)) == (true, 0, NV))
        #expect(zfa(.fcvtmod_w_d, qNaND) == (true, 0, NV))
        #expect(zfa(.fcvtmod_w_d, d(-0.0)) == (true, 0, 0))
        #expect(zfa(.fcvtmod_w_d, d(0.5)) == (true, 0, NX))
    }

    @Test func quietComparisons() {
        #expect(zfa(.fltq_d, d(1), d(2)) == (true, 1, 0))
        #expect(zfa(.fleq_d, d(2), d(2)) == (true, 1, 0))
        #expect(zfa(.fltq_d, d(-0.0), d(0.0)) == (true, 0, 0))
        #expect(zfa(.fleq_d, d(-0.0), d(0.0)) == (true, 1, 0))
        // Quiet NaNs raise nothing (flt/fle would raise NV); signalling ones NV.
        #expect(zfa(.fltq_d, qNaND, d(1)) == (true, 0, 0))
        #expect(zfa(.fleq_s, s(1), 0xffff_ffff_7fc0_0001) == (true, 0, 0))
        #expect(zfa(.fleq_d, sNaND, d(1)) == (true, 0, NV))
        #expect(zfa(.fltq_s, s(-1), s(1)) == (true, 1, 0))
    }
}
