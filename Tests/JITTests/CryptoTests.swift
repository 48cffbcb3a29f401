import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// The crypto group under the JIT gives the interpreter's results: with the host's AES-NI, with
/// everything but AES-NI, and on the baseline (`JITOptions.hostFeatures`), where the aes64*
/// instructions go to the helper.
@Suite struct CryptoTests {
    static let values: [UInt64] = IntegerTests.values + [
        0x0123_4567_89ab_cdef, 0x2be2_f4a0_bee3_3d19, 0x0848_f8e9_2a8d_c69a, 0x3c4f_cf09_8815_f7ab, 0x6363_6363_6363_6363,
        0x8000_0000_0000_0001, 0xff00_ff00_00ff_00ff, 0x40, 0x80,
    ]
    static let featureSets: [CPUFeatures] = {
        var noAES = CPUFeatures.host
        noAES.aes = false
        return [.baseline, noAES, .host]
    }()

    static func cryptoOps(_ format: Format) -> [Opcode] {
        Opcode.allCases.filter { $0.group == .crypto && $0.info.format == format }
    }

    /// Every operand pair (every value alone for the unary forms), every byte select and
    /// legal round number, through a rotation of register choices (x0 and aliasing included).
    @Test(arguments: cryptoOps(.r) + cryptoOps(.unary) + cryptoOps(.byteSelect) + cryptoOps(.roundNumber))
    func everyForm(_ op: Opcode) {
        let format = op.info.format
        let immediates: [Int] = format == .byteSelect ? [0, 1, 2, 3] : format == .roundNumber ? Array(0...10) : [0]
        var code: [UInt32] = []
        var n = 0
        for (ai, _) in Self.values.enumerated() {
            for (bi, _) in Self.values.enumerated() where format == .r || format == .byteSelect || bi == 0 {
                for imm in immediates where format != .byteSelect || (ai + bi + imm) % 2 == 0 {
                    let (rd, rs1, rs2) = IntegerTests.registerChoices[n % IntegerTests.registerChoices.count]
                    code += [loadWord(rs1, ai), loadWord(rs2, bi), RV.encode(op, rd: rd, rs1: rs1, rs2: rs2, imm: imm),
                             RV.sd(rd, 30, 8 * (n % 256))]
                    n += 1
                }
            }
        }
        code += RV.exit
        for features in Self.featureSets {
            expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: IntegerTests.setup), features: features)
        }
    }

    /// A reserved round number is an illegal instruction in both engines, with and without AES-NI.
    @Test func reservedRoundNumberTraps() {
        let code = [loadWord(5, 13), RV.encode(.aes64ks1i, rd: 6, rs1: 5, imm: 11)] + RV.exit
        for features in Self.featureSets {
            let program = Program(code: code, data: Self.values, setup: IntegerTests.setup)
            let reference = program.run(Interpreter())
            #expect(reference.exceptions.first?.cause == .illegalInstruction)
            expectSameUnderBothEngines(program, features: features)
        }
    }
}
