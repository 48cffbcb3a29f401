import Guest
import JIT
import Testing

/// F/D under the JIT: loads and stores inline (NaN boxing), arithmetic through `FloatUnit`,
/// with x-register operands and results in cached (callee- and caller-saved) and uncached registers.
@Suite struct FloatTests {
    static func fp(_ f7: UInt32, rm: UInt32 = 7, _ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 {
        RV.r(0x53, rm, f7, rd, rs1, rs2)
    }
    static func fld(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { RV.i(0x07, 3, rd, rs1, imm) }
    static func flw(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { RV.i(0x07, 2, rd, rs1, imm) }
    static func fsd(_ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { RV.s(0x27, 3, rs1, rs2, imm) }
    static func fsw(_ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { RV.s(0x27, 2, rs1, rs2, imm) }

    static func csr(_ f3: UInt32, _ rd: Int, _ csr: Int, _ rs1: Int) -> UInt32 {
        UInt32(csr) << 20 | UInt32(rs1) << 15 | f3 << 12 | UInt32(rd) << 7 | 0x73
    }

    @Test func arithmeticLoadsAndStores() {
        let one = (1.5 as Double).bitPattern, three = (3.25 as Double).bitPattern
        let floatBits = UInt64((2.5 as Float).bitPattern) | 0x1234_5678_0000_0000
        let data: [UInt64] = [one, three, floatBits, (-7.75 as Double).bitPattern]
        let code: [UInt32] = [
            Self.fld(1, 31, 0), Self.fld(2, 31, 8), Self.flw(3, 31, 16), Self.fld(4, 31, 24),
            Self.fp(0x01, 5, 1, 2),                // fadd.d f5 = f1 + f2
            Self.fp(0x09, 6, 5, 4),                // fmul.d
            Self.fp(0x0d, 7, 6, 2),                // fdiv.d
            Self.fp(0x00, 8, 3, 3),                // fadd.s on the boxed single
            Self.fp(0x61, rm: 1, 10, 6, 2),        // fcvt.l.d a0 (callee-saved cache), rtz
            Self.fp(0x61, rm: 1, 12, 7, 2),        // fcvt.l.d a2 (caller-saved cache)
            Self.fp(0x71, rm: 0, 5, 6, 0),         // fmv.x.d t0 (uncached)
            Self.fp(0x51, rm: 2, 13, 1, 1),        // feq.d a3
            RV.addi(11, 0, -42),
            Self.fp(0x69, 9, 11, 2),               // fcvt.d.l f9 = a1
            Self.fsd(6, 31, 32), Self.fsw(8, 31, 40), Self.fsw(3, 31, 44), Self.fsd(9, 31, 48),
            Self.flw(10, 31, 40),
            Self.csr(2, 14, 0x001, 0),             // csrrs a4, fflags, x0 (inexact from fdiv)
            Self.csr(5, 5, 0x002, 1),              // csrrwi t0, frm, 1
            Self.csr(2, 8, 0x003, 0),              // csrrs s0, fcsr, x0
            Self.csr(7, 0, 0x001, 0x1f),           // csrrci x0, fflags, 31
            Self.csr(2, 15, 0x003, 0),             // csrrs a5, fcsr, x0
            Self.fp(0x01, rm: 5, 11, 1, 2),        // fadd.d with reserved rm 5: illegal instruction
            RV.addi(10, 0, 1),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code, data: data))
        #expect(outcome.x[10] == UInt64(bitPattern: -36) && outcome.x[13] == 1 && outcome.x[12] == UInt64(bitPattern: -11))
        #expect(outcome.x[14] & 1 == 1 && outcome.x[8] == 1 << 5 | outcome.x[14] && outcome.x[15] == 1 << 5)
        #expect(outcome.exceptions == [GuestTrap(.illegalInstruction, pc: Layout.code + 4 * 24, tval: UInt64(Self.fp(0x01, rm: 5, 11, 1, 2)))])
    }
}
