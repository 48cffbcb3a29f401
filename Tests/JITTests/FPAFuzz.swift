#if canImport(Glibc)
import Glibc
#endif
import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// A seeded differential fuzzer over every F, D and A instruction: short random sequences of
/// them, with operands from edge-value pools, static and dynamic rounding modes (reserved ones
/// included), run from identical states under the interpreter and the JIT, which must agree on
/// every x and f register, fflags, frm, the reservation, memory, pc and exceptions, bit for bit.
///
/// `TRAPEZE_FPFUZZ_COUNT` sets the number of programs (default 3000), `TRAPEZE_FPFUZZ_SEED` the seed.
@Suite struct FPAFuzz {
    static var count: Int { environment("TRAPEZE_FPFUZZ_COUNT").flatMap { Int($0) } ?? 3000 }
    static var seed: UInt64 { environment("TRAPEZE_FPFUZZ_SEED").flatMap { UInt64($0) } ?? 0x5eed_f9a1 }

    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Every F/D (and Zfa) register-to-register instruction and every A instruction (plus, in the programs,
    /// Zicsr on the floating-point CSRs).
    static let opcodes: [Opcode] = Opcode.allCases.filter { op in
        let info = op.info
        return info.ext == .a || ([.f, .d, .zfa, .zfh, .zfhmin].contains(info.ext) && info.memory == nil)
    }

    @Test func fixedSeed() {
        var failures = 0
        var rng = SeededRandom(seed: Self.seed)
        let jit = smallJIT()
        for n in 0..<Self.count {
            let fuzzCase = FuzzCase.random(&rng)
            let reference = fuzzCase.run(Interpreter())
            jit.flush()
            let translated = fuzzCase.run(jit)
            if translated != reference {
                failures += 1
                if failures <= 10 {
                    Issue.record("case \(n) (seed \(Self.seed)):\n\(fuzzCase)\n\(translated.difference(from: reference))")
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(Self.count) programs diverged")
    }

    /// The opcode list really covers F, D and A (and nothing was filtered away by mistake).
    @Test func coversEveryInstruction() {
        // F, D (with fcvt.s.d and fcvt.d.s), A, Zfa (with its half forms), Zfh and Zfhmin.
        #expect(Self.opcodes.count == 28 + 30 + 22 + 15 + 7 + 32)
        #expect(Self.opcodes.contains(.fmadd_s) && Self.opcodes.contains(.fcvt_d_lu) && Self.opcodes.contains(.amomaxu_d))
        #expect(!Self.opcodes.contains(.flw) && !Self.opcodes.contains(.fsd))
    }
}

/// Edge values: signed zeros, infinities, quiet and signalling NaNs with payloads and either
/// sign, subnormals, normal extremes, 1 ± ulp, halfway cases, integer boundaries.
enum EdgePools {
    static let doubles: [UInt64] = {
        let d: [Double] = [0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 0.1, -0.1, 1.0 / 3, 2.0 / 3, 10, -7.75,
                           0x1p31, 0x1p31 - 1, 0x1p31 - 0.5, 0x1p31 + 0.5, -0x1p31, -0x1p31 - 1, -0x1p31 - 0.5, -0x1p31 + 0.5,
                           0x1p32, 0x1p32 - 1, 0x1p32 - 0.5, 0x1p32 + 1, 0x1p63, -0x1p63, 0x1p64, -0x1p64, 0x1p63 - 1024,
                           0x1p53, 0x1p53 + 2, 0x1p24 + 1, 1 + 0x1p-24, 1 + 0x1p-23 + 0x1p-24, 1 + 0x1p-25,
                           0x1p-126, 0x1p-149, 0x1.fffffep127, 0x1.ffffffp127, 0x1p128, 0x1p-127, 0x1.8p-150,
                           .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                           .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                           1.0.nextUp, 1.0.nextDown, -(1.0.nextUp), 0x1p-1022.nextDown, 0x1p1023]
        return d.map(\.bitPattern) + [
            0x8000_0000_0000_0000,                       // −0
            0x7ff8_0000_0000_0000, 0xfff8_0000_0000_0000, // canonical qNaN, negative qNaN
            0x7ff8_0000_0000_0123, 0x7fff_ffff_ffff_ffff, // qNaN payloads
            0x7ff0_0000_0000_0001, 0xfff4_0000_0000_0000, 0x7ff7_ffff_ffff_ffff, // sNaNs
            0x000f_ffff_ffff_ffff, 0x8000_0000_0000_0001,
        ]
    }()

    static let singles: [UInt32] = {
        let f: [Float] = [0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 0.1, -0.1, 1.0 / 3, 10, -7.75,
                          0x1p31, -0x1p31, 0x1p31 - 128, 0x1p32, 0x1p32 - 256, 0x1p63, -0x1p63, 0x1p64, 0x1p24, 0x1p24 + 2,
                          .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                          .greatestFiniteMagnitude, -.greatestFiniteMagnitude, Float(1).nextUp, Float(1).nextDown,
                          Float(0x1p-126).nextDown, 0x1p127, 0x1p-100]
        return f.map(\.bitPattern) + [
            0x8000_0000, 0x7fc0_0000, 0xffc0_0000, 0x7fc0_1234, 0x7fff_ffff, // −0, qNaNs
            0x7f80_0001, 0xffa0_0000, 0x7fbf_ffff,                           // sNaNs
            0x007f_ffff, 0x8000_0001,
        ]
    }()

    static let integers: [UInt64] = [
        0, 1, 2, 3, 7, 100, 0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_fffe,
        0x7fff_ffff, 0x8000_0000, 0xffff_ffff_8000_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001,
        0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0x8000_0000_0000_0001, 0xffff_ffff_ffff_ff00,
        1 << 53, 1 << 53 + 1, 1 << 24 + 1, 0x0020_0000_0000_0003, 0x1234_5678_9abc_def0,
        0xfedc_ba98_7654_3210, 0x0000_0000_00ff_ff01, 0x8000_0000_0000_0400, 0xffff_ffff_ffff_fc01,
    ]

    static func double(_ r: inout SeededRandom) -> UInt64 {
        switch r.below(8) {
        case 0: return r.next()
        case 1: return Double(Int64(bitPattern: r.next()) >> Int64(r.below(60))).bitPattern
        case 2: return (Double(r.below(2000)) / 8 - 125).bitPattern
        default: return r.pick(doubles)
        }
    }

    static func single(_ r: inout SeededRandom) -> UInt32 {
        switch r.below(8) {
        case 0: return UInt32(truncatingIfNeeded: r.next())
        case 1: return Float(Int64(bitPattern: r.next()) >> Int64(r.below(60))).bitPattern
        case 2: return (Float(r.below(2000)) / 8 - 125).bitPattern
        default: return r.pick(singles)
        }
    }

    static func integer(_ r: inout SeededRandom) -> UInt64 {
        switch r.below(6) {
        case 0: return r.next()
        case 1: return UInt64(bitPattern: Int64(bitPattern: r.next()) >> Int64(r.below(64)))
        default: return r.pick(integers)
        }
    }
}

/// One fuzz program: a few F/D/A instructions, then exit, from a given initial state.
struct FuzzCase: CustomStringConvertible {
    var instructions: [Instruction]
    var x: [UInt64]
    var f: [UInt64]
    var fflags: UInt32
    var frm: UInt32
    var reservation: UInt64
    var reservationValid: Bool
    var data: [UInt64]

    /// x registers operands come from: x0, cached (callee- and caller-saved) and uncached ones.
    static let xRegisters: [UInt8] = [0, 1, 2, 5, 6, 8, 10, 11, 12, 14, 15, 20, 28, 30]
    /// f registers likewise: ones the JIT caches in xmm registers (f0, f1, f8, f10, f13–f15) and
    /// ones it keeps in the state block.
    static let fRegisters: [UInt8] = [0, 1, 2, 3, 8, 10, 13, 14, 15, 20, 31]

    static func random(_ r: inout SeededRandom) -> FuzzCase {
        let length = r.chance(3) ? 1 + r.below(4) : 1
        let ops = (0..<length).map { _ in r.pick(FPAFuzz.opcodes) }
        var x = [UInt64](repeating: 0, count: 32)
        for k in 1..<32 { x[k] = EdgePools.integer(&r) }
        // f registers hold what the first instruction reads: boxed singles (a few unboxed) or doubles.
        let single = ops[0].info.mnemonic.hasSuffix(".s") || ops[0] == .fmv_x_w
        let half = ops[0].info.mnemonic.hasSuffix(".h") || ops[0] == .fmv_x_h
        var f = [UInt64](repeating: 0, count: 32)
        for k in 0..<32 {
            if half {
                // Halves: the top of a single from the pool (or any 16 bits), boxed (a few not).
                let h = r.chance(4) ? r.next() & 0xffff : UInt64(EdgePools.single(&r) >> 16)
                f[k] = r.chance(25) ? h | (r.next() << 16) : h | 0xffff_ffff_ffff_0000
            } else if single {
                let s = UInt64(EdgePools.single(&r))
                f[k] = r.chance(25) ? s | (r.next() << 32) : s | 0xffff_ffff_0000_0000
            } else {
                f[k] = EdgePools.double(&r)
            }
        }
        var instructions: [Instruction] = []
        var reservation = Layout.data &+ 8 &* UInt64(r.below(16))
        for op in ops {
            let info = op.info
            var i = Instruction(opcode: op)
            func reg(_ file: RegisterFile) -> UInt8 {
                switch file {
                case .f: r.pick(fRegisters)
                case .x: r.pick(xRegisters)
                case .none: 0
                }
            }
            i.rd = reg(info.rd)
            i.rs1 = reg(info.rs1)
            i.rs2 = reg(info.rs2)
            i.rs3 = reg(info.rs3)
            if op == .fli_s || op == .fli_d || op == .fli_h { i.rs1 = UInt8(r.below(32)) } // the constant's index
            if info.ext == .a {
                i.rm = UInt16(r.below(4)) // aq, rl
                if i.rs1 == 0 { i.rs1 = 30 }
                let width: UInt64 = info.memory?.width == 4 ? 4 : 8
                let address: UInt64
                switch r.below(20) {
                case 0: address = Layout.readOnly &+ width &* UInt64(r.below(8))
                case 1: address = Layout.hole &+ width &* UInt64(r.below(8))
                case 2: address = Layout.limit &+ width &* UInt64(r.below(8))
                case 3: address = Layout.data &+ 8 &* UInt64(r.below(16)) &+ UInt64(1 + r.below(Int(width) - 1))
                case 4: address = Layout.data &+ Layout.dataSize &- 4 // last word of the data pages
                default: address = Layout.data &+ width &* UInt64(r.below(32 / Int(width) * 2))
                }
                x[Int(i.rs1)] = address
                if r.chance(2) { reservation = address }
            } else if info.flags.contains(.roundingMode) {
                i.rm = r.chance(12) ? UInt16(5 + r.below(2)) : UInt16(r.pick([0, 1, 2, 3, 4, 7, 7, 7, 7]))
            }
            instructions.append(Instruction(opcode: op, rd: i.rd, rs1: i.rs1, rs2: i.rs2, rs3: i.rs3, rm: i.rm))
            // Now and then an access to fflags, frm or fcsr (inline too) between them.
            if r.chance(6) {
                let csr = r.pick([Opcode.csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci])
                let immediate = [.csrrwi, .csrrsi, .csrrci].contains(csr)
                instructions.append(Instruction(opcode: csr, rd: r.pick(xRegisters),
                                                rs1: immediate ? UInt8(r.below(32)) : r.pick(xRegisters),
                                                csr: UInt16(1 + r.below(3))))
            }
        }
        let data = (0..<Int(Layout.dataSize / 8)).map { k in k < 8 ? EdgePools.integer(&r) : UInt64(k) &* 0x0101_0101_0101_0101 }
        return FuzzCase(instructions: instructions, x: x, f: f, fflags: UInt32(r.below(32)),
                        frm: r.chance(10) ? UInt32(5 + r.below(3)) : UInt32(r.pick([0, 0, 0, 1, 2, 3, 4])),
                        reservation: reservation, reservationValid: r.chance(2), data: data)
    }

    var program: Program {
        Program(code: instructions.map { encode($0) } + RV.exit, data: data) { [self] s in
            for k in 1..<32 where k != Layout.dataRegister { s.setX(k, x[k]) }
            s.setX(Layout.dataRegister, x[Layout.dataRegister])
            for k in 0..<32 { s.setF(k, f[k]) }
            s.fflags = fflags
            s.frm = frm
            s.reservation = reservation
            s.reservationValid = reservationValid
        }
    }

    func run(_ engine: Engine) -> FuzzOutcome {
        let (hart, environment) = program.makeHart()
        let status = engine.run(hart, maxInstructions: 100)
        let s = hart.state
        return FuzzOutcome(status: status, pc: s.pc, x: s.xRegisters, f: s.fRegisters, fflags: s.fflags, frm: s.frm,
                           reservation: s.reservationValid ? s.reservation : nil,
                           data: (try? hart.memory.read(Layout.data, count: Int(Layout.dataSize))) ?? [],
                           exceptions: environment.exceptions)
    }

    var description: String {
        let code = instructions.enumerated().map { k, i in
            "  \(disassemble(i, pc: Layout.code + 4 * UInt64(k)))  [rm \(i.rm)]"
        }.joined(separator: "\n")
        let used = Set(instructions.flatMap { [$0.rd, $0.rs1, $0.rs2, $0.rs3] }).sorted()
        let regs = used.map { k in "x\(k)=\(hex(x[Int(k)])) f\(k)=\(hex(f[Int(k)]))" }.joined(separator: " ")
        return "\(code)\n  \(regs)\n  fflags \(fflags) frm \(frm) reservation \(reservationValid ? hex(reservation) : "none")"
    }
}

fileprivate func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

struct FuzzOutcome: Equatable {
    var status: Guest.ExitStatus
    var pc: UInt64
    var x: [UInt64]
    var f: [UInt64]
    var fflags: UInt32
    var frm: UInt32
    var reservation: UInt64?
    var data: [UInt8]
    var exceptions: [GuestTrap]

    func difference(from r: FuzzOutcome) -> String {
        var out: [String] = []
        for k in 0..<32 where x[k] != r.x[k] { out.append("x\(k): jit \(hex(x[k])) interpreter \(hex(r.x[k]))") }
        for k in 0..<32 where f[k] != r.f[k] { out.append("f\(k): jit \(hex(f[k])) interpreter \(hex(r.f[k]))") }
        if fflags != r.fflags { out.append("fflags: jit \(fflags) interpreter \(r.fflags)") }
        if frm != r.frm { out.append("frm: jit \(frm) interpreter \(r.frm)") }
        if reservation != r.reservation { out.append("reservation: jit \(reservation.map(hex) ?? "none") interpreter \(r.reservation.map(hex) ?? "none")") }
        if let k = data.indices.first(where: { data[$0] != r.data[$0] }) { out.append("data byte \(k) differs") }
        if status != r.status || pc != r.pc || exceptions != r.exceptions {
            out.append("jit \(status) pc \(hex(pc)) \(exceptions); interpreter \(r.status) pc \(hex(r.pc)) \(r.exceptions)")
        }
        return out.joined(separator: "\n")
    }
}
