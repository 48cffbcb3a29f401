import Guest
import JIT
import Testing
import TestSupport

/// F/D under the JIT: loads and stores inline (NaN boxing), arithmetic through `FloatUnit`,
/// with x-register operands and results in cached (callee- and caller-saved) and uncached registers.
@Suite struct FloatTests {
    @Test func arithmeticLoadsAndStores() {
        let one = (1.5 as Double).bitPattern, three = (3.25 as Double).bitPattern
        let floatBits = UInt64((2.5 as Float).bitPattern) | 0x1234_5678_0000_0000
        let data: [UInt64] = [one, three, floatBits, (-7.75 as Double).bitPattern]
        let code: [UInt32] = [
            RV.i(.fld, 1, 31, 0), RV.i(.fld, 2, 31, 8), RV.i(.flw, 3, 31, 16), RV.i(.fld, 4, 31, 24),
            RV.fp(.fadd_d, 5, 1, 2),               // f5 = f1 + f2
            RV.fp(.fmul_d, 6, 5, 4),
            RV.fp(.fdiv_d, 7, 6, 2),
            RV.fp(.fadd_s, 8, 3, 3),               // on the boxed single
            RV.fp(.fcvt_l_d, rm: 1, 10, 6),        // a0 (callee-saved cache), rtz
            RV.fp(.fcvt_l_d, rm: 1, 12, 7),        // a2 (caller-saved cache)
            RV.fp(.fmv_x_d, rm: 0, 5, 6),          // t0 (uncached)
            RV.fp(.feq_d, rm: 2, 13, 1, 1),        // a3
            RV.addi(11, 0, -42),
            RV.fp(.fcvt_d_l, 9, 11),               // f9 = a1
            RV.s(.fsd, 6, 31, 32), RV.s(.fsw, 8, 31, 40), RV.s(.fsw, 3, 31, 44), RV.s(.fsd, 9, 31, 48),
            RV.i(.flw, 10, 31, 40),
            RV.csr(.csrrs, 14, 0x001, 0),          // a4 = fflags (inexact from fdiv)
            RV.csr(.csrrwi, 5, 0x002, 1),          // t0 = frm, frm = 1
            RV.csr(.csrrs, 8, 0x003, 0),           // s0 = fcsr
            RV.csr(.csrrci, 0, 0x001, 0x1f),       // clear fflags
            RV.csr(.csrrs, 15, 0x003, 0),          // a5 = fcsr
            RV.fp(.fadd_d, rm: 5, 11, 1, 2),       // reserved rm 5: illegal instruction
            RV.addi(10, 0, 1),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code, data: data))
        #expect(outcome.x[10] == UInt64(bitPattern: -36) && outcome.x[13] == 1 && outcome.x[12] == UInt64(bitPattern: -11))
        #expect(outcome.x[14] & 1 == 1 && outcome.x[8] == 1 << 5 | outcome.x[14] && outcome.x[15] == 1 << 5)
        #expect(outcome.exceptions == [GuestTrap(.illegalInstruction, pc: Layout.code + 4 * 24, tval: UInt64(RV.fp(.fadd_d, rm: 5, 11, 1, 2)))])
    }
}
