import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Double arithmetic into rd's cache register (`JITOptions.floatInPlace`, FloatInline+Rounded.swift):
/// an `fadd` onto one of its sources and an exact integer conversion copy nothing through xmm0;
/// a NaN result of add/sub/mul/div/sqrt is made canonical in place. The code
/// shapes, and every operand shape (rd a source or not, cached or not) over special values
/// (NaNs with payloads, signalling NaNs, infinities, zeros, values that overflow, underflow or
/// are inexact) under dynamic and static rounding, with the flags of each instruction, against
/// the interpreter with the option on and off.
@Suite struct FloatInPlaceTests {
    static func jit(_ inPlace: Bool) -> JIT {
        var o = JITOptions(cacheSize: 1 << 20)
        o.floatInPlace = inPlace
        return JIT(options: o)
    }

    static func movaps(_ code: [UInt32], inPlace: Bool) throws -> Int {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(jit(inPlace).listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
            .prefix { !$0.hasPrefix("jmp") && !$0.hasPrefix("call") } // the main line
            .filter { $0.hasPrefix("movaps") }.count
    }

    @Test func codeShape() throws {
        guard CPUFeatures.host.fma else { return }
        // f13 and f14 are cached (xmm6, xmm5): an accumulation needs no copy.
        let accumulate = [rv(.fadd_d, rd: 13, rs1: 13, rs2: 14)]
        #expect(try Self.movaps(accumulate, inPlace: true) == 0)
        #expect(try Self.movaps(accumulate, inPlace: false) == 1)
        // Fused multiply-adds are left alone: a copy in, and one out.
        let fnmsub = [rv(.fnmsub_d, rd: 15, rs1: 13, rs2: 15, rs3: 12)]
        #expect(try Self.movaps(fnmsub, inPlace: true) == 2)
        let convert = [rv(.fcvt_d_w, rd: 15, rs1: 10, rm: 0)]
        #expect(try Self.movaps(convert, inPlace: true) == 0)
        #expect(try Self.movaps(convert, inPlace: false) == 1)
    }

    static let values: [UInt64] = [
        Double(1).bitPattern, Double(-2.5).bitPattern, (Double(1) / 3).bitPattern, 0, Double(-0.0).bitPattern,
        Double.infinity.bitPattern, (-Double.infinity).bitPattern, Double.greatestFiniteMagnitude.bitPattern,
        Double.leastNonzeroMagnitude.bitPattern, 0x7ff8_0000_0000_0000, 0x7ff8_0000_dead_beef, 0xfff8_0000_0000_0001,
        0x7ff0_0000_0000_0001, 0xfff4_0000_0000_0000, Double(-1).bitPattern, Double(3.0e-300).bitPattern,
    ]

    /// Each shape: (rd, rs1, rs2, rs3). Cached: 0, 1, 8–15, 18, 19; the others are not.
    static let shapes: [(Int, Int, Int, Int)] = [
        (15, 15, 14, 13), (12, 8, 12, 11), (9, 18, 10, 9), (19, 19, 19, 19), (0, 2, 3, 4), (1, 1, 5, 6),
        (14, 20, 21, 14), (7, 7, 22, 23), (24, 25, 24, 26), (10, 27, 28, 29), (11, 11, 30, 31),
    ]

    /// After each instruction its flags are hashed into x11 and cleared.
    static func program(_ op: Opcode, rm: UInt16, _ r: inout SeededRandom) -> Program {
        var code: [UInt32] = []
        for (rd, rs1, rs2, rs3) in shapes {
            switch op {
            case .fcvt_d_w, .fcvt_d_wu: code.append(rv(op, rd: rd, rs1: 5 + rs1 % 5, rm: rm))
            case .fsqrt_d: code.append(rv(op, rd: rd, rs1: rs1, rm: rm))
            case .fmadd_d, .fmsub_d, .fnmadd_d, .fnmsub_d: code.append(rv(op, rd: rd, rs1: rs1, rs2: rs2, rs3: rs3, rm: rm))
            default: code.append(rv(op, rd: rd, rs1: rs1, rs2: rs2, rm: rm))
            }
            code += [RV.csr(.csrrs, 10, 1, 0), RV.r(.mul, 11, 11, 12), RV.r(.add, 11, 11, 10), RV.csr(.csrrw, 0, 1, 0)]
        }
        let f = (0..<32).map { _ in r.pick(values) }
        let x: [UInt64] = [0, 1, 0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 12345, 0xffff_ffff_8000_0000]
        let xs = (5..<10).map { _ in r.pick(x) }
        return Program(code: code + RV.exit) { s in
            for (k, v) in f.enumerated() { s.setF(k, v) }
            for (k, v) in xs.enumerated() { s.setX(5 + k, v) }
            s.setX(12, 0x9e37_79b9_7f4a_7c15)
        }
    }

    struct State: Equatable {
        var x: [UInt64]
        var f: [UInt64]
        var fflags: UInt32
    }

    static func run(_ program: Program, _ engine: Engine) -> State {
        let (hart, _) = program.makeHart()
        _ = engine.run(hart, maxInstructions: 10_000)
        return State(x: hart.state.xRegisters, f: hart.state.fRegisters, fflags: hart.state.fflags)
    }

    static let ops: [Opcode] = [.fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d, .fmadd_d, .fmsub_d, .fnmadd_d, .fnmsub_d,
                                .fcvt_d_w, .fcvt_d_wu]

    @Test(arguments: ops) func againstInterpreter(_ op: Opcode) {
        var r = SeededRandom(seed: 0xf1_0a7 &+ UInt64(Self.ops.firstIndex(of: op) ?? 0))
        for rm: UInt16 in [7, 0, 1, 2, 3, 4] {
            for _ in 0..<12 {
                let p = Self.program(op, rm: rm, &r)
                let reference = Self.run(p, Interpreter())
                for inPlace in [true, false] {
                    #expect(Self.run(p, Self.jit(inPlace)) == reference, "\(op) rm \(rm) in place \(inPlace)")
                }
            }
        }
    }
}
