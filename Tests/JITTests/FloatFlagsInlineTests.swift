import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Inline fflags writes that keep MXCSR's pending flags (FloatInline+CSR.swift) and the
/// fmv/fabs/fneg forms of sign injection, against the interpreter; and the lowering of glibc's
/// quiet comparison (frflags; flt.d; fsflags) pinned: no ldmxcsr on its main line.
@Suite struct FloatFlagsInlineTests {
    static func d(_ v: Double) -> UInt64 { v.bitPattern }
    static func frflags(_ rd: Int) -> UInt32 { RV.csr(.csrrs, rd, 1, 0) }
    static func fsflags(_ rs: Int) -> UInt32 { RV.csr(.csrrw, 0, 1, rs) }

    @Test func quietComparisonHasNoLdmxcsr() throws {
        let code = [Self.frflags(11), rv(.flt_d, rd: 13, rs1: 15, rs2: 14), Self.fsflags(11)]
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        let compare = try #require(text.firstIndex { $0.hasPrefix("setb") })
        let rest = text[compare...].prefix { !$0.hasPrefix("jmp") && !$0.hasPrefix("call") }
        #expect(!rest.contains { $0.contains("mxcsr") }, "\(text)")
        #expect(text[..<compare].filter { $0.hasPrefix("stmxcsr") }.count == 1, "\(text)")
    }

    /// Sequences of flag raising, reading, restoring, setting and clearing; every fflags value
    /// read lands in an x register, and the final fflags is compared too.
    @Test func flagWritesAgainstInterpreter() {
        let f: [Int: UInt64] = [1: Self.d(1), 2: Self.d(3), 3: Self.d(0), 4: Self.d(.nan), 5: 0x7ff0_0000_0000_0001]
        let inexact = rv(.fdiv_d, rd: 6, rs1: 1, rs2: 2), divideByZero = rv(.fdiv_d, rd: 7, rs1: 1, rs2: 3)
        let exact = rv(.fadd_d, rd: 8, rs1: 1, rs2: 1)
        let sequences: [[UInt32]] = [
            // glibc's pattern after a raising operation, then more raising.
            [inexact, Self.frflags(10), rv(.flt_d, rd: 11, rs1: 1, rs2: 2), Self.fsflags(10), exact, Self.frflags(12)],
            // Restoring a value that lacks a flag raised since it was read.
            [Self.frflags(10), divideByZero, Self.fsflags(10), Self.frflags(12), exact, Self.frflags(13)],
            // Clearing a flag just read; replacing with zero; with everything.
            [inexact, Self.frflags(10), RV.csr(.csrrci, 0, 1, 1), Self.frflags(12), exact, Self.frflags(13)],
            [inexact, divideByZero, Self.frflags(10), Self.fsflags(0), Self.frflags(12), inexact, Self.frflags(13)],
            [Self.frflags(10), RV.i(.addi, 14, 0, 0x1f), Self.fsflags(14), exact, Self.frflags(12), Self.fsflags(0), Self.frflags(13)],
            // Setting bits (csrrs), a signalling-NaN comparison between read and restore.
            [inexact, Self.frflags(10), RV.csr(.csrrsi, 0, 1, 8), rv(.flt_d, rd: 11, rs1: 5, rs2: 1), Self.frflags(12),
             Self.fsflags(10), Self.frflags(13)],
            [Self.frflags(10), rv(.fle_d, rd: 11, rs1: 4, rs2: 1), Self.fsflags(10), Self.frflags(12), divideByZero, Self.frflags(13)],
            // fscsr and frm writes in between.
            [inexact, Self.frflags(10), RV.csr(.csrrwi, 0, 2, 1), Self.fsflags(10), inexact, Self.frflags(12),
             RV.csr(.csrrw, 13, 3, 0), Self.frflags(12)],
        ]
        for code in sequences {
            _ = runBoth(code, f: f)
        }
    }

    /// fsgnj/fsgnjn/fsgnjx of a register with itself (fmv, fneg, fabs), both precisions, cached
    /// and uncached source and destination, unboxed singles, NaNs, zeros.
    @Test func moveNegateAbsolute() {
        let values: [UInt64] = [Self.d(-2.5), Self.d(0), Self.d(-0.0), 0xfff8_0000_0000_0001, 0xffff_ffff_bf80_0000,
                                0xffff_ffff_0000_0000, 0xffff_ffff_8000_0000, 0x0000_0000_bf80_0000, 0xffff_ffff_ff80_0001]
        let ops: [Opcode] = [.fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fsgnj_s, .fsgnjn_s, .fsgnjx_s]
        for v in values {
            var code: [UInt32] = []
            for (k, op) in ops.enumerated() {
                for (rd, rs) in [(10, 11), (20, 11), (10, 21), (20, 21), (11, 11), (21, 21)] {
                    code += [rv(op, rd: rd, rs1: rs, rs2: rs), RV.encode(.fmv_x_d, rd: 5, rs1: rd),
                             RV.r(.xor, 6, 6, 5), RV.r(.mul, 6, 6, 7),
                             RV.encode(.fmv_d_x, rd: 11, rs1: 30), RV.encode(.fmv_d_x, rd: 21, rs1: 30)]
                }
                code += [RV.r(.add, 8 + k, 6, 0)]
            }
            let r = runBoth(code, f: [11: v, 21: v], x: [30: v, 7: 0x9e37_79b9_7f4a_7c15])
            #expect(r.x[6] != 0)
        }
    }
}
