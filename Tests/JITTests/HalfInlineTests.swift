import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// The half instructions the JIT lowers inline with F16C (Lower+Half.swift) against the
/// interpreter's binary16 soft-float, result and flags of each operation separately: 512
/// operand sets per opcode and rounding (every static mode, RMM, and dynamic under each frm),
/// drawn to hit what single-precision evaluation and narrowing could get wrong — ties and
/// near-ties of the narrowing (with and without bits below single precision, for fcvt.h.d's
/// rounding to odd), results near the subnormal and overflow boundaries, cancellation, zeros,
/// infinities, NaNs and unboxed operands. The same programs run on the JIT with the host's
/// features and on the baseline host (no F16C: every rounding half instruction calls
/// `FloatUnit`).
@Suite struct HalfInlineTests {
    static let opcodes: [Opcode] = [
        .fadd_h, .fsub_h, .fmul_h, .fdiv_h, .fsqrt_h, .fmin_h, .fmax_h, .feq_h, .flt_h, .fle_h,
        .fsgnj_h, .fsgnjn_h, .fsgnjx_h, .fclass_h, .fcvt_h_s, .fcvt_h_d, .fcvt_s_h, .fcvt_d_h,
    ]

    /// SplitMix64: the same draws on every run.
    struct Draws {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: UInt64) -> UInt64 { next() % n }
    }

    static let specialHalves: [UInt16] = [
        0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x0401, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x7c00,
        0xfc00, 0x7e00, 0x7c01, 0xfe01, 0x3555, 0x0200,
    ]

    /// A half: special, random bits, or a given exponent with random fraction.
    static func half(_ r: inout Draws, exponent: UInt64? = nil) -> UInt16 {
        if let exponent {
            return UInt16(r.below(2)) << 15 | UInt16(min(exponent, 30)) << 10 | UInt16(r.below(1024))
        }
        if r.below(6) == 0 { return specialHalves[Int(r.below(UInt64(specialHalves.count)))] }
        return UInt16(truncatingIfNeeded: r.next())
    }

    static func boxed(_ h: UInt16, _ r: inout Draws) -> UInt64 {
        r.below(40) == 0 ? 0x0000_ffff_ffff_0000 | UInt64(h) : HalfBox.box(h)
    }

    /// Operands (rs1, rs2) for `op`, in the bits the f registers hold.
    static func operands(_ op: Opcode, _ r: inout Draws) -> (UInt64, UInt64) {
        switch op {
        case .fcvt_h_s:
            // Exponents around binary16's range, fractions at and next to the narrowing's ties.
            let e = 127 - 32 + r.below(52)
            let low: [UInt64] = [0x1000, 0x0fff, 0x1001, 0, 0x1fff, r.below(0x2000)]
            var bits = r.below(2) << 31 | e << 23 | (r.below(1 << 10) << 13) | low[Int(r.below(6))]
            if r.below(10) == 0 { bits = r.next() & 0xffff_ffff } // anything, NaNs and subnormals too
            return (r.below(40) == 0 ? bits : 0xffff_ffff_0000_0000 | bits, 0)
        case .fcvt_h_d:
            // As for singles, and bits below single precision alone (a tie at single precision
            // that is no tie), which rounding to odd must keep; the in-line range's edges.
            let e = 1023 - 33 + r.below(54)
            let tie: UInt64 = 1 << 41
            let low: [UInt64] = [tie, tie - 1, tie + 1, 0, tie | 1 << 28, tie - (1 << 29), (1 << 42) - 1, r.below(1 << 42)]
            var bits = r.below(2) << 63 | e << 52 | (r.below(1 << 10) << 42) | low[Int(r.below(UInt64(low.count)))]
            switch r.below(12) {
            case 0: bits = r.next()
            case 1: bits = r.below(2) << 63 | r.below(1 << 52) // zero or subnormal
            case 2: bits = r.below(2) << 63 | 0x7ff0_0000_0000_0000 | (r.below(2) == 0 ? 0 : r.below(1 << 52))
            default: break
            }
            return (bits, 0)
        default:
            let a = half(&r)
            var b: UInt16
            switch r.below(4) {
            case 0: b = (a ^ UInt16(r.below(8))) ^ (r.below(2) == 0 ? 0x8000 : 0) // cancellation, ties
            case 1:
                // Exponents whose product or quotient lands near 2^−14 or 2^15.
                let ea = UInt64(a >> 10 & 0x1f)
                let target: UInt64 = [1, 15, 29, 30, 0][Int(r.below(5))]
                b = half(&r, exponent: op == .fdiv_h ? (ea + 15 > target ? ea + 15 - target : 0) : (target + 15 > ea ? target + 15 - ea : 0))
            default: b = half(&r)
            }
            return (boxed(a, &r), boxed(b, &r))
        }
    }

    /// Per operand set: fld, op into a cached (f10 / a0) or uncached (f20 / s4) register, the result
    /// over the first operand, fflags (read and cleared) over the second.
    static func program(_ op: Opcode, rm: UInt16, frm: UInt32, seed: UInt64) -> Program {
        var r = Draws(state: seed)
        var data: [UInt64] = [], code: [UInt32] = []
        let integerResult = [.feq_h, .flt_h, .fle_h, .fclass_h].contains(op)
        let rounds = op.info.flags.contains(.roundingMode)
        for k in 0..<512 {
            let (a, b) = operands(op, &r)
            data += [a, b]
            let rd = k % 2 == 0 ? 10 : 20
            code += [RV.i(.fld, 1, 30, 0), RV.i(.fld, 2, 30, 8)]
            code.append(rounds ? rv(op, rd: rd, rs1: 1, rs2: 2, rm: rm) : rv(op, rd: rd, rs1: 1, rs2: 2))
            code.append(integerResult ? RV.s(.sd, rd, 30, 0) : RV.s(.fsd, rd, 30, 0))
            code += [RV.csr(.csrrw, 5, 1, 0), RV.s(.sd, 5, 30, 8), RV.i(.addi, 30, 30, 16)]
        }
        return Program(code: code + RV.exit, data: data, codePages: 8) { s in
            s.setX(30, Layout.data)
            s.frm = frm
        }
    }

    @Test(arguments: opcodes)
    func againstInterpreter(_ op: Opcode) {
        let rounds = op.info.flags.contains(.roundingMode)
        let modes: [(UInt16, UInt32)] = rounds ? [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (7, 0), (7, 1), (7, 2), (7, 3), (7, 4)] : [(7, 0)]
        var baseline = JITOptions(cacheSize: 1 << 22)
        baseline.hostFeatures = .baseline
        for (n, (rm, frm)) in modes.enumerated() {
            let program = Self.program(op, rm: rm, frm: frm, seed: UInt64(op.rawValue) << 8 | UInt64(n))
            let reference = program.run(Interpreter(), maxInstructions: 10_000)
            for (name, options) in [("host", JITOptions(cacheSize: 1 << 22)), ("baseline", baseline)] {
                let outcome = program.run(JIT(options: options), maxInstructions: 10_000)
                #expect(outcome.x == reference.x && outcome.exceptions == reference.exceptions, "\(op) rm \(rm) frm \(frm) \(name)")
                guard outcome.data != reference.data else { continue }
                // The first operand set that differs, with what went in.
                for k in 0..<512 {
                    let at = 16 * k
                    let got = outcome.data[at..<at + 16], want = reference.data[at..<at + 16]
                    if got != want {
                        let inputs = Self.program(op, rm: rm, frm: frm, seed: UInt64(op.rawValue) << 8 | UInt64(n)).data
                        Issue.record("\(op) rm \(rm) frm \(frm) \(name): operands \(hex(inputs[2 * k])) \(hex(inputs[2 * k + 1])): jit \(hex(got)) interpreter \(hex(want))")
                        break
                    }
                }
            }
        }
    }

    func hex(_ v: UInt64) -> String { String(v, radix: 16) }
    func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let words = stride(from: bytes.startIndex, to: bytes.endIndex, by: 8).map { i in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) }
        }
        return words.map { String($0, radix: 16) }.joined(separator: " / ")
    }

    /// The narrowing and the arithmetic are inline with F16C: no `FloatUnit` call on the way
    /// through, and no MXCSR switch (fcvt.h.s with a static rm rounds by vcvtps2ph's immediate).
    @Test func inlineWithF16C() throws {
        guard CPUFeatures.host.f16c else { return }
        let code = [rv(.fadd_h, rd: 1, rs1: 2, rs2: 3), rv(.fcvt_h_d, rd: 4, rs1: 5), rv(.fcvt_h_s, rd: 6, rs1: 7, rm: 1),
                    rv(.fsqrt_h, rd: 8, rs1: 1), rv(.fle_h, rd: 10, rs1: 1, rs2: 2), rv(.fsgnjx_h, rd: 9, rs1: 1, rs2: 2),
                    rv(.fclass_h, rd: 11, rs1: 9)]
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        // Out-of-line fallbacks (which fold flags with stmxcsr) follow the block's main line.
        let last = try #require(text.lastIndex { $0.hasPrefix("vcvtps2ph") })
        #expect(text.filter { $0.hasPrefix("vcvtps2ph") }.count == 4, "\(text)")
        #expect(!text[...last].contains { $0.contains("mxcsr") || $0.hasPrefix("call") }, "\(text)")
    }
}
