import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Chain steps move up next to their register's previous write and run on the register its
/// value was stored from (ChainGather.swift): the order a block is translated in, what stops a
/// step, the code shape, and random code full of chains (with loads that may fault, stores, side
/// exits, joins and loops) against the interpreter, gathering on and off, with budgets.
@Suite struct ChainGatherTests {
    func listing(_ code: [UInt32], gather: Bool = true, blockRegisters: Bool = false) throws -> BlockListing {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        var options = JITOptions(cacheSize: 1 << 20)
        options.gatherChains = gather
        options.blockRegisters = blockRegisters
        return try #require(JIT(options: options).listing(hart, at: Layout.code))
    }

    /// The guest instructions in translated order, as pcs relative to the block.
    func order(_ code: [UInt32]) throws -> [Int] {
        try listing(code).guestPCs.map { Int($0 - Layout.code) / 4 }
    }

    /// AES's index chains: `zext.b s5, a3` … `slli s5, s5, 2` … `add s5, s5, a7`, interleaved
    /// with another chain into s8 (both in the state block), then the table loads.
    static let aes: [UInt32] = [RV.i(.andi, 21, 13, 255), RV.i(.srliw, 24, 15, 24), RV.slli(21, 21, 2),
                                RV.slli(24, 24, 2), RV.r(.add, 21, 21, 17), RV.r(.add, 15, 17, 24),
                                RV.i(.lw, 26, 21, 1024), RV.i(.lw, 15, 15, 0), RV.sd(26, 10, 0)]

    @Test func gathersSteps() throws {
        // (RV.exit adds `li a7, 93` and `ecall`.)
        #expect(try order(Self.aes) == [0, 2, 4, 1, 3, 5, 6, 7, 8, 9, 10])
        // Off: decoded order.
        #expect(try listing(Self.aes, gather: false).guestPCs.map { Int($0 - Layout.code) / 4 } == Array(0...10))
    }

    @Test func whatStopsAStep() throws {
        let unmoved = Array(0..<6)
        // A load between (it may fault: what it sees must not change).
        #expect(try order([RV.i(.andi, 21, 13, 255), RV.ld(5, 10, 0), RV.slli(21, 21, 2), RV.sd(21, 10, 0)]) == unmoved)
        // A reader of the register, a writer of the step's other source.
        #expect(try order([RV.i(.andi, 21, 13, 255), RV.add(6, 21, 7), RV.slli(21, 21, 2), RV.sd(21, 10, 0)]) == unmoved)
        #expect(try order([RV.i(.andi, 21, 13, 255), RV.addi(18, 18, 1), RV.add(21, 21, 18), RV.sd(21, 10, 0)]) == unmoved)
        // A write of sp (checked when written) between.
        #expect(try order([RV.i(.andi, 21, 13, 255), RV.addi(2, 2, -16), RV.slli(21, 21, 2), RV.sd(21, 10, 0)]) == unmoved)
        // A branch target (a join) among the instructions that would move, or the step itself.
        #expect(try order([RV.beq(5, 0, 8), RV.i(.andi, 21, 13, 255), RV.addi(6, 6, 1), RV.slli(21, 21, 2),
                           RV.sd(21, 10, 0)]) == Array(0..<7))
        #expect(try order([RV.beq(5, 0, 12), RV.i(.andi, 21, 13, 255), RV.addi(6, 6, 1), RV.slli(21, 21, 2),
                           RV.sd(21, 10, 0)]) == Array(0..<7))
        // Nothing moves past the block's last instruction (its fall-through pc is read off it):
        // a block cut by the length limit (128) right after a step.
        let long = [UInt32](repeating: RV.addi(6, 6, 1), count: 124)
            + [RV.i(.andi, 21, 13, 255), RV.addi(7, 7, 1), RV.addi(7, 7, 1), RV.slli(21, 21, 2), RV.sd(21, 10, 0)]
        #expect(try order(long) == Array(0..<128))
        // An unrelated instruction in between moves down; a step with rs2 as the chain moves too.
        #expect(try order([RV.i(.andi, 21, 13, 255), RV.addi(6, 6, 1), RV.r(.xor, 21, 7, 21), RV.sd(21, 10, 0)])
                == [0, 2, 1, 3, 4, 5])
    }

    /// The host code of `aes` with every guest register but the nine cached in the state block.
    @Test func codeShape() throws {
        func text(_ gather: Bool) throws -> [String] {
            let l = try listing(Self.aes, gather: gather)
            return X86Disassembler.lines(l.hostCode, address: l.hostAddress).map(\.text)
        }
        let s5 = "[rbx + 0x" + String(StateOffset.x + 8 * 21, radix: 16) + "]"
        let s8 = "[rbx + 0x" + String(StateOffset.x + 8 * 24, radix: 16) + "]"
        let off = try text(false), on = try text(true)
        // Off: s5 stored, shifted and added in place; s8 stored and shifted in place.
        #expect(off.filter { $0.contains(s5 + ",") && !$0.hasPrefix("mov") }.count == 2)
        #expect(off.filter { $0.contains(s8 + ",") && !$0.hasPrefix("mov") }.count == 1)
        // On: each computed in rax and stored once; the add reads a7's slot into rax directly.
        #expect(on.filter { $0.contains(s5 + ",") && !$0.hasPrefix("mov") }.isEmpty)
        #expect(on.filter { $0.contains(s8 + ",") && !$0.hasPrefix("mov") }.isEmpty)
        #expect(on.filter { $0.hasPrefix("mov qword ptr \(s5)") || $0.hasPrefix("mov qword ptr \(s8)") }.count == 2)
        #expect(on.contains { $0.hasPrefix("shl rax, 2") })
    }

    /// `trapeze fuzz` seed 77853: a reader right after an instruction whose result is stored on
    /// one path and jumped over on another (fcvt.lu.s of a NaN takes the fallback, which stores
    /// from another register): the reader must read the slot there.
    @Test func readerAfterTwoPathStore() {
        let p = Program(code: [0xc037_7b53 /* fcvt.lu.s s6, fa4 */, 0x00ab_3833 /* sltu a6, s6, a0 */] + RV.exit) { s in
            s.setX(10, 0x40)
            s.setX(16, 0x7fff_ffff_ffff_ffff)
            s.setX(22, 0x80)
            s.setF(14, 0xfff8_0000_0000_0001)
        }
        #expect(expectSame(p).x[16] == 0)
    }

    static let values: [UInt64] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def0,
                                   0xffff_ffff_8000_0000, 0x8000_0000_0000_0000, 0x00ff_ff00_0f0f_f0f0, 0x40]
    /// Cached and uncached registers; not x9 (loop counter), x30 (store base) or x31 (data).
    static let registers = [5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 17, 18, 21, 24, 25, 26, 28, 29]

    /// Blocks of interleaved chains: a register written, then steps on it (immediate and
    /// register forms, the chain register as either source, itself as the other) with unrelated
    /// integer code, loads (some off computed registers, which may fault), stores, sp writes
    /// and side exits in between.
    static func randomCode(_ r: inout SeededRandom, count: Int) -> [UInt32] {
        var code: [UInt32] = []
        func reg() -> Int { r.pick(registers) }
        while code.count < count {
            switch r.below(16) {
            case 0...2:
                // A write that may start a chain.
                switch r.below(6) {
                case 0: code.append(RV.i(.andi, reg(), reg(), 255))
                case 1: code.append(RV.i(r.pick([.srliw, .slliw] as [Opcode]), reg(), reg(), r.below(32)))
                case 2: code.append(RV.i(.srli, reg(), reg(), r.below(64)))
                case 3: code.append(RV.addi(reg(), reg(), r.below(4096) - 2048))
                case 4: code.append(RV.i(.lw, reg(), 31, 4 * r.below(2 * values.count)))
                default: code.append(RV.r(.addw, reg(), reg(), reg()))
                }
            case 3...6:
                let x = reg()
                switch r.below(3) {
                case 0: code.append(RV.i(r.pick([.slli, .srli, .srai] as [Opcode]), x, x, r.below(64)))
                case 1: code.append(RV.i(r.pick([.addi, .andi, .ori, .xori] as [Opcode]), x, x, r.below(4096) - 2048))
                default:
                    let other = r.chance(8) ? x : reg()
                    let op = r.pick([.add, .sub, .and, .or, .xor] as [Opcode])
                    code.append(op != .sub && r.chance(2) ? RV.r(op, x, other, x) : RV.r(op, x, x, other))
                }
            case 7...9: code.append(RV.r(r.pick([.add, .sub, .xor, .sll, .sltu, .addw, .srlw] as [Opcode]), reg(), reg(), reg()))
            case 10: code.append(RV.sd(reg(), 30, 8 * r.below(32)))
            case 11: code.append(r.chance(6) ? RV.ld(reg(), reg(), 0) : RV.ld(reg(), 31, 8 * r.below(values.count)))
            case 12: code.append(RV.addi(2, 2, 16 * (r.below(3) - 1)))
            case 13: code.append(RV.lui(reg(), r.below(1 << 20)))
            default: code += [RV.b(r.pick([.beq, .bne, .blt, .bgeu] as [Opcode]), reg(), reg(), 8), RV.slli(5, 5, 1)]
            }
        }
        return code
    }

    func program(_ code: [UInt32], _ r: inout SeededRandom) -> Program {
        let start = Self.registers.map { ($0, r.pick(Self.values) &+ UInt64(r.below(3))) }
        return Program(code: code + RV.exit, data: Self.values, setup: { s in
            for (x, v) in start { s.setX(x, v) }
            s.setX(30, Layout.data + 0x800)
            s.setX(31, Layout.data)
            s.setX(9, 4)
        })
    }

    /// Interpreter against the JIT with gathering on and off, block registers on and off,
    /// chaining on and off.
    @discardableResult
    func expectSame(_ p: Program, maxInstructions: UInt64? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let reference = p.run(Interpreter(), maxInstructions: maxInstructions)
        for gather in [true, false] {
            for registers in [true, false] {
                for chaining in [true, false] {
                    var options = JITOptions(cacheSize: 1 << 20, chaining: chaining)
                    options.gatherChains = gather
                    options.blockRegisters = registers
                    let outcome = p.run(JIT(options: options), maxInstructions: maxInstructions)
                    #expect(outcome == reference, "gather \(gather), block registers \(registers), chaining \(chaining), budget \(maxInstructions.map(String.init) ?? "none")",
                            sourceLocation: sourceLocation)
                }
            }
        }
        return reference
    }

    @Test(arguments: 0..<32) func straightAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0xc4a1_9a7e &+ UInt64(seed))
        let p = program(Self.randomCode(&r, count: 40), &r)
        expectSame(p)
        for budget: UInt64 in [4, 13, 29] { expectSame(p, maxInstructions: budget) }
    }

    /// The same in a loop back to the block's start.
    @Test(arguments: 0..<16) func loopAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x100c_4a1e &+ UInt64(seed))
        var body = Self.randomCode(&r, count: 30)
        body.append(RV.addi(9, 9, -1))
        body.append(RV.bne(9, 0, -4 * body.count))
        let p = program(body, &r)
        expectSame(p)
        for budget: UInt64 in [9, 50, 101] { expectSame(p, maxInstructions: budget) }
    }
}
