import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// F/D lowerings that cannot raise the flags MXCSR would give them leave MXCSR alone: exact
/// conversions, conversions under a static mode of values that fit, fclass.
@Suite struct FloatExactTests {
    static func d(_ v: Double) -> UInt64 { v.bitPattern }
    static func s(_ v: Float) -> UInt64 { 0xffff_ffff_0000_0000 | UInt64(v.bitPattern) }

    func hostText(_ code: [UInt32]) throws -> [String] {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    /// fcvt.d.w and fcvt.d.wu as binutils encodes them (rne) and fclass.d: no MXCSR access and
    /// no helper call (only the cold budget exit is a `call`) anywhere in their block.
    @Test func exactConversionsAndClassifyTouchNoMXCSR() throws {
        let text = try hostText([rv(.fcvt_d_w, rd: 1, rs1: 10, rm: 0), rv(.fcvt_d_wu, rd: 2, rs1: 11, rm: 0),
                                 rv(.fcvt_d_w, rd: 3, rs1: 5, rm: 3), rv(.fclass_d, rd: 12, rs1: 1)])
        #expect(text.contains { $0.hasPrefix("cvtsi2sd") })
        #expect(!text.contains { $0.contains("mxcsr") }, "\(text)")
        #expect(text.filter { $0.hasPrefix("call") }.count == 1, "\(text)")
    }

    /// Static-mode conversions both ways, on values that convert exactly and on ones that round.
    @Test func staticModeConversions() {
        let ints: [UInt64] = [0, 1, 0xffff_ffff_ffff_ffff, 1 << 53, (1 << 53) + 1, UInt64(bitPattern: -(1 << 53) - 1),
                              (1 << 24) + 1, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0x8000_0001, 0xffff_ffff]
        for rm: UInt16 in [0, 1, 2, 3, 4, 7] {
            for (k, v) in ints.enumerated() {
                for op: Opcode in [.fcvt_d_l, .fcvt_s_l, .fcvt_d_w, .fcvt_s_w, .fcvt_d_wu, .fcvt_s_wu, .fcvt_d_lu] {
                    _ = runBoth([rv(op, rd: 1 + k % 20, rs1: 10, rm: rm), rv(op, rd: 21, rs1: 5, rm: rm)],
                                x: [10: v, 5: v])
                }
            }
        }
        let floats: [UInt64] = [Self.d(2.5), Self.d(-2.5), Self.d(-0.3), Self.d(0.7), Self.d(-0.7), Self.d(3),
                                Self.d(0x1p62), Self.d(-0x1p63), Self.d(0x1p63), Self.d(4294967295.5), Self.d(-2147483648.5),
                                Self.d(.infinity), Self.d(.nan), 0x7ff0_0000_0000_0001, Self.d(1e-310),
                                Self.s(2.5), Self.s(-0.5), Self.s(0x1p40), 0x0000_0000_4020_0000]
        for rm: UInt16 in [0, 1, 2, 3, 4, 7] {
            for v in floats {
                for op: Opcode in [.fcvt_l_d, .fcvt_w_d, .fcvt_lu_d, .fcvt_wu_d, .fcvt_l_s, .fcvt_w_s, .fcvt_lu_s, .fcvt_wu_s] {
                    _ = runBoth([rv(op, rd: 10, rs1: 1, rm: rm), rv(op, rd: 5, rs1: 8, rm: rm)], f: [1: v, 8: v])
                }
            }
        }
    }

    /// fclass of every class, both precisions, cached and uncached, and an unboxed single.
    @Test func classifyEveryClass() {
        let doubles: [Double] = [-.infinity, -1.5, -.leastNonzeroMagnitude, -0.0, 0.0, .leastNonzeroMagnitude, 1e300,
                                 .infinity, .greatestFiniteMagnitude, -.leastNormalMagnitude]
        let singles: [Float] = [-.infinity, -1.5, -.leastNonzeroMagnitude, -0.0, 0.0, .leastNonzeroMagnitude, 1e30,
                                .infinity, .greatestFiniteMagnitude, -.leastNormalMagnitude]
        var values = doubles.map(Self.d) + [0x7ff0_0000_0000_0001, 0x7ff8_0000_0000_0000, 0xfff4_0000_0000_0000, 0xfff8_0000_0000_0001]
        values += singles.map(Self.s) + [0xffff_ffff_7f80_0001, 0xffff_ffff_7fc0_0000, 0xffff_ffff_ff80_0001, 0x0000_0000_3f80_0000]
        for v in values {
            let r = runBoth([rv(.fclass_d, rd: 10, rs1: 1), rv(.fclass_d, rd: 5, rs1: 2),
                             rv(.fclass_s, rd: 11, rs1: 1), rv(.fclass_s, rd: 6, rs1: 2)], f: [1: v, 2: v])
            #expect(r.x[10] == r.x[5] && r.x[11] == r.x[6] && r.x[10].nonzeroBitCount == 1)
        }
    }
}
