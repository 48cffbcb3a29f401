import Guest
import Interpreter
import RISCV
import Testing

// Targeted checks of each RISC-V F/D rule, one behaviour per test, through FloatUnit.execute.

private let NV: UInt32 = 0x10, DZ: UInt32 = 0x08, OF: UInt32 = 0x04, UF: UInt32 = 0x02, NX: UInt32 = 0x01
private let RNE: UInt16 = 0, RTZ: UInt16 = 1, RDN: UInt16 = 2, RUP: UInt16 = 3, RMM: UInt16 = 4

private func box(_ s: UInt32) -> UInt64 { 0xffff_ffff_0000_0000 | UInt64(s) }
private func d(_ x: Double) -> UInt64 { x.bitPattern }
private func s(_ x: Float) -> UInt64 { box(x.bitPattern) }

private let canonicalD: UInt64 = 0x7ff8_0000_0000_0000
private let canonicalS: UInt64 = box(0x7fc0_0000)
private let sNaND: UInt64 = 0x7ff0_0000_0000_0001
private let sNaNS: UInt64 = box(0x7f80_0001)
private let qNaNPayloadD: UInt64 = 0xfff8_0000_0000_0123
private let qNaNPayloadS: UInt64 = box(0xffc0_0123)

private func run(_ op: Opcode, _ inputs: UInt64..., rm: UInt16 = RNE, frm: UInt32 = 0) -> (legal: Bool, result: UInt64, flags: UInt32) {
    runFloat(op, inputs, rm: rm, frm: frm, on: FloatTestState())
}

@Suite struct FloatNaNTests {
    @Test func nanResultsAreCanonical() {
        #expect(run(.fadd_d, qNaNPayloadD, d(1)) == (true, canonicalD, 0))
        #expect(run(.fmul_s, qNaNPayloadS, s(1)) == (true, canonicalS, 0))
        #expect(run(.fsqrt_d, d(-1)) == (true, canonicalD, NV))
        #expect(run(.fsub_s, s(.infinity), s(.infinity)) == (true, canonicalS, NV))
        #expect(run(.fcvt_s_d, qNaNPayloadD) == (true, canonicalS, 0))
        #expect(run(.fcvt_d_s, qNaNPayloadS) == (true, canonicalD, 0))
    }

    @Test func signalingNaNOperandsRaiseInvalid() {
        #expect(run(.fadd_d, sNaND, d(1)) == (true, canonicalD, NV))
        #expect(run(.fdiv_s, s(1), sNaNS) == (true, canonicalS, NV))
        #expect(run(.fcvt_s_d, sNaND) == (true, canonicalS, NV))
        #expect(run(.fcvt_d_s, sNaNS) == (true, canonicalD, NV))
        #expect(run(.fmadd_d, d(1), d(1), sNaND) == (true, canonicalD, NV))
    }

    @Test func fmaOfInfinityTimesZeroIsInvalidEvenWithQuietNaNAddend() {
        #expect(run(.fmadd_d, d(.infinity), d(0), canonicalD) == (true, canonicalD, NV))
        #expect(run(.fnmadd_s, s(0), s(-.infinity), canonicalS) == (true, canonicalS, NV))
        // A quiet NaN addend alone is quiet.
        #expect(run(.fmadd_d, d(2), d(3), canonicalD) == (true, canonicalD, 0))
    }
}

@Suite struct FloatBoxingTests {
    @Test func improperlyBoxedSingleReadsAsCanonicalNaN() {
        let unboxedOne: UInt64 = 0x0000_0000_3f80_0000
        #expect(run(.fadd_s, unboxedOne, s(1)) == (true, canonicalS, 0))
        #expect(run(.fclass_s, 0x7fff_ffff_3f80_0000) == (true, 1 << 9, 0))
        #expect(run(.fcvt_d_s, unboxedOne) == (true, canonicalD, 0))
        // Boxed, the same bits are 1.0.
        #expect(run(.fadd_s, box(0x3f80_0000), s(1)) == (true, s(2), 0))
    }

    @Test func singleResultsAreBoxed() {
        #expect(run(.fcvt_s_w, 3) == (true, s(3), 0))
        #expect(run(.fmin_s, s(1), s(2)) == (true, s(1), 0))
    }

    @Test func movesBetweenRegisterFiles() {
        // fmv.x.w sign-extends bits 31:0 and does not check the box.
        #expect(run(.fmv_x_w, 0x1234_5678_8000_0001) == (true, 0xffff_ffff_8000_0001, 0))
        #expect(run(.fmv_x_w, 0x1234_5678_7000_0001) == (true, 0x7000_0001, 0))
        #expect(run(.fmv_w_x, 0x1234_5678_7fa0_0000) == (true, box(0x7fa0_0000), 0))
        #expect(run(.fmv_x_d, sNaND) == (true, sNaND, 0))
        #expect(run(.fmv_d_x, sNaND) == (true, sNaND, 0))
    }

    @Test func signInjectionUnboxesButDoesNotCanonicalise() {
        #expect(run(.fsgnjn_s, 0x0000_0000_3f80_0000, s(1)) == (true, box(0xffc0_0000), 0))
        #expect(run(.fsgnj_s, sNaNS, s(-1)) == (true, box(0xff80_0001), 0))
        #expect(run(.fsgnjx_s, s(-2), s(-3)) == (true, s(2), 0))
        #expect(run(.fsgnjn_d, qNaNPayloadD, d(-1)) == (true, 0x7ff8_0000_0000_0123, 0))
        #expect(run(.fsgnj_s, s(1), 0x0000_0000_bf80_0000) == (true, s(1), 0))   // canonical NaN is positive
    }
}

@Suite struct FloatRoundingTests {
    @Test func flagsAccrue() {
        let t = FloatTestState()
        t.state.fflags = NX
        t.state.setF(1, d(0))
        t.state.setF(2, d(0))
        #expect(FloatUnit.execute(Instruction(opcode: .fdiv_d, rd: 3, rs1: 1, rs2: 2, rm: 0), t.state))
        #expect(t.state.fflags == NX | NV)
        t.state.setF(1, d(1))
        #expect(FloatUnit.execute(Instruction(opcode: .fdiv_d, rd: 3, rs1: 1, rs2: 2, rm: 0), t.state))
        #expect(t.state.fflags == NX | NV | DZ)
        #expect(t.state.f(3) == d(.infinity))
    }

    @Test func reservedRoundingModesAreIllegalAndWriteNothing() {
        for (rm, frm) in [(UInt16(5), UInt32(0)), (6, 0), (7, 5), (7, 6), (7, 7)] {
            let got = run(.fadd_d, d(1), d(0.1), rm: rm, frm: frm)
            #expect(got == (false, 0x5a5a_5a5a_5a5a_5a5a, 0), "rm \(rm) frm \(frm)")
            #expect(run(.fcvt_w_d, d(1.5), rm: rm, frm: frm).legal == false)
            #expect(run(.fcvt_d_w, 1, rm: rm, frm: frm).legal == false)
        }
        // Instructions without a rounding mode ignore frm.
        #expect(run(.fmin_d, d(1), d(2), rm: 0, frm: 7) == (true, d(1), 0))
        #expect(run(.feq_s, s(1), s(1), rm: 2, frm: 6) == (true, 1, 0))
    }

    @Test func dynamicRoundingUsesFrm() {
        let third: (UInt16, UInt32) -> UInt64 = { run(.fdiv_d, d(1), d(3), rm: $0, frm: $1).result }
        #expect(third(7, 0) == 0x3fd5_5555_5555_5555)
        #expect(third(7, 3) == 0x3fd5_5555_5555_5556)
        #expect(third(3, 0) == 0x3fd5_5555_5555_5556)
        #expect(third(7, 1) == 0x3fd5_5555_5555_5555)
    }

    @Test func everyModeOnTies() {
        // fcvt.w.d of ±2.5: RNE 2, RTZ 2, RDN 2, RUP 3, RMM 3 (ties away from zero).
        let expected: [UInt16: (Int64, Int64)] = [RNE: (2, -2), RTZ: (2, -2), RDN: (2, -3), RUP: (3, -2), RMM: (3, -3)]
        for (rm, (pos, neg)) in expected {
            #expect(run(.fcvt_w_d, d(2.5), rm: rm) == (true, UInt64(bitPattern: pos), NX))
            #expect(run(.fcvt_w_d, d(-2.5), rm: rm) == (true, UInt64(bitPattern: neg), NX))
        }
        // 1 + 2^-24 is a tie between 1 and 1 + 2^-23 in single: RNE goes to even, RMM away.
        #expect(run(.fadd_s, s(1), s(0x1p-24), rm: RNE) == (true, s(1), NX))
        #expect(run(.fadd_s, s(1), s(0x1p-24), rm: RMM) == (true, s(1 + 0x1p-23), NX))
        #expect(run(.fadd_s, s(-1), s(-0x1p-24), rm: RMM) == (true, s(-1 - 0x1p-23), NX))
    }

    @Test func exactZeroSumsAreNegativeOnlyWhenRoundingDown() {
        #expect(run(.fsub_d, d(1), d(1), rm: RNE).result == d(0))
        #expect(run(.fsub_d, d(1), d(1), rm: RDN).result == d(-0.0))
        #expect(run(.fadd_s, s(-0.0), s(-0.0), rm: RNE).result == s(-0.0))
        #expect(run(.fadd_s, s(0), s(-0.0), rm: RUP).result == s(0))
        #expect(run(.fadd_s, s(0), s(-0.0), rm: RDN).result == s(-0.0))
    }

    @Test func overflowDependsOnMode() {
        let max = Double.greatestFiniteMagnitude
        #expect(run(.fmul_d, d(max), d(2), rm: RNE) == (true, d(.infinity), OF | NX))
        #expect(run(.fmul_d, d(max), d(2), rm: RTZ) == (true, d(max), OF | NX))
        #expect(run(.fmul_d, d(max), d(-2), rm: RUP) == (true, d(-max), OF | NX))
        #expect(run(.fmul_d, d(max), d(-2), rm: RDN) == (true, d(-.infinity), OF | NX))
        #expect(run(.fcvt_s_d, d(1e39), rm: RNE) == (true, s(.infinity), OF | NX))
        #expect(run(.fcvt_s_d, d(1e39), rm: RTZ) == (true, s(.greatestFiniteMagnitude), OF | NX))
    }

    @Test func underflowIsDetectedAfterRounding() {
        // (1 − 2^-26)·2^-126 rounds (unbounded) to 2^-126, the smallest normal: not tiny, no UF.
        let nearMinNormal: UInt64 = 0x380f_ffff_f800_0000
        #expect(run(.fcvt_s_d, nearMinNormal, rm: RNE) == (true, box(0x0080_0000), NX))
        // Truncated it stays below: tiny and inexact.
        #expect(run(.fcvt_s_d, nearMinNormal, rm: RTZ) == (true, box(0x007f_ffff), UF | NX))
        // (1 − 2^-53)·2^-1022 is exact at full precision, so tiny, though it rounds up to 2^-1022.
        #expect(run(.fmul_d, d(1 - 0x1p-53), d(0x1p-1022), rm: RNE) == (true, 0x0010_0000_0000_0000, UF | NX))
        // An exact subnormal result raises nothing.
        #expect(run(.fmul_d, d(0x1p-1022), d(0.5)) == (true, 0x0008_0000_0000_0000, 0))
        // Below half the smallest subnormal: zero, or the smallest subnormal rounding up.
        #expect(run(.fmul_s, s(0x1p-149), s(0.25), rm: RNE) == (true, s(0), UF | NX))
        #expect(run(.fmul_s, s(0x1p-149), s(0.25), rm: RUP) == (true, box(1), UF | NX))
        #expect(run(.fmul_s, s(0x1p-149), s(-0.5), rm: RMM) == (true, box(0x8000_0001), UF | NX))
    }
}

@Suite struct FloatArithmeticTests {
    @Test func divisionAndSquareRootSpecialCases() {
        #expect(run(.fdiv_d, d(-1), d(0)) == (true, d(-.infinity), DZ))
        #expect(run(.fdiv_d, d(0), d(0)) == (true, canonicalD, NV))
        #expect(run(.fdiv_s, s(.infinity), s(.infinity)) == (true, canonicalS, NV))
        #expect(run(.fdiv_s, s(.infinity), s(0)) == (true, s(.infinity), 0))
        #expect(run(.fsqrt_d, d(-0.0)) == (true, d(-0.0), 0))
        #expect(run(.fsqrt_s, s(-.infinity)) == (true, canonicalS, NV))
        #expect(run(.fsqrt_d, d(2)) == (true, d(2.0.squareRoot()), NX))
        #expect(run(.fsqrt_s, s(0x1p-148)) == (true, s(0x1p-74), 0))
    }

    @Test func fusedMultiplyAddRoundsOnce() {
        // (1 + 2^-52)(1 − 2^-52) − 1 = −2^-104 exactly; separate rounding would give 0.
        #expect(run(.fmadd_d, d(1 + 0x1p-52), d(1 - 0x1p-52), d(-1)) == (true, d(-0x1p-104), 0))
        #expect(run(.fmsub_d, d(1 + 0x1p-52), d(1 - 0x1p-52), d(1)) == (true, d(-0x1p-104), 0))
        #expect(run(.fnmsub_d, d(1 + 0x1p-52), d(1 - 0x1p-52), d(1)) == (true, d(0x1p-104), 0))
        #expect(run(.fnmadd_d, d(1 + 0x1p-52), d(1 - 0x1p-52), d(-1)) == (true, d(0x1p-104), 0))
        // fnmadd computes −(a·b) − c: signs of exact zeros follow.
        #expect(run(.fnmadd_s, s(0), s(1), s(0)) == (true, s(-0.0), 0))
        #expect(run(.fmadd_s, s(2), s(3), s(4)) == (true, s(10), 0))
        #expect(run(.fmadd_s, s(.infinity), s(1), s(-.infinity)) == (true, canonicalS, NV))
    }
}

@Suite struct FloatCompareTests {
    @Test func minMaxRules() {
        #expect(run(.fmin_d, d(0), d(-0.0)) == (true, d(-0.0), 0))
        #expect(run(.fmax_d, d(-0.0), d(0)) == (true, d(0), 0))
        #expect(run(.fmin_s, canonicalS, s(3)) == (true, s(3), 0))
        #expect(run(.fmax_s, s(-3), qNaNPayloadS) == (true, s(-3), 0))
        #expect(run(.fmin_d, qNaNPayloadD, canonicalD) == (true, canonicalD, 0))
        #expect(run(.fmax_d, sNaND, d(1)) == (true, d(1), NV))
        #expect(run(.fmin_s, sNaNS, sNaNS) == (true, canonicalS, NV))
        #expect(run(.fmax_d, d(-.infinity), d(-1)) == (true, d(-1), 0))
    }

    @Test func equalityIsQuietOrderingIsSignalling() {
        #expect(run(.feq_d, d(0), d(-0.0)) == (true, 1, 0))
        #expect(run(.feq_d, canonicalD, canonicalD) == (true, 0, 0))
        #expect(run(.feq_s, sNaNS, s(1)) == (true, 0, NV))
        #expect(run(.flt_d, canonicalD, d(1)) == (true, 0, NV))
        #expect(run(.fle_s, s(1), canonicalS) == (true, 0, NV))
        #expect(run(.flt_d, d(-0.0), d(0)) == (true, 0, 0))
        #expect(run(.fle_d, d(-0.0), d(0)) == (true, 1, 0))
        #expect(run(.flt_s, s(-2), s(-1)) == (true, 1, 0))
    }

    @Test func classifyEveryClass() {
        let doubles: [UInt64] = [
            d(-.infinity), d(-1), 0x8000_0000_0000_0001, d(-0.0), d(0),
            0x000f_ffff_ffff_ffff, d(1e300), d(.infinity), sNaND, qNaNPayloadD,
        ]
        let singles: [UInt64] = [
            s(-.infinity), s(-1), box(0x8000_0001), s(-0.0), s(0),
            box(0x007f_ffff), s(1e30), s(.infinity), sNaNS, qNaNPayloadS,
        ]
        for bit in 0..<10 {
            #expect(run(.fclass_d, doubles[bit]) == (true, 1 << UInt64(bit), 0))
            #expect(run(.fclass_s, singles[bit]) == (true, 1 << UInt64(bit), 0))
        }
    }
}

@Suite struct FloatConversionTests {
    @Test func toIntegerSaturates() {
        #expect(run(.fcvt_w_d, canonicalD) == (true, 0x7fff_ffff, NV))
        #expect(run(.fcvt_wu_d, canonicalD) == (true, 0xffff_ffff_ffff_ffff, NV))
        #expect(run(.fcvt_l_s, s(-.infinity)) == (true, 0x8000_0000_0000_0000, NV))
        #expect(run(.fcvt_lu_s, s(-.infinity)) == (true, 0, NV))
        #expect(run(.fcvt_w_d, d(2147483648)) == (true, 0x7fff_ffff, NV))
        #expect(run(.fcvt_w_d, d(-2147483649)) == (true, 0xffff_ffff_8000_0000, NV))
        #expect(run(.fcvt_w_d, d(-2147483648.5), rm: RTZ) == (true, 0xffff_ffff_8000_0000, NX))
        #expect(run(.fcvt_lu_d, d(0x1p64)) == (true, 0xffff_ffff_ffff_ffff, NV))
        #expect(run(.fcvt_l_d, d(0x1p63)) == (true, 0x7fff_ffff_ffff_ffff, NV))
        #expect(run(.fcvt_l_d, d(-0x1p63)) == (true, 0x8000_0000_0000_0000, 0))
    }

    @Test func unsignedWordResultsAreSignExtended() {
        #expect(run(.fcvt_wu_d, d(4294967295)) == (true, 0xffff_ffff_ffff_ffff, 0))
        #expect(run(.fcvt_wu_s, s(3e9)) == (true, 0xffff_ffff_b2d0_5e00, 0))
        #expect(run(.fcvt_w_d, d(-1)) == (true, 0xffff_ffff_ffff_ffff, 0))
    }

    @Test func negativeToUnsignedIsInvalidUnlessItRoundsToZero() {
        #expect(run(.fcvt_wu_d, d(-1)) == (true, 0, NV))
        #expect(run(.fcvt_wu_d, d(-0.5), rm: RTZ) == (true, 0, NX))
        #expect(run(.fcvt_lu_d, d(-0.5), rm: RNE) == (true, 0, NX))
        #expect(run(.fcvt_lu_d, d(-0.5), rm: RMM) == (true, 0, NV))
        #expect(run(.fcvt_lu_s, s(-0.0)) == (true, 0, 0))
    }

    @Test func fromIntegerRoundsByMode() {
        let twoTo53Plus1: UInt64 = (1 << 53) + 1
        #expect(run(.fcvt_d_l, twoTo53Plus1, rm: RNE) == (true, d(0x1p53), NX))
        #expect(run(.fcvt_d_l, twoTo53Plus1, rm: RUP) == (true, d(0x1p53 + 2), NX))
        #expect(run(.fcvt_d_lu, UInt64.max, rm: RTZ) == (true, d(0x1p64 - 2048), NX))
        #expect(run(.fcvt_s_l, UInt64(bitPattern: -16_777_217), rm: RDN) == (true, s(-16_777_218), NX))
        // W forms read only bits 31:0 of the source.
        #expect(run(.fcvt_s_w, 0x1234_5678_ffff_fffe) == (true, s(-2), 0))
        #expect(run(.fcvt_d_wu, 0x1234_5678_ffff_fffe) == (true, d(4294967294), 0))
        #expect(run(.fcvt_d_w, 0) == (true, d(0), 0))
    }
}

@Suite struct FloatUnitContractTests {
    @Test func doesNotTouchPC() {
        let t = FloatTestState()
        t.state.pc = 0x1000
        #expect(FloatUnit.execute(Instruction(opcode: .fadd_d, rd: 1, rs1: 2, rs2: 3, rm: 0), t.state))
        #expect(t.state.pc == 0x1000)
    }

    @Test func declinesWhatIsNotFloatArithmetic() {
        let t = FloatTestState()
        for opcode in [Opcode.add, .flw, .fsd, .csrrs] {
            #expect(FloatUnit.execute(Instruction(opcode: opcode, rd: 1, rs1: 2, rs2: 3), t.state) == false)
        }
        #expect(t.state.xRegisters.allSatisfy { $0 == 0 })
    }
}
