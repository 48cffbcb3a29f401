import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// One instruction word from its decoded form (rm 7 = dynamic).
func rv(_ op: Opcode, rd: Int = 0, rs1: Int = 0, rs2: Int = 0, rs3: Int = 0, rm: UInt16 = 7) -> UInt32 {
    encode(Instruction(opcode: op, rd: UInt8(rd), rs1: UInt8(rs1), rs2: UInt8(rs2), rs3: UInt8(rs3), rm: rm))
}

/// What a floating-point test looks at after a run.
struct FloatState: Equatable {
    var x: [UInt64]
    var f: [UInt64]
    var fflags: UInt32
    var exceptions: [GuestTrap]
}

/// Runs `code` (then exit) from the given f/x registers and fflags 0 under the interpreter and the
/// JIT, expects the same final state from both and returns it.
func runBoth(_ code: [UInt32], f: [Int: UInt64] = [:], x: [Int: UInt64] = [:], frm: UInt32 = 0,
             data: [UInt64] = [], sourceLocation: SourceLocation = #_sourceLocation) -> FloatState {
    let program = Program(code: code + RV.exit, data: data) { s in
        for (k, v) in f { s.setF(k, v) }
        for (k, v) in x { s.setX(k, v) }
        s.frm = frm
    }
    func run(_ engine: Engine) -> FloatState {
        let (hart, environment) = program.makeHart()
        _ = engine.run(hart, maxInstructions: 1000)
        return FloatState(x: hart.state.xRegisters, f: hart.state.fRegisters, fflags: hart.state.fflags,
                          exceptions: environment.exceptions)
    }
    let reference = run(Interpreter())
    let translated = run(smallJIT())
    #expect(translated == reference, sourceLocation: sourceLocation)
    return reference
}

fileprivate let canonicalD: UInt64 = 0x7ff8_0000_0000_0000
fileprivate let canonicalS: UInt64 = 0xffff_ffff_7fc0_0000
fileprivate func d(_ v: Double) -> UInt64 { v.bitPattern }
fileprivate func s(_ v: Float) -> UInt64 { 0xffff_ffff_0000_0000 | UInt64(v.bitPattern) }
fileprivate let NV: UInt32 = 0x10, DZ: UInt32 = 0x08, OF: UInt32 = 0x04, UF: UInt32 = 0x02, NX: UInt32 = 0x01

/// Directed cases for what x86 does differently, each against the value RISC-V specifies.
@Suite struct FloatInlineTests {
    @Test func nanResultsAreCanonical() {
        var r = runBoth([rv(.fdiv_d, rd: 3, rs1: 1, rs2: 1)], f: [1: d(0)])
        #expect(r.f[3] == canonicalD && r.fflags == NV)
        r = runBoth([rv(.fsub_d, rd: 3, rs1: 1, rs2: 1)], f: [1: d(.infinity)])
        #expect(r.f[3] == canonicalD && r.fflags == NV)
        // x86 would propagate the payload (and its sign).
        r = runBoth([rv(.fadd_d, rd: 3, rs1: 1, rs2: 2)], f: [1: 0xfff8_0000_0000_0123, 2: d(1)])
        #expect(r.f[3] == canonicalD && r.fflags == 0)
        r = runBoth([rv(.fmul_s, rd: 3, rs1: 1, rs2: 2)], f: [1: 0xffff_ffff_7f80_0001, 2: s(2)])
        #expect(r.f[3] == canonicalS && r.fflags == NV)
        // fma(∞, 0, qNaN): invalid on RISC-V, quiet on x86.
        r = runBoth([rv(.fmadd_d, rd: 4, rs1: 1, rs2: 2, rs3: 3)], f: [1: d(.infinity), 2: d(0), 3: canonicalD])
        #expect(r.f[4] == canonicalD && r.fflags == NV)
    }

    @Test func singlesMustBeNaNBoxed() {
        // An operand without all-ones upper bits reads as the canonical NaN.
        let r = runBoth([rv(.fadd_s, rd: 3, rs1: 1, rs2: 2), rv(.fsgnj_s, rd: 4, rs1: 1, rs2: 2),
                         rv(.fcvt_d_s, rd: 5, rs1: 1, rm: 0), rv(.fmv_x_w, rd: 10, rs1: 1)],
                        f: [1: 0x0000_0000_3f80_0000, 2: s(-1)])
        #expect(r.f[3] == canonicalS && r.f[4] == 0xffff_ffff_ffc0_0000 && r.f[5] == canonicalD)
        #expect(r.x[10] == 0x3f80_0000 && r.fflags == 0) // fmv.x.w does not check the box
    }

    @Test func minMaxAndComparisons() {
        var r = runBoth([rv(.fmin_d, rd: 3, rs1: 1, rs2: 2), rv(.fmax_d, rd: 4, rs1: 1, rs2: 2),
                         rv(.fmin_d, rd: 5, rs1: 2, rs2: 1), rv(.fmax_d, rd: 6, rs1: 2, rs2: 1)],
                        f: [1: d(-0.0), 2: d(0)])
        #expect(r.f[3] == d(-0.0) && r.f[4] == d(0) && r.f[5] == d(-0.0) && r.f[6] == d(0) && r.fflags == 0)
        r = runBoth([rv(.fmin_d, rd: 3, rs1: 1, rs2: 2), rv(.fmax_s, rd: 4, rs1: 5, rs2: 6)],
                    f: [1: canonicalD, 2: d(7), 5: s(3), 6: canonicalS])
        #expect(r.f[3] == d(7) && r.f[4] == s(3) && r.fflags == 0)
        r = runBoth([rv(.fmin_d, rd: 3, rs1: 1, rs2: 2)], f: [1: 0x7ff0_0000_0000_0001, 2: d(7)])
        #expect(r.f[3] == d(7) && r.fflags == NV)
        // feq is quiet for a quiet NaN; flt and fle signal.
        r = runBoth([rv(.feq_d, rd: 10, rs1: 1, rs2: 2), rv(.feq_d, rd: 11, rs1: 3, rs2: 3)],
                    f: [1: canonicalD, 2: d(1), 3: d(-0.0)])
        #expect(r.x[10] == 0 && r.x[11] == 1 && r.fflags == 0)
        r = runBoth([rv(.flt_d, rd: 10, rs1: 1, rs2: 2), rv(.fle_s, rd: 11, rs1: 3, rs2: 4), rv(.flt_s, rd: 12, rs1: 4, rs2: 3)],
                    f: [1: canonicalD, 2: d(1), 3: s(-0.0), 4: s(0)])
        #expect(r.x[10] == 0 && r.x[11] == 1 && r.x[12] == 0 && r.fflags == NV)
    }

    @Test func conversionsToIntegerSaturate() {
        let r = runBoth([rv(.fcvt_w_d, rd: 10, rs1: 1, rm: 1), rv(.fcvt_w_d, rd: 11, rs1: 2, rm: 1),
                         rv(.fcvt_l_d, rd: 12, rs1: 3, rm: 0), rv(.fcvt_wu_d, rd: 13, rs1: 4, rm: 1),
                         rv(.fcvt_lu_d, rd: 14, rs1: 5, rm: 0), rv(.fcvt_w_s, rd: 15, rs1: 6, rm: 0)],
                        f: [1: canonicalD, 2: d(-.infinity), 3: d(1e300), 4: d(-1), 5: d(0x1p63), 6: s(-0x1p40)])
        #expect(r.x[10] == 0x7fff_ffff && r.x[11] == 0xffff_ffff_8000_0000 && r.x[12] == UInt64(Int64.max))
        #expect(r.x[13] == 0 && r.x[14] == 1 << 63 && r.x[15] == 0xffff_ffff_8000_0000 && r.fflags == NV)
        let inexact = runBoth([rv(.fcvt_wu_d, rd: 10, rs1: 1, rm: 1), rv(.fcvt_w_d, rd: 11, rs1: 2, rm: 0),
                               rv(.fcvt_wu_s, rd: 12, rs1: 3, rm: 3)],
                              f: [1: d(-0.5), 2: d(-2.5), 3: s(0x1p31 + 256)])
        #expect(inexact.x[10] == 0 && inexact.x[11] == UInt64(bitPattern: -2) && inexact.x[12] == 0xffff_ffff_8000_0100)
        #expect(inexact.fflags == NX)
    }

    @Test func everyRoundingModeStaticAndDynamic() {
        let tiny = d(0x1p-60)
        var code: [UInt32] = (0...4).map { rv(.fadd_d, rd: 10 + $0, rs1: 1, rs2: 2, rm: UInt16($0)) }
        code += (0...4).map { rv(.fcvt_w_d, rd: 10 + $0, rs1: 3, rm: UInt16($0)) }
        for frm in 0...4 {
            let r = runBoth(code + [rv(.fadd_d, rd: 20, rs1: 1, rs2: 2), rv(.fcvt_w_d, rd: 5, rs1: 3)],
                            f: [1: d(1), 2: tiny, 3: d(-2.5)], frm: UInt32(frm))
            #expect(r.f[10] == d(1) && r.f[11] == d(1) && r.f[12] == d(1) && r.f[13] == d(1.0.nextUp) && r.f[14] == d(1))
            #expect(r.x[10...14].map { Int64(bitPattern: $0) } == [-2, -2, -3, -2, -3])
            #expect(r.f[20] == (frm == 3 ? d(1.0.nextUp) : d(1)))
            #expect(Int64(bitPattern: r.x[5]) == [-2, -2, -3, -2, -3][frm])
            #expect(r.fflags == NX)
        }
        // A reserved frm makes a dynamic instruction illegal.
        let r = runBoth([rv(.fadd_d, rd: 20, rs1: 1, rs2: 2)], f: [1: d(1), 2: tiny], frm: 5)
        #expect(r.exceptions.map(\.cause) == [.illegalInstruction])
    }

    /// Directed rounding leaves the host's own rounding (RNE) as it was.
    @Test func hostRoundingIsRestored() {
        _ = runBoth([rv(.fadd_d, rd: 10, rs1: 1, rs2: 2, rm: 3), rv(.fcvt_s_d, rd: 11, rs1: 1, rm: 2)],
                    f: [1: d(1), 2: d(0x1p-60)])
        let one = Double(Int(truncatingIfNeeded: RV.exit.count) - 1) // 1.0, not a constant to fold
        #expect(one + 0x1p-60 == one && one - 0x1p-60 == one)
    }

    @Test func conversionsFromInteger() {
        let r = runBoth([rv(.fcvt_d_lu, rd: 1, rs1: 10), rv(.fcvt_s_lu, rd: 2, rs1: 11), rv(.fcvt_d_wu, rd: 3, rs1: 12),
                         rv(.fcvt_d_w, rd: 4, rs1: 12), rv(.fcvt_s_l, rd: 5, rs1: 13, rm: 1)],
                        x: [10: UInt64.max, 11: 0x8000_0000_0000_0001, 12: 0xffff_ffff, 13: (1 << 24) + 1])
        #expect(r.f[1] == d(0x1p64) && r.f[2] == s(0x1p63) && r.f[3] == d(4294967295) && r.f[4] == d(-1))
        #expect(r.f[5] == s(0x1p24) && r.fflags == NX)
    }

    /// The fast paths are really inline SSE/FMA (not helper calls).
    @Test func hostCodeUsesSSE() throws {
        let code = [rv(.fadd_d, rd: 3, rs1: 1, rs2: 2), rv(.fmadd_d, rd: 4, rs1: 1, rs2: 2, rs3: 3),
                    rv(.fcvt_w_d, rd: 10, rs1: 4, rm: 1), rv(.fmin_d, rd: 5, rs1: 1, rs2: 2), rv(.fsqrt_s, rd: 6, rs1: 7)] + RV.exit
        let (hart, _) = Program(code: code).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        // With AVX (which FMA3 implies) arithmetic uses the three-operand forms. MXCSR is only
        // touched around the helper calls, in the shared float thunk the fallbacks call.
        let v = CPUFeatures.host.fma ? "v" : ""
        for mnemonic in [v + "addsd", "cvttsd2si", "minsd", v + "sqrtss"] + (CPUFeatures.host.fma ? ["vfmadd213sd"] : []) {
            #expect(text.contains { $0.hasPrefix(mnemonic) }, "\(mnemonic) missing")
        }
        #expect(!text.contains { $0.contains("mxcsr") }, "\(text)")
    }
}
