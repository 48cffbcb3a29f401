import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// The bit group under the JIT gives the interpreter's results, with the host's POPCNT, LZCNT
/// and BMI1 and without them (`JITOptions.hostFeatures = .baseline`, the lowerings a host
/// lacking them gets).
@Suite struct BitTests {
    static let values: [UInt64] = IntegerTests.values + [
        0x0123_4567_89ab_cdef, 0x8000_0000_0000_0001, 0x0000_0001_8000_0000, 0xff00_ff00_00ff_00ff, 0x40, 0x80,
    ]
    static let featureSets: [CPUFeatures] = [.baseline, .host]

    @Test(arguments: RV.bitRegisterOps + RV.bitUnaryOps)
    func registerForms(_ op: Opcode) {
        var code: [UInt32] = []
        var n = 0
        for (ai, _) in Self.values.enumerated() {
            for (bi, _) in Self.values.enumerated() where op.info.format == .r || bi == 0 {
                let (rd, rs1, rs2) = IntegerTests.registerChoices[n % IntegerTests.registerChoices.count]
                code += [loadWord(rs1, ai), loadWord(rs2, bi), RV.r(op, rd, rs1, rs2), RV.sd(rd, 30, 8 * (n % 256))]
                n += 1
            }
        }
        code += RV.exit
        for features in Self.featureSets {
            expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: IntegerTests.setup), features: features)
        }
    }

    @Test(arguments: RV.bitShiftOps.map { $0.0 })
    func shiftAmountForms(_ op: Opcode) {
        let maxShift = RV.bitShiftOps.first { $0.0 == op }!.maxShift
        var code: [UInt32] = []
        var n = 0
        for (ai, _) in Self.values.enumerated() {
            for sh in [0, 1, 7, 30, 31, maxShift / 2 + 1, maxShift] {
                let (rd, rs1, _) = IntegerTests.registerChoices[n % IntegerTests.registerChoices.count]
                code += [loadWord(rs1, ai), RV.i(op, rd, rs1, sh), RV.sd(rd, 30, 8 * (n % 256))]
                n += 1
            }
        }
        code += RV.exit
        for features in Self.featureSets {
            expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: IntegerTests.setup), features: features)
        }
    }

    /// The baseline's bit scans against known counts, so a fault shared with the interpreter
    /// cannot hide (bsr/bsf leave the destination undefined for zero).
    @Test func countsByValue() {
        let data: [UInt64] = [0, 1, 1 << 63, 0xffff_ffff_0000_0000, 0x0000_0000_8000_0000]
        var code: [UInt32] = (0..<5).map { loadWord(5 + $0, $0) } // x5..x9
        let cases: [(Opcode, Int, UInt64)] = [
            (.clz, 5, 64), (.clz, 6, 63), (.clz, 7, 0), (.clzw, 8, 32), (.clzw, 9, 0),
            (.ctz, 5, 64), (.ctz, 7, 63), (.ctzw, 8, 32), (.ctzw, 9, 31), (.cpop, 8, 32), (.cpopw, 8, 0),
        ]
        for (k, c) in cases.enumerated() { code += [RV.r(c.0, 10, c.1, 0), RV.sd(10, 30, 8 * k)] }
        code += RV.exit
        for features in Self.featureSets {
            var options = JITOptions(cacheSize: 1 << 20)
            options.hostFeatures = features
            let program = Program(code: code, data: data, setup: IntegerTests.setup)
            let outcome = program.run(JIT(options: options))
            for (k, c) in cases.enumerated() {
                let bytes = outcome.data[(0x800 + 8 * k)..<(0x808 + 8 * k)]
                let value = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                #expect(value == c.2, "\(c.0) of x\(c.1) under \(features)")
            }
            expectSameUnderBothEngines(program, features: features)
        }
    }
}
