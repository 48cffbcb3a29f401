import Guest
import JIT
import RISCV
import Testing
import TestSupport

/// Integer operations on edge values give the interpreter's results under the JIT.
@Suite struct IntegerTests {
    static let values: [UInt64] = [
        0, 1, 2, 31, 32, 63, 64, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
        0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff, 0xffff_ffff_8000_0000,
        0x1234_5678_9abc_def0, 0xffff_ffff_ffff_fffe,
    ]
    /// (rd, rs1, rs2): uncached, cached, rd = rs1, rd = rs2, all equal, x0 sources, x0 destination.
    static let registerChoices: [(Int, Int, Int)] = [
        (7, 5, 6), (10, 11, 12), (10, 10, 11), (13, 5, 13), (5, 5, 5), (14, 0, 11), (6, 12, 0), (0, 10, 11),
        (2, 1, 8), (28, 9, 15), (7, 7, 10), (6, 6, 7), (29, 29, 0),
    ]
    /// Results go to data + 0x800 onwards, addressed through x30.
    static func setup(_ s: GuestState) { s.setX(30, Layout.data + 0x800) }

    @Test(arguments: RV.registerOps)
    func registerOperation(_ op: Opcode) {
        var code: [UInt32] = []
        var n = 0
        for (ai, _) in Self.values.enumerated() {
            for (bi, _) in Self.values.enumerated() {
                let (rd, rs1, rs2) = Self.registerChoices[n % Self.registerChoices.count]
                code += [loadWord(rs1, ai), loadWord(rs2, bi), RV.r(op, rd, rs1, rs2), RV.sd(rd, 30, 8 * (n % 256))]
                n += 1
            }
        }
        code += RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: Self.setup))
        #expect(outcome.status == .exited(0) || outcome.status == .exited(Int32(truncatingIfNeeded: outcome.x[10])))
    }

    @Test(arguments: RV.immediateOps)
    func immediateOperation(_ op: Opcode) {
        let immediates = [0, 1, -1, 2047, -2048, 0x555, -0x7ff, 31]
        var code: [UInt32] = []
        var n = 0
        for (ai, _) in Self.values.enumerated() {
            for imm in immediates {
                let (rd, rs1, _) = Self.registerChoices[n % Self.registerChoices.count]
                code += [loadWord(rs1, ai), RV.i(op, rd, rs1, imm), RV.sd(rd, 30, 8 * (n % 256))]
                n += 1
            }
        }
        code += RV.exit
        expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: Self.setup))
    }

    @Test(arguments: RV.shiftImmediateOps.map { $0.0 })
    func shiftImmediate(_ op: Opcode) {
        let maxShift = RV.shiftImmediateOps.first { $0.0 == op }!.maxShift
        var code: [UInt32] = []
        var n = 0
        for (ai, _) in Self.values.enumerated() {
            for sh in [0, 1, 7, 31, maxShift] {
                let (rd, rs1, _) = Self.registerChoices[n % Self.registerChoices.count]
                code += [loadWord(rs1, ai), RV.i(op, rd, rs1, sh), RV.sd(rd, 30, 8 * (n % 256))]
                n += 1
            }
        }
        code += RV.exit
        expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: Self.setup))
    }

    /// The corner cases by value, so a bug shared by both engines cannot hide.
    @Test func divisionCornerCases() {
        let min = 0x8000_0000_0000_0000 as UInt64, minusOne = UInt64.max
        let data: [UInt64] = [7, 0, min, minusOne, 0xffff_ffff_8000_0000]
        var code: [UInt32] = [loadWord(5, 0), loadWord(6, 1), loadWord(7, 2), loadWord(28, 3), loadWord(29, 4)]
        let cases: [(Opcode, Int, Int, Int, UInt64)] = [
            (.div, 10, 5, 6, minusOne), (.divu, 11, 5, 6, minusOne), (.rem, 12, 5, 6, 7), (.remu, 13, 5, 6, 7),
            (.div, 14, 7, 28, min), (.rem, 15, 7, 28, 0),
            (.divw, 16, 29, 28, 0xffff_ffff_8000_0000), (.remw, 18, 29, 28, 0),
            (.divuw, 19, 5, 6, minusOne), (.remw, 20, 29, 6, 0xffff_ffff_8000_0000),
        ]
        for (op, rd, a, b, _) in cases {
            code.append(RV.r(op, rd, a, b))
        }
        code += [RV.addi(10, 0, 0)] + RV.exit
        for chaining in [true, false] {
            let outcome = Program(code: code, data: data).run(smallJIT(chaining: chaining))
            for (name, rd, _, _, expected) in cases where rd != 10 {
                #expect(outcome.x[rd] == expected, "\(name) into x\(rd)")
            }
            #expect(outcome.status == .exited(0))
        }
    }
}
