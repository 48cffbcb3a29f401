import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// Zfh, Zfhmin and Zfa's half forms under the JIT against the interpreter: every half
/// instruction over edge values (boxed and badly boxed) in every rounding mode including the
/// dynamic one with each frm (reserved ones too), the loads and stores into cached and uncached
/// registers, and every fli.h constant. The F/D/A fuzzer (`FPAFuzz`) draws them as well.
@Suite struct HalfJITTests {
    static let halves: [UInt64] = [
        0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x3555, 0x7bff, 0xfbff, 0x7c00,
        0xfc00, 0x7e00, 0x7c01, 0x4100, 0x5640, 0x6400,
    ].map { 0xffff_ffff_ffff_0000 | $0 } + [0x3c00, 0xffff_ffff_0000_3c00] // the last two badly boxed
    static let integers: [UInt64] = [
        0, 1, 0xffff_ffff_ffff_ffff, 65504, 65520, 65535, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff_8000_0000,
        0x8000_0000_0000_0000, 2049, 4097, 0x1234_5678_9abc_def0, 100_000, 0xffff_ffff_fffe_7960,
        0x0010_0000, 3, 0xffff_ffff, 0xffff_ffff_ffff_fff5, 12345,
    ]

    static let opcodes = Opcode.allCases.filter {
        ($0.info.ext == .zfh || $0.info.ext == .zfhmin || Extension.requires($0) == .zfh) && $0.info.memory == nil && $0 != .fli_h
    }

    @Test(arguments: opcodes)
    func overEdgeValues(_ op: Opcode) {
        // fcvt.h.s and fcvt.h.d read a single or a double: give them those (the top of the pools' halves).
        let mnemonic = op.info.mnemonic
        let values: [UInt64] = mnemonic.hasSuffix(".s") ? Self.halves.map { 0xffff_ffff_0000_0000 | ($0 & 0xffff) << 16 | 0x1001 }
            : mnemonic.hasSuffix(".d") ? Self.halves.map { ($0 & 0xffff) << 48 | 0x0000_1000_0000_0001 } : Self.halves
        let rms: [UInt16] = op.info.flags.contains(.roundingMode) ? [0, 1, 2, 3, 4, 5, 7] : [7]
        for rm in rms {
            for (k, a) in values.enumerated() {
                var f: [Int: UInt64] = [:], x: [Int: UInt64] = [:]
                for (j, b) in values.enumerated() { f[j] = b }
                for j in 0..<31 { x[j + 1] = Self.integers[(j + k) % Self.integers.count] }
                f[31] = a
                x[31] = Self.integers[k % Self.integers.count]
                // rd into a cached (fa0 / a0) and an uncached (fs4 / s4) register, rs1 = a, rs2 and rs3 = each value.
                let code = (0..<values.count).flatMap { j in
                    [rv(op, rd: j % 2 == 0 ? 10 : 20, rs1: 31, rs2: j, rs3: (j + 3) % values.count, rm: rm),
                     RV.csr(.csrrs, 5 + j % 3, 1, 0)]
                }
                _ = runBoth(code, f: f, x: x, frm: UInt32(k % 8))
            }
        }
    }

    @Test func everyConstant() {
        for rd in [10, 20] {
            let code = (0..<32).flatMap { k in [rv(.fli_h, rd: rd, rs1: k), rv(.fsd, rs1: 30, rs2: rd)] }
            let r = runBoth(code, x: [30: Layout.data])
            #expect(r.f[rd] == 0xffff_ffff_ffff_7e00)
        }
    }

    @Test func loadsStoresAndMoves() {
        // flh boxes; fsh stores bits 15:0 as they are (even unboxed); fmv.x.h sign-extends; fmv.h.x boxes.
        var code: [UInt32] = []
        for rd in [10, 20] {
            code += [RV.i(.flh, rd, 30, 2), RV.s(.fsh, rd, 30, 8 + rd / 5), RV.encode(.fmv_x_h, rd: 5 + rd / 5, rs1: rd)]
            code += [RV.encode(.fmv_h_x, rd: rd + 1, rs1: 6), RV.s(.fsd, rd + 1, 30, 16 + rd)]
        }
        code += [RV.s(.fsh, 3, 30, 62), RV.s(.fsh, 13, 30, 60)]
        let r = runBoth(code, f: [3: 0x0123_4567_89ab_cdef, 13: 0xffff_ffff_ffff_8001],
                        x: [30: Layout.data, 6: 0x1234_5678_9abc_fedc], data: [0x1111_2222_a5b6_4444])
        #expect(r.f[10] == 0xffff_ffff_ffff_a5b6 && r.f[20] == 0xffff_ffff_ffff_a5b6)
        #expect(r.x[7] == 0xffff_ffff_ffff_a5b6 && r.x[9] == 0xffff_ffff_ffff_a5b6 && r.f[11] == 0xffff_ffff_ffff_fedc)
        // fmv.h.x into an uncached register.
        #expect(r.f[21] == 0xffff_ffff_ffff_fedc)
    }

    @Test func onePlusOne() {
        let r = runBoth([RV.fp(.fadd_h, 1, 2, 3)], f: [2: 0xffff_ffff_ffff_3c00, 3: 0xffff_ffff_ffff_3c00])
        #expect(r.f[1] == 0xffff_ffff_ffff_4000 && r.exceptions.isEmpty)
    }

    /// fcvt.s.h and fcvt.d.h (inline with F16C, FloatUnit without) over 1024 halves spanning
    /// every exponent, both signs, subnormals, infinities and quiet and signalling NaNs, boxed; the
    /// results hashed into x6 and the flags accrued. The interpreter, the JIT with the host's
    /// features and the JIT on the baseline agree.
    @Test func widenWithAndWithoutF16C() {
        var halves: [UInt16] = []
        for k in 0..<1024 {
            let sign = UInt16(k & 1) << 15, exponent = UInt16(k >> 5) << 10, fraction = UInt16(k * 37 % 1024)
            halves.append(sign | exponent | fraction)
        }
        var data: [UInt64] = []
        for k in stride(from: 0, to: halves.count, by: 4) {
            var word: UInt64 = 0
            for j in 0..<4 { word |= UInt64(halves[k + j]) << UInt64(16 * j) }
            data.append(word)
        }
        var code: [UInt32] = [RV.i(.addi, 7, 0, 0x3a5)]
        for k in 0..<halves.count {
            code += [RV.i(.flh, 1, 30, 2 * k), RV.encode(.fcvt_s_h, rd: 10, rs1: 1), RV.encode(.fcvt_d_h, rd: 20, rs1: 1),
                     RV.encode(.fmv_x_d, rd: 5, rs1: 10), RV.r(.xor, 6, 6, 5), RV.r(.mul, 6, 6, 7),
                     RV.encode(.fmv_x_d, rd: 5, rs1: 20), RV.r(.xor, 6, 6, 5), RV.r(.mul, 6, 6, 7)]
        }
        // An unboxed operand: the canonical NaN.
        code += [RV.encode(.fcvt_s_h, rd: 11, rs1: 12), RV.encode(.fcvt_d_h, rd: 21, rs1: 12)]
        let program = Program(code: code + RV.exit, data: data, codePages: 12) { s in
            s.setX(30, Layout.data)
            s.setF(12, 0x0000_ffff_ffff_3c00)
        }
        func run(_ engine: Engine) -> FloatState {
            let (hart, environment) = program.makeHart()
            _ = engine.run(hart, maxInstructions: 100_000)
            return FloatState(x: hart.state.xRegisters, f: hart.state.fRegisters, fflags: hart.state.fflags,
                              exceptions: environment.exceptions)
        }
        var baseline = JITOptions(cacheSize: 1 << 22)
        baseline.hostFeatures = .baseline
        let reference = run(Interpreter())
        #expect(run(JIT(options: JITOptions(cacheSize: 1 << 22))) == reference)
        #expect(run(JIT(options: baseline)) == reference)
        #expect(reference.fflags == 0x10 && reference.x[6] != 0) // the signalling NaNs raised NV
        #expect(reference.f[11] == 0xffff_ffff_7fc0_0000 && reference.f[21] == 0x7ff8_0000_0000_0000)
    }
}
