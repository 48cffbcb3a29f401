import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// Zfa under the JIT against the interpreter: every fli constant into a cached and an uncached
/// register, and every other Zfa instruction over edge values in every rounding mode (the F/D/A
/// fuzzer draws them too, `FPAFuzz`).
@Suite struct ZfaJITTests {
    static let doubles: [UInt64] = [
        0, 0x8000_0000_0000_0000, 0x3ff0_0000_0000_0000, 0xbff8_0000_0000_0000, 0x4004_0000_0000_0000,
        0x7ff0_0000_0000_0000, 0xfff0_0000_0000_0000, 0x7ff8_0000_0000_0000, 0x7ff0_0000_0000_0001, 0x0000_0000_0000_0001,
        0x41e0_0000_0000_0000, 0xc1e0_0000_0020_0000, 0x41f0_0000_0040_0000, 0x43e0_0000_0000_0001, 0x3fe0_0000_0000_0001,
    ]
    static let singles: [UInt64] = [
        0, 0x8000_0000, 0x3f80_0000, 0xbfc0_0000, 0x4020_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000, 0x7f80_0001,
        0x0000_0001, 0x4b00_0001, 0x3f00_0001,
    ].map { 0xffff_ffff_0000_0000 | $0 } + [0x3f80_0000] // the last one badly boxed

    @Test func everyConstant() {
        for rd in [10, 20] { // fa0 is cached in an xmm register, fs4 is not
            let code = (0..<32).flatMap { k in
                [rv(.fli_s, rd: rd, rs1: k), rv(.fsd, rs1: 30, rs2: rd), rv(.fli_d, rd: rd, rs1: k), rv(.fsd, rs1: 30, rs2: rd)]
            }
            _ = runBoth(code, x: [30: Layout.data])
        }
    }

    @Test(arguments: Opcode.allCases.filter { $0.info.ext == .zfa && $0 != .fli_s && $0 != .fli_d })
    func overEdgeValues(_ op: Opcode) {
        let values = op.info.mnemonic.hasSuffix(".s") ? Self.singles : Self.doubles
        let rms: [UInt16] = op.info.flags.contains(.roundingMode) ? [0, 1, 2, 3, 4, 7] : [7]
        for rm in rms {
            for (k, a) in values.enumerated() {
                var f: [Int: UInt64] = [:]
                for (j, b) in values.enumerated() { f[j] = b }
                f[31] = a
                // rd into a cached (fa0 / a0) and an uncached (fs4 / s4) register, rs1 = a, rs2 = each value.
                let code = (0..<values.count).flatMap { j in
                    [rv(op, rd: j % 2 == 0 ? 10 : 20, rs1: 31, rs2: j, rm: rm), RV.csr(.csrrs, 5 + j % 3, 1, 0)]
                }
                _ = runBoth(code, f: f, frm: UInt32(k % 5))
            }
        }
    }
}
