import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// Forward branches to later instructions of their block jump there (BlockJoins.swift): each
/// instruction of a run of `if`s is translated once, a base checked on every way into a join
/// stays checked, and random code full of forward branches (nested and overlapping skips, several
/// branches to one join, skips into a `lui`/`addi` pair or a rotate, accesses off a pointer that
/// may be wild) runs as under the interpreter with every budget.
@Suite struct JoinTests {
    func options(joins: Bool) -> JITOptions {
        var o = JITOptions(cacheSize: 1 << 20)
        o.joins = joins
        return o
    }

    /// Ten `if (v[k] != 0) { x6++; v[k] = x6 }` in a row, as statemachine has thousands.
    static let ifs: [UInt32] = (0..<10).flatMap { k in
        [RV.ld(5, 31, 8 * k), RV.beq(5, 0, 12), RV.addi(6, 6, 1), RV.sd(6, 31, 8 * k)]
    }

    @Test func eachInstructionTranslatedOnce() {
        let program = Program(code: Self.ifs + RV.exit, data: [0, 1, 0, 0, 7, 9, 0, 1, 1, 0])
        let jit = JIT(options: options(joins: true))
        _ = program.run(jit)
        #expect(jit.stats.blocksTranslated == 1)
        #expect(jit.stats.guestInstructionsTranslated == UInt64(Self.ifs.count + RV.exit.count))
        // Without joins the code after each taken branch is translated again as its own block.
        let without = JIT(options: options(joins: false))
        _ = program.run(without)
        #expect(without.stats.guestInstructionsTranslated > UInt64(Self.ifs.count + RV.exit.count))
        expectSameUnderBothEngines(program, blockRegisters: [true, false], joins: [true, false])
        for budget: UInt64 in [1, 2, 3, 5, 9, 17, 30] {
            expectSameUnderBothEngines(program, maxInstructions: budget, joins: [true, false])
        }
    }

    /// Blocks cut short by the length limit (down to one instruction, as difftest's localiser
    /// makes them) end at a join only when one is in their second half, never empty.
    @Test func shortBlockLimits() {
        let program = Program(code: Self.ifs + RV.exit, data: [0, 1, 0, 0, 7, 9, 0, 1, 1, 0])
        let reference = program.run(Interpreter())
        for limit in [1, 2, 3, 4, 5, 7, 9, 13] {
            var o = options(joins: true)
            o.maxBlockInstructions = limit
            #expect(program.run(JIT(options: o)) == reference, "limit \(limit)")
        }
    }

    /// A base checked before the branch is checked on both ways into the join; one checked only
    /// on the fall-through is checked again after it.
    @Test func checksMeetAtTheJoin() throws {
        let before = [RV.ld(5, 12, 0), RV.beq(5, 0, 8), RV.sd(5, 12, 8), RV.ld(6, 12, 16)]
        #expect(try CheckedBaseTests().limitChecks(before) == 1)
        let inside = [RV.beq(5, 0, 8), RV.sd(5, 12, 8), RV.ld(6, 12, 16)]
        #expect(try CheckedBaseTests().limitChecks(inside) == 2)
        // Checked on both ways, at different displacements: covered after the join.
        let both = [RV.beq(5, 0, 12), RV.ld(6, 12, 64), RV.beq(0, 0, 8), RV.ld(7, 12, -64), RV.ld(8, 12, 0)]
        #expect(try CheckedBaseTests().limitChecks(both) == 2)
    }

    static let values: [UInt64] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def0,
                                   0xffff_ffff_8000_0000, 0x8000_0000_0000_0000]
    /// Not x9 (loop counter), x12 (the pointer), x30 (store base) or x31 (data).
    static let registers = [5, 6, 7, 8, 10, 11, 13, 14, 15, 18, 25, 28]

    /// Random integer code whose forward branches mostly land inside it.
    static func randomCode(_ r: inout SeededRandom, count: Int) -> [UInt32] {
        var code: [UInt32] = []
        func reg() -> Int { r.pick(registers) }
        // Branches are placed with a placeholder offset and patched to a random later
        // instruction once the code is long enough (or just past its end).
        var branches: [(at: Int, op: Opcode, rs1: Int, rs2: Int)] = []
        while code.count < count {
            switch r.below(16) {
            case 0...2:
                branches.append((code.count, r.pick(RV.branches), reg(), r.chance(4) ? 0 : reg()))
                code.append(0)
            case 3...4: code.append(RV.r(r.pick([.add, .sub, .xor, .addw, .subw, .sltu] as [Opcode]), reg(), reg(), reg()))
            case 5: code.append(RV.i(r.pick([.addi, .andi, .addiw] as [Opcode]), reg(), reg(), r.below(4096) - 2048))
            case 6: code += [RV.lui(reg(), r.below(1 << 20)), RV.addi(reg(), reg(), r.below(4096) - 2048)]
            case 7:
                let x = reg()
                code += [RV.lui(x, r.below(1 << 20)), RV.addi(x, x, r.below(4096) - 2048)] // folded into one constant
            case 8:
                let (s, t, u, k) = (reg(), reg(), reg(), 1 + r.below(31))
                guard t != u, t != s, u != s else { continue }
                code += [RV.i(.slliw, t, s, k), RV.i(.srliw, u, s, 32 - k), RV.r(.or, reg(), t, u)]
            case 9: code.append(RV.sd(reg(), 30, 8 * r.below(64)))
            case 10: code.append(RV.ld(reg(), 31, 8 * r.below(values.count)))
            case 11...12: code.append(r.pick([RV.ld(reg(), 12, 8 * r.below(16) - 64), RV.sd(reg(), 12, 8 * r.below(16) - 64)]))
            case 13:
                // The pointer: back into the data, or somewhere wild (past the limit, negative).
                code.append(r.chance(3) ? RV.lui(12, r.pick([0x1000, 0x80000, 0xfffff, 0x7ffff])) : RV.addi(12, 30, 8 * r.below(32)))
            case 14: code.append(RV.addi(12, 12, 8 * r.below(8) - 32))
            default: code.append(RV.r(.addw, reg(), reg(), reg()))
            }
        }
        for b in branches {
            let target = b.at + 1 + r.below(min(12, code.count - b.at))
            code[b.at] = RV.b(b.op, b.rs1, b.rs2, 4 * (target - b.at))
        }
        return code
    }

    func program(_ code: [UInt32], _ r: inout SeededRandom) -> Program {
        let start = Self.registers.map { ($0, r.pick(Self.values) &+ UInt64(r.below(3))) }
        return Program(code: code + RV.exit, data: Self.values, setup: { s in
            for (x, v) in start { s.setX(x, v) }
            s.setX(30, Layout.data + 0x800)
            s.setX(12, Layout.data + 0x400)
            s.setX(9, 4)
        })
    }

    @Test(arguments: 0..<32) func straightAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x701d_5eed &+ UInt64(seed))
        let code = Self.randomCode(&r, count: 48)
        let p = program(code, &r)
        expectSameUnderBothEngines(p, blockRegisters: [true, false], joins: [true, false])
        for budget: UInt64 in [2, 5, 13, 29] { expectSameUnderBothEngines(p, maxInstructions: budget) }
    }

    /// The same as a loop that branches back to its own start, keeping its allocation.
    @Test(arguments: 0..<24) func loopAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x1007_5eed &+ UInt64(seed))
        var body = Self.randomCode(&r, count: 32)
        body.append(RV.addi(9, 9, -1))
        body.append(RV.bne(9, 0, -4 * body.count))
        let p = program(body, &r)
        expectSameUnderBothEngines(p, blockRegisters: [true, false], joins: [true, false])
        for budget: UInt64 in [7, 40, 90] { expectSameUnderBothEngines(p, maxInstructions: budget) }
    }
}
