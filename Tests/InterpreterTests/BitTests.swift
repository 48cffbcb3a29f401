import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// Runs `op` with x1 = a and x2 = b (or the shift amount `b` for the immediate forms), returning x3.
private func bit(_ op: Opcode, _ a: UInt64, _ b: UInt64 = 0) -> UInt64 {
    let hart = makeHart()
    hart.set((1, a), (2, b))
    let inst = op.info.format == .shift ? i(op, 3, 1, Int64(b)) : r(op, 3, 1, 2)
    #expect(hart.exec(inst) == .retired)
    return hart.state.x(3)
}

private let a: UInt64 = 0x0123_4567_89ab_cdef
private let b: UInt64 = 0xfedc_ba98_7654_3210
private let ones = UInt64.max

/// The bit group's semantics against values worked out from the ratified specifications (B 1.0.0,
/// Zbk* 1.0.1, Zicond 1.0), by hand or by a separate script, never by the code under test.
@Suite struct BitTests {
    @Test func zba() {
        #expect(bit(.sh1add, 3, 10) == 16)
        #expect(bit(.sh2add, 3, 10) == 22)
        #expect(bit(.sh3add, ones, 8) == 0) // −1·8 + 8 wraps to 0
        #expect(bit(.add_uw, 0xffff_ffff_8000_0000, 1) == 0x8000_0001)
        #expect(bit(.sh1add_uw, 0xdead_beef_ffff_ffff, 2) == 0x1_ffff_fffe + 2)
        #expect(bit(.sh2add_uw, 0x1_0000_0001, 0) == 4)
        #expect(bit(.sh3add_uw, 0x8000_0000, 0) == 0x4_0000_0000)
        #expect(bit(.slli_uw, 0xffff_ffff_ffff_ffff, 63) == 0x8000_0000_0000_0000)
        #expect(bit(.slli_uw, 0xabcd_ef01_2345_6789, 4) == 0x2_3456_7890)
    }

    @Test func zbbLogicAndCounts() {
        #expect(bit(.andn, a, b) == a & ~b)
        #expect(bit(.orn, 0, 0) == ones)
        #expect(bit(.xnor, a, a) == ones)
        #expect(bit(.clz, 0) == 64 && bit(.clz, 1) == 63 && bit(.clz, 1 << 63) == 0)
        #expect(bit(.clzw, 0xffff_ffff_0000_0000) == 32 && bit(.clzw, 0x8000) == 16)
        #expect(bit(.ctz, 0) == 64 && bit(.ctz, 1 << 63) == 63 && bit(.ctz, 0x50) == 4)
        #expect(bit(.ctzw, 0xffff_ffff_0000_0000) == 32 && bit(.ctzw, 0x1_8000_0000) == 31)
        #expect(bit(.cpop, ones) == 64 && bit(.cpop, a) == 32 && bit(.cpop, 0) == 0)
        #expect(bit(.cpopw, 0xffff_ffff_0000_0001) == 1 && bit(.cpopw, 0xffff_ffff) == 32)
    }

    @Test func zbbMinMaxAndExtension() {
        let minusTwo = UInt64(bitPattern: -2)
        #expect(bit(.max, minusTwo, 1) == 1 && bit(.maxu, minusTwo, 1) == minusTwo)
        #expect(bit(.min, minusTwo, 1) == minusTwo && bit(.minu, minusTwo, 1) == 1)
        #expect(bit(.min, 1 << 63, (1 << 63) - 1) == 1 << 63)
        #expect(bit(.sext_b, 0x1234_5680) == UInt64(bitPattern: -128) && bit(.sext_b, 0x7f) == 0x7f)
        #expect(bit(.sext_h, 0xffff_0000_0000_8001) == 0xffff_ffff_ffff_8001)
        #expect(bit(.zext_h, 0xffff_ffff_ffff_8001) == 0x8001)
    }

    @Test func zbbRotatesAndBytes() {
        #expect(bit(.rol, 0x8000_0000_0000_0001, 1) == 3)
        #expect(bit(.rol, a, 64 + 4) == 0x1234_5678_9abc_def0) // only the low 6 bits count
        #expect(bit(.ror, 1, 1) == 1 << 63)
        #expect(bit(.rori, a, 8) == 0xef01_2345_6789_abcd)
        #expect(bit(.rori, a, 0) == a)
        #expect(bit(.rolw, 0x8000_0001, 1) == 3)
        #expect(bit(.rolw, 0x4000_0000, 33) == 0xffff_ffff_8000_0000) // 5 bits, then sign-extended
        #expect(bit(.rorw, 1, 1) == 0xffff_ffff_8000_0000)
        #expect(bit(.roriw, 0xdead_beef_1234_5678, 16) == 0x5678_1234)
        #expect(bit(.orc_b, 0x0001_0000_00ff_8000) == 0x00ff_0000_00ff_ff00)
        #expect(bit(.rev8, a) == 0xefcd_ab89_6745_2301)
    }

    @Test func carrylessMultiplication() {
        #expect(bit(.clmul, a, b) == 0x40a0_7898_28c8_10f0)
        #expect(bit(.clmulh, a, b) == 0x00e0_38d8_6888_50b0)
        #expect(bit(.clmulr, a, b) == 0x01c0_71b0_d110_a160)
        #expect(bit(.clmul, ones, ones) == 0x5555_5555_5555_5555)
        #expect(bit(.clmulh, ones, ones) == 0x5555_5555_5555_5555)
        #expect(bit(.clmulr, ones, ones) == 0xaaaa_aaaa_aaaa_aaaa)
        #expect(bit(.clmulh, ones, 1) == 0 && bit(.clmulr, 1 << 63, 1) == 1)
    }

    @Test func zbs() {
        #expect(bit(.bset, 0, 63) == 1 << 63 && bit(.bset, 0, 64 + 3) == 8)
        #expect(bit(.bclr, ones, 0) == ones - 1)
        #expect(bit(.binv, 1 << 40, 40) == 0)
        #expect(bit(.bext, 1 << 63, 63) == 1 && bit(.bext, 1 << 63, 62) == 0)
        #expect(bit(.bseti, 0, 31) == 0x8000_0000 && bit(.bclri, ones, 45) == ones & ~(1 << 45))
        #expect(bit(.binvi, 0, 63) == 1 << 63 && bit(.bexti, a, 0) == 1)
    }

    @Test func zbkbZbkx() {
        #expect(bit(.pack, 0xaaaa_aaaa_1111_1111, 0xbbbb_bbbb_2222_2222) == 0x2222_2222_1111_1111)
        #expect(bit(.packh, 0x1234, 0x5678) == 0x7834)
        #expect(bit(.packw, 0x1234, 0x8765_4321) == 0x4321_1234)
        #expect(bit(.packw, 0x1234, 0x8000) == 0xffff_ffff_8000_1234)
        #expect(bit(.brev8, 0x0102_0304_0506_0780) == 0x8040_c020_a060_e001)
        #expect(bit(.brev8, a) == 0x80c4_a2e6_91d5_b3f7)
        #expect(bit(.xperm4, a, 0x0f0e_0d0c_0b0a_0908) == 0xf0f1_f2f3_f4f5_f6f7)
        #expect(bit(.xperm4, a, a) == 0xfedc_ba98_7654_3210)
        #expect(bit(.xperm8, a, 0x0007_ff08_0102_0304) == 0xef01_0000_cdab_8967)
    }

    @Test func zicond() {
        #expect(bit(.czero_eqz, a, 0) == 0 && bit(.czero_eqz, a, 1 << 63) == a)
        #expect(bit(.czero_nez, a, 0) == a && bit(.czero_nez, a, 2) == 0)
    }

    /// Writes to x0 vanish, as for every other instruction.
    @Test func writesToZeroVanish() {
        let hart = makeHart()
        hart.set((1, a), (2, b))
        #expect(hart.exec(r(.clmul, 0, 1, 2)) == .retired)
        #expect(hart.state.x(0) == 0)
    }
}
