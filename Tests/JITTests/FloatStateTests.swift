import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// The guest MXCSR kept while translated code runs and the f registers cached in xmm registers:
/// flags that stay pending across blocks, helper calls, system calls and faults; rounding modes
/// written inside and outside blocks; NaN boxing in cached registers. Every case runs under the
/// interpreter and the JIT and compares all registers, fflags and exceptions (`runBoth`).
/// (`TRAPEZE_JIT_BASELINE=1 swift test --filter JITTests` runs the same without FMA3.)
@Suite struct FloatStateTests {
    static let NV: UInt32 = 0x10, DZ: UInt32 = 0x08, OF: UInt32 = 0x04, UF: UInt32 = 0x02, NX: UInt32 = 0x01
    static func d(_ v: Double) -> UInt64 { v.bitPattern }
    static func s(_ v: Float) -> UInt64 { 0xffff_ffff_0000_0000 | UInt64(v.bitPattern) }

    /// A CSR instruction (csrrw/csrrs/csrrc with a register, the -i forms with an immediate in rs1).
    static func csr(_ op: Opcode, _ number: Int, rd: Int = 0, rs1: Int = 0) -> UInt32 {
        encode(Instruction(opcode: op, rd: UInt8(rd), rs1: UInt8(rs1), csr: UInt16(number)))
    }
    static func mem(_ op: Opcode, _ r: Int, _ base: Int, _ offset: Int) -> UInt32 {
        let store = op == .fsd || op == .fsw
        return encode(Instruction(opcode: op, rd: store ? 0 : UInt8(r), rs1: UInt8(base), rs2: store ? UInt8(r) : 0,
                                  imm: Int64(offset)))
    }
    static let fflags = 1, frm = 2, fcsr = 3
    /// Registers cached in xmm registers (fa5, fa4, fa3, fs0) and ones that are not (f2, f20).
    static let cached = [15, 14, 13, 8], uncached = [2, 20]

    /// Flags raised in one block stay pending in MXCSR through chained jumps and a loop, and
    /// are all there when a later block reads fflags or fcsr.
    @Test func flagsAccrueAcrossChainedBlocks() {
        let code: [UInt32] = [
            rv(.fdiv_d, rd: 15, rs1: 14, rs2: 2),       // 1/0: DZ
            RV.jal(0, 8),                                // next block
            RV.ecall,                                    // (skipped)
            rv(.fadd_d, rd: 13, rs1: 14, rs2: 20),      // 1 + 2^-60: NX (loop body, 3 times)
            RV.addi(5, 5, -1),
            RV.bne(5, 0, -8),
            RV.jal(0, 8),
            RV.ecall,
            RV.csrr(10, Self.fflags), RV.csrr(11, Self.fcsr),
        ]
        let r = runBoth(code, f: [14: Self.d(1), 2: Self.d(0), 20: Self.d(0x1p-60)], x: [5: 3])
        #expect(r.x[10] == UInt64(Self.DZ | Self.NX) && r.x[11] == UInt64(Self.DZ | Self.NX))
        #expect(r.f[15] == Self.d(.infinity) && r.fflags == Self.DZ | Self.NX)
    }

    /// fsrm / fsrmi to every valid mode, each followed by dynamic-rm arithmetic and conversions
    /// in the same block and in the next one.
    @Test func writingFRMChangesTheRounding() {
        for mode in 0...4 {
            let code: [UInt32] = [
                Self.csr(.csrrwi, Self.frm, rs1: mode),
                rv(.fadd_d, rd: 15, rs1: 14, rs2: 20),  // 1 + 2^-60
                rv(.fsub_d, rd: 8, rs1: 2, rs2: 20),    // -1 - 2^-60
                rv(.fmadd_d, rd: 13, rs1: 14, rs2: 14, rs3: 20),
                rv(.fcvt_w_d, rd: 10, rs1: 3),          // -2.5
                rv(.fcvt_s_d, rd: 1, rs1: 15),
                RV.jal(0, 4),
                rv(.fadd_d, rd: 21, rs1: 14, rs2: 20),
                rv(.fcvt_l_d, rd: 11, rs1: 3),
                RV.csrr(12, Self.fcsr),
            ]
            let r = runBoth(code, f: [14: Self.d(1), 2: Self.d(-1), 20: Self.d(0x1p-60), 3: Self.d(-2.5)])
            #expect(Int64(bitPattern: r.x[10]) == [-2, -2, -3, -2, -3][mode])
            #expect(r.x[12] == UInt64(mode << 5) | UInt64(Self.NX))
        }
        // A register write of fcsr sets the mode and the flags at once.
        let r = runBoth([RV.addi(5, 0, 3 << 5 | 0x10), Self.csr(.csrrw, Self.fcsr, rd: 6, rs1: 5),
                         rv(.fadd_d, rd: 15, rs1: 14, rs2: 20), RV.csrr(10, Self.fcsr)],
                        f: [14: Self.d(1), 20: Self.d(0x1p-60)])
        #expect(r.f[15] == Self.d(1.0.nextUp) && r.x[10] == UInt64(3 << 5 | 0x11))
    }

    /// frm = RMM (no x86 mode) and the reserved values, set before the run and inside a block:
    /// every dynamic-rm instruction of the block still follows it (RMM) or is illegal (5–7),
    /// including the ones after the first.
    @Test func frmWithoutAnX86Mode() {
        let ops: [UInt32] = [
            rv(.fadd_d, rd: 15, rs1: 14, rs2: 20), rv(.fmul_d, rd: 13, rs1: 15, rs2: 3),
            rv(.fcvt_w_d, rd: 10, rs1: 3), rv(.fadd_d, rd: 2, rs1: 3, rs2: 14),
            rv(.fadd_d, rd: 8, rs1: 14, rs2: 20, rm: 0), // static: unaffected
        ]
        let f = [14: Self.d(1), 20: Self.d(0x1p-60), 3: Self.d(2.5)]
        for frm: UInt32 in [4, 5, 7] {
            let r = runBoth(ops, f: f, frm: frm)
            if frm == 4 {
                #expect(r.x[10] == 3 && r.exceptions.isEmpty)
            } else {
                #expect(r.exceptions.map(\.cause) == [.illegalInstruction])
            }
        }
        // Switched inside a block, after an instruction has run under RNE, and back.
        let r = runBoth([rv(.fadd_d, rd: 15, rs1: 14, rs2: 20), Self.csr(.csrrwi, Self.frm, rs1: 4)] + ops
                        + [Self.csr(.csrrwi, Self.frm, rs1: 0), rv(.fcvt_w_d, rd: 11, rs1: 3)], f: f)
        #expect(r.x[10] == 3 && r.x[11] == 2)
        let illegal = runBoth([rv(.fadd_d, rd: 15, rs1: 14, rs2: 20), Self.csr(.csrrwi, Self.frm, rs1: 6),
                               rv(.fmul_d, rd: 13, rs1: 15, rs2: 3)], f: f)
        #expect(illegal.exceptions.map(\.cause) == [.illegalInstruction] && illegal.fflags == Self.NX)
    }

    /// User mode runs translated code only while frm is 0–3 (`FRMInvariant`): a block of
    /// dynamic-rm arithmetic carries no frm check, and a loop that switches frm between RNE and
    /// RMM or a reserved value on alternate iterations (leaving its block after the write, then
    /// running interpreted until frm is 0–3 again) matches the interpreter, also stopped at
    /// every instruction limit.
    @Test func frmInvariantInUserMode() throws {
        let arithmetic = [rv(.fadd_d, rd: 15, rs1: 14, rs2: 20), rv(.fmadd_d, rd: 13, rs1: 14, rs2: 14, rs3: 20)]
        let (hart, _) = Program(code: arithmetic + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        let frm = "rbx + 0x\(String(StateOffset.frm, radix: 16))]"
        #expect(text.contains { $0.hasPrefix("vfmadd") } && !text.contains { $0.contains(frm) }, "\(text)")
        for other in [4, 6] {
            let code: [UInt32] = [
                RV.addi(5, 0, 6),                           // 0: t0 = 6 iterations
                RV.addi(7, 0, 0),                           // 4: t2 = 0
                Self.csr(.csrrw, Self.frm, rs1: 7),         // 8: loop: frm = t2
                rv(.fadd_d, rd: 15, rs1: 14, rs2: 20),      // 12: 1 + 2^-60
                rv(.fcvt_w_d, rd: 28, rs1: 3),              // 16: 2.5 -> 2 (RNE) or 3 (RMM)
                RV.r(.add, 10, 10, 28),                     // 20
                RV.i(.xori, 7, 7, other),                       // 24: alternate
                RV.addi(5, 5, -1),                          // 28
                RV.bne(5, 0, -24),                          // 32: to the loop
                Self.csr(.csrrwi, Self.frm, rs1: 0),        // 36
                rv(.fmv_x_d, rd: 11, rs1: 15),              // 40
            ] + RV.exit
            let program = Program(code: code) { s in
                s.setF(14, Self.d(1))
                s.setF(20, Self.d(0x1p-60))
                s.setF(3, Self.d(2.5))
            }
            let r = expectSameUnderBothEngines(program)
            if other == 4 {
                #expect(r.x[10] == 15 && r.exceptions.isEmpty)
            } else {
                #expect(r.exceptions.map(\.cause) == [.illegalInstruction] && r.x[10] == 2)
            }
            for limit in [3, 4, 5, 8, 12, 13, 20, 31] as [UInt64] {
                expectSameUnderBothEngines(program, maxInstructions: limit)
            }
        }
    }

    /// With frm = RMM every dynamic-rm instruction leaves its block after `FloatUnit` has done it:
    /// the retired-instruction count, pc and results still match the interpreter's, also under
    /// an instruction limit that ends the run inside such a block.
    @Test func rmmLeavesTheBlockWithExactCounts() {
        let code: [UInt32] = [
            RV.addi(5, 0, 3),
            rv(.fadd_d, rd: 15, rs1: 14, rs2: 20), rv(.fmul_d, rd: 13, rs1: 15, rs2: 3), RV.addi(6, 6, 1),
            rv(.fcvt_l_d, rd: 10, rs1: 3), rv(.fadd_d, rd: 2, rs1: 3, rs2: 14), RV.addi(5, 5, -1),
            RV.bne(5, 0, -24),
            rv(.fmv_x_d, rd: 11, rs1: 13), rv(.fmv_x_d, rd: 12, rs1: 2),
        ] + RV.exit
        let program = Program(code: code) { s in
            s.setF(14, Self.d(1))
            s.setF(20, Self.d(0x1p-60))
            s.setF(3, Self.d(2.5))
            s.frm = 4
        }
        let r = expectSameUnderBothEngines(program)
        #expect(r.x[10] == 3 && r.x[6] == 3)
        for limit in [3, 5, 9, 14] as [UInt64] { expectSameUnderBothEngines(program, maxInstructions: limit) }
    }

    /// Writing fflags drops the flags pending in MXCSR; setting and clearing bits keeps the rest.
    @Test func fflagsWrittenBetweenOperations() {
        let code: [UInt32] = [
            rv(.fdiv_d, rd: 15, rs1: 14, rs2: 2),               // DZ
            Self.csr(.csrrwi, Self.fflags, rd: 10, rs1: 0),     // read DZ, clear
            rv(.fadd_d, rd: 13, rs1: 14, rs2: 20),              // NX
            Self.csr(.csrrsi, Self.fflags, rd: 11, rs1: 0x10),  // read NX, set NV
            rv(.fdiv_d, rd: 8, rs1: 14, rs2: 2),                // DZ
            Self.csr(.csrrci, Self.fflags, rd: 12, rs1: 0x01),  // read NV|NX|DZ, clear NX
            rv(.fsqrt_d, rd: 21, rs1: 14),                      // exact: nothing
            RV.csrr(13, Self.fflags),
            Self.csr(.csrrw, Self.fcsr, rs1: 0),                // clears flags and frm
            rv(.fdiv_d, rd: 22, rs1: 14, rs2: 23),              // 1/3: NX
        ]
        let r = runBoth(code, f: [14: Self.d(1), 2: Self.d(0), 20: Self.d(0x1p-60), 23: Self.d(3)])
        #expect(r.x[10] == UInt64(Self.DZ) && r.x[11] == UInt64(Self.NX))
        #expect(r.x[12] == UInt64(Self.NV | Self.NX | Self.DZ) && r.x[13] == UInt64(Self.NV | Self.DZ))
        #expect(r.fflags == Self.NX)
    }

    /// The glibc idiom around a quiet comparison: frflags, the comparison, fsflags (which discards
    /// the old value, so no flags are folded before it), with flags pending before and after.
    @Test func savedFlagsRestoredWithoutTheComparisonsFlags() {
        for (a, b) in [(1.0, 2.0), (.nan, 2.0), (Double(bitPattern: 0x7ff0_0000_0000_0001), 1.0)] {
            let code: [UInt32] = [
                rv(.fdiv_d, rd: 15, rs1: 14, rs2: 23),              // 1/3: NX pending
                RV.csrr(5, Self.fflags),                            // frflags t0
                rv(.flt_d, rd: 10, rs1: 12, rs2: 13),               // NV for any NaN
                Self.csr(.csrrw, Self.fflags, rs1: 5),              // fsflags t0
                rv(.fdiv_d, rd: 8, rs1: 14, rs2: 2),                // DZ pending
                Self.csr(.csrrw, Self.fflags, rd: 11, rs1: 0),      // read and clear
                rv(.fdiv_d, rd: 9, rs1: 14, rs2: 2),                // DZ
                Self.csr(.csrrwi, Self.fflags, rs1: 0x10),          // replace with NV
                Self.csr(.csrrwi, Self.fcsr, rs1: 0x41),            // replace: RDN, NX
            ]
            let r = runBoth(code, f: [14: Self.d(1), 23: Self.d(3), 2: Self.d(0), 12: Self.d(a), 13: Self.d(b)])
            #expect(r.x[5] == UInt64(Self.NX) && r.x[11] == UInt64(Self.NX | Self.DZ) && r.fflags == Self.NX)
        }
    }

    /// Cached f registers and pending flags survive helper calls (fclass, a NaN result through
    /// FloatUnit, an LR/SC pair), a system call and a guest fault that ends the run.
    @Test func registersSurviveHelpersSystemCallsAndFaults() {
        var f: [Int: UInt64] = [:]
        for (k, r) in (Self.cached + Self.uncached).enumerated() { f[r] = Self.d(Double(k) + 0.5) }
        let work: [UInt32] = [
            rv(.fadd_d, rd: 15, rs1: 15, rs2: 14), rv(.fmul_d, rd: 13, rs1: 13, rs2: 8),
            rv(.fdiv_d, rd: 8, rs1: 8, rs2: 2),   // NX
        ]
        let helpers: [UInt32] = [
            rv(.fclass_d, rd: 10, rs1: 15),
            rv(.fsub_d, rd: 20, rs1: 21, rs2: 21), // ∞ − ∞: FloatUnit, NV
            RV.lrD(6, 31), RV.scD(7, 31, 6),
            RV.addi(17, 0, 64), RV.ecall,          // a system call (the test double answers it)
        ]
        let r = runBoth(work + helpers + work + [rv(.fadd_d, rd: 14, rs1: 15, rs2: 13), RV.csrr(11, Self.fflags)],
                        f: f.merging([21: Self.d(.infinity)]) { a, _ in a })
        #expect(r.x[11] == UInt64(Self.NV | Self.NX) && r.f[20] == 0x7ff8_0000_0000_0000)
        // A fault after FP work: the state at the fault has the cached registers and the flags.
        let faulting = runBoth(work + [RV.lui(5, Int(Layout.hole >> 12)), Self.mem(.fld, 14, 5, 0),
                                       rv(.fadd_d, rd: 15, rs1: 15, rs2: 15)], f: f)
        #expect(faulting.exceptions.map(\.cause) == [.loadAccessFault] && faulting.fflags == Self.NX)
        #expect(faulting.f[15] == Self.d(1.5 + 0.5))
    }

    /// Loads, stores and moves of cached registers: flw boxes, fld/fsd/fsw move bits unchanged,
    /// an unboxed single in a cached register reads as the canonical NaN.
    @Test func nanBoxingInCachedRegisters() {
        let unboxed: UInt64 = 0x1234_5678_3f80_0000
        let code: [UInt32] = [
            Self.mem(.flw, 15, 31, 0),              // boxed 1.0f
            Self.mem(.fld, 14, 31, 8),              // unboxed bits, as they are
            rv(.fadd_s, rd: 13, rs1: 15, rs2: 15),  // 2.0f
            rv(.fadd_s, rd: 8, rs1: 14, rs2: 15),   // canonical NaN (unboxed operand)
            rv(.fsgnjn_s, rd: 9, rs1: 15, rs2: 15), // −1.0f, boxed
            rv(.fsgnj_s, rd: 10, rs1: 14, rs2: 15), // canonical NaN with the sign of 1.0f
            rv(.fmv_x_w, rd: 10, rs1: 14),          // low bits, sign-extended, no check
            rv(.fmv_x_d, rd: 11, rs1: 15),
            RV.addi(5, 0, -1),
            rv(.fmv_w_x, rd: 12, rs1: 5),           // boxed 0xffffffff
            rv(.fcvt_s_d, rd: 11, rs1: 2),
            rv(.fcvt_d_s, rd: 0, rs1: 13),
            rv(.fmin_s, rd: 1, rs1: 13, rs2: 9), rv(.flt_s, rd: 12, rs1: 9, rs2: 13),
            rv(.fcvt_w_s, rd: 13, rs1: 13),
            Self.mem(.fsw, 13, 31, 16), Self.mem(.fsd, 14, 31, 24), Self.mem(.fsw, 14, 31, 32),
            RV.ld(6, 31, 16), RV.ld(7, 31, 24), RV.ld(28, 31, 32),
        ]
        let r = runBoth(code, f: [2: Self.d(0.1)], data: [UInt64(Float(1).bitPattern), unboxed, 0, 0, 0])
        #expect(r.f[15] == Self.s(1) && r.f[14] == unboxed && r.f[13] == Self.s(2))
        #expect(r.f[8] == 0xffff_ffff_7fc0_0000 && r.f[9] == Self.s(-1) && r.f[12] == 0xffff_ffff_ffff_ffff)
        #expect(r.x[10] == 0x3f80_0000 && r.x[11] == Self.s(1) && r.f[0] == Self.d(2) && r.f[1] == Self.s(-1))
        #expect(r.x[6] == UInt64(Float(2).bitPattern) && r.x[7] == unboxed && r.x[28] == 0x3f80_0000)
        #expect(r.x[12] == 1 && r.x[13] == 2 && r.fflags == Self.NX)
    }

    /// Static-rm instructions between dynamic ones: their mode does not leak into the next
    /// dynamic instruction, and the flags of all are kept.
    @Test func staticModesAroundDynamicOnes() {
        let code: [UInt32] = [
            rv(.fadd_d, rd: 15, rs1: 14, rs2: 20, rm: 3),   // RUP
            rv(.fadd_d, rd: 13, rs1: 14, rs2: 20),          // dynamic (frm = RDN)
            rv(.fcvt_wu_d, rd: 10, rs1: 2, rm: 2),          // −1.5 to unsigned: NV only
            rv(.fcvt_lu_d, rd: 11, rs1: 3),                 // 2.5 dynamic RDN → 2, NX
            rv(.fsub_d, rd: 8, rs1: 2, rs2: 20, rm: 0),     // RNE
            rv(.fsub_d, rd: 9, rs1: 2, rs2: 20),            // RDN
            rv(.fcvt_w_d, rd: 12, rs1: 4, rm: 0),           // 2^31: out of range, NV
            rv(.fcvt_l_d, rd: 13, rs1: 5),                  // −2^63 exactly: in range, no flags
            RV.csrr(14, Self.fflags),
        ]
        let r = runBoth(code, f: [14: Self.d(1), 20: Self.d(0x1p-60), 2: Self.d(-1.5), 3: Self.d(2.5),
                                  4: Self.d(0x1p31), 5: Self.d(-0x1p63)], frm: 2)
        #expect(r.f[15] == Self.d(1.0.nextUp) && r.f[13] == Self.d(1) && r.x[10] == 0 && r.x[11] == 2)
        #expect(r.f[8] == Self.d(-1.5) && r.f[9] == Self.d((-1.5).nextDown))
        #expect(r.x[12] == 0x7fff_ffff && r.x[13] == 1 << 63 && r.x[14] == UInt64(Self.NV | Self.NX))
    }

    /// The two instruction forms added for this (`movaps` and the AVX three-operand scalar
    /// arithmetic), for every register combination, read back by capstone.
    @Test func newEncodingsDisassemble() throws {
        let dis = try #require(X86Disassembler())
        let ops: [(ScalarOp, String)] = [(.add, "add"), (.sub, "sub"), (.mul, "mul"), (.div, "div"), (.sqrt, "sqrt"),
                                         (.min, "min"), (.max, "max")]
        for d in XMM.allCases {
            for s in XMM.allCases {
                var a = Assembler()
                a.movaps(d, s)
                #expect(dis.decode(a.bytes, address: 0).map(\.text) == ["movaps \(d), \(s)"])
                for t in [XMM.xmm0, .xmm7, .xmm8, .xmm15] {
                    for (op, name) in ops {
                        for (p, suffix) in [(Precision.double, "sd"), (.single, "ss")] {
                            var a = Assembler()
                            a.vscalar(op, p, d, s, t)
                            #expect(dis.decode(a.bytes, address: 0).map(\.text) == ["v\(name)\(suffix) \(d), \(s), \(t)"])
                        }
                    }
                }
            }
        }
    }

    /// An asynchronous event (a signal) delivered while an FP loop runs in chained translated
    /// code: the handler sees the f registers and flags of the iterations so far, and what it
    /// writes (f registers, frm, fflags, as a signal return would) is what the loop continues with.
    @Test func eventsSeeAndChangeFloatState() {
        final class Handler: Environment {
            var pending = 0
            var seen: [UInt64] = []
            var seenFlags: [UInt32] = []
            var eventPending: Bool { pending > 0 }
            func environmentCall(_ hart: Hart) -> Continuation { .stop(.exited(0)) }
            func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation { .stop(.exited(1)) }
            func deliverEvents(_ hart: Hart) -> Continuation {
                pending -= 1
                seen.append(hart.state.f(15))
                seenFlags.append(hart.state.fflags)
                hart.state.setF(14, FloatStateTests.d(2))
                hart.state.frm = 3
                hart.state.fflags = 0
                return .resume
            }
        }
        let code: [UInt32] = [rv(.fadd_d, rd: 15, rs1: 14, rs2: 13), RV.addi(5, 5, 1), RV.jal(0, -8)]
        let (hart, _) = Program(code: code) { s in
            s.setF(14, Self.d(1))
            s.setF(13, Self.d(0x1p-60))
        }.makeHart()
        let handler = Handler()
        hart.environment = handler
        let jit = JIT(options: JITOptions(cacheSize: 1 << 20, eventQuantum: 1000))
        _ = jit.run(hart, maxInstructions: 9_000) // iterations under RNE first
        handler.pending = 3
        let status = jit.run(hart, maxInstructions: 30_000)
        #expect(status == .instructionLimit && handler.pending == 0)
        // The first delivery sees the RNE iterations: 1 + 2^-60 rounds to 1, raising NX.
        #expect(handler.seen == [Self.d(1), Self.d(2.0.nextUp), Self.d(2.0.nextUp)])
        #expect(handler.seenFlags == [Self.NX, Self.NX, Self.NX])
        #expect(hart.state.f(15) == Self.d(2.0.nextUp) && hart.state.fflags == Self.NX && hart.state.frm == 3)
    }

    /// Float-to-integer conversions at the edges of each range, in every rounding mode (static and
    /// dynamic), for both precisions: the inline range checks and the INT_MIN test must send
    /// exactly the right cases to `FloatUnit`, with the flags RISC-V raises.
    @Test(arguments: [Opcode.fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d, .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s])
    func conversionEdges(op: Opcode) {
        let doubles: [Double] = [0, -0.0, -0.4, -0.5, -0.6, -1, 0.5, 1.5, 2.5, 4294967295, 4294967295.4, 4294967295.5,
                                 4294967296, 2147483647.5, 2147483648, -2147483648, -2147483648.5, -2147483649,
                                 0x1p63 - 1024, 0x1p63, 0x1p64 - 2048, 0x1p64, -0x1p63, -0x1p63 - 2048,
                                 .infinity, -.infinity, .nan, 0x1p-1074]
        let singles: [Float] = [0, -0.0, -0.4, -0.5, -0.6, -1, 0.5, 1.5, 2.5, 4294967040, 4294967296, 2147483520,
                                2147483648, -2147483648, -2147483904, 0x1p63 - 0x1p39, 0x1p63, 0x1p64 - 0x1p40, 0x1p64,
                                -0x1p63, .infinity, .nan, 0x1p-149]
        let single = op.info.mnemonic.hasSuffix(".s")
        let values = single ? singles.map { Self.s($0) } : doubles.map { Self.d($0) }
        for rm in [0, 1, 2, 3, 4, 7] as [UInt16] {
            // Four values per program, cached (f15, f14) and uncached (f2, f20) operands.
            for chunk in stride(from: 0, to: values.count, by: 4) {
                let group = Array(values[chunk..<min(chunk + 4, values.count)])
                let registers = [15, 2, 14, 20]
                var f: [Int: UInt64] = [:]
                var code: [UInt32] = []
                for (k, v) in group.enumerated() {
                    f[registers[k]] = v
                    code.append(rv(op, rd: 10 + k, rs1: registers[k], rm: rm))
                    code.append(RV.csrr(20 + k, Self.fflags))
                }
                _ = runBoth(code, f: f, frm: rm == 7 ? 2 : 0)
            }
        }
    }
}
