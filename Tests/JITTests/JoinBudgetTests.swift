import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Hoisted joins (`JITOptions.joinBudgets`, BlockJoins.swift): a join reached by one branch over
/// a plain `if` body takes no budget of its own; the segment before the branch charges what
/// follows the join, the body charges itself. The code shape, and programs full of `if`s —
/// nested, several to one join, bodies with side exits leaving the block and loads that fault —
/// against the interpreter with the option on and off under every budget.
@Suite struct JoinBudgetTests {
    static func options(hoist: Bool, chaining: Bool = true, registers: Bool = true, refunds: Bool = true) -> JITOptions {
        var o = JITOptions(cacheSize: 1 << 20, chaining: chaining)
        o.joinBudgets = hoist
        o.blockRegisters = registers
        o.sideExitRefunds = refunds
        return o
    }

    static func budgetChecks(_ program: Program, hoist: Bool) throws -> Int {
        let (hart, _) = program.makeHart()
        let listing = try #require(JIT(options: options(hoist: hoist)).listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
            .filter { $0.hasPrefix("sub r11") }.count
    }

    /// Ten `if (v[k] != 0) { x6++; v[k] = x6 }`: one check at entry and one per body, none at
    /// the joins (twenty-one checks without).
    @Test func codeShape() throws {
        let program = Program(code: JoinTests.ifs + RV.exit, data: [0, 1, 0, 0, 7, 9, 0, 1, 1, 0])
        #expect(try Self.budgetChecks(program, hoist: true) == 11)
        #expect(try Self.budgetChecks(program, hoist: false) == 21)
        // Two branches to one join: it keeps its check.
        let shared = [RV.beq(5, 0, 16), RV.addi(6, 6, 1), RV.beq(7, 0, 8), RV.addi(6, 6, 2), RV.addi(6, 6, 3)] + RV.exit
        #expect(try Self.budgetChecks(Program(code: shared), hoist: true) == 4)
        // An `if` inside an `if`: the outer body holds a join, so only the inner one is hoisted.
        let nested = [RV.beq(5, 0, 20), RV.addi(6, 6, 1), RV.beq(7, 0, 8), RV.addi(6, 6, 2), RV.addi(6, 6, 3),
                      RV.addi(6, 6, 4)] + RV.exit
        #expect(try Self.budgetChecks(Program(code: nested), hoist: true) == 4)
        #expect(try Self.budgetChecks(Program(code: nested), hoist: false) == 5)
    }

    /// Runs `program` under the interpreter and the JIT with and without chaining, block
    /// registers, hoisted joins and side-exit refunds, with each budget.
    static func expectAsInterpreter(_ program: Program, budgets: [UInt64?], _ what: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        var variants: [(String, JITOptions)] = []
        for chaining in [true, false] {
            for registers in [true, false] {
                for (hoist, refunds) in [(true, true), (false, true), (true, false)] {
                    variants.append(("chaining \(chaining) registers \(registers) hoist \(hoist) refunds \(refunds)",
                                     options(hoist: hoist, chaining: chaining, registers: registers, refunds: refunds)))
                }
            }
        }
        expectJITVariantsAsInterpreter(program, budgets: budgets, variants: variants, what, sourceLocation: sourceLocation)
    }

    @Test func ifsAsInterpreter() {
        let program = Program(code: JoinTests.ifs + RV.exit, data: [0, 1, 0, 0, 7, 9, 0, 1, 1, 0])
        Self.expectAsInterpreter(program, budgets: [nil] + (1...45).map { UInt64($0) }, "ifs")
    }

    /// Bodies whose loads fault (x12 wild) or whose side exits leave the block, around hoisted
    /// joins: what is given back on each way out is what was charged and not retired.
    @Test func faultsAndExitsInBodies() {
        let code: [UInt32] = [
            RV.addi(6, 6, 1),        // 0
            RV.beq(5, 0, 16),        // 1: if x5 != 0 {
            RV.addi(6, 6, 2),        // 2
            RV.ld(7, 12, 0),         // 3: may fault
            RV.bne(8, 0, 52),        // 4: may leave the block (to index 17 below)
            RV.addi(6, 6, 4),        // 5: }
            RV.beq(8, 0, 8),         // 6: if x8 != 0 {
            RV.sd(6, 12, 8),         // 7: may fault }
            RV.addi(6, 6, 8),        // 8
            RV.ld(9, 12, 16),        // 9: may fault
            RV.addi(6, 6, 16),       // 10
        ] + RV.exit + Array(repeating: RV.addi(0, 0, 0), count: 4) + [RV.addi(6, 6, 32)] + RV.exit
        for (x5, x8, x12) in [(0, 0, Layout.data), (1, 0, Layout.data), (1, 1, Layout.data), (0, 1, Layout.data),
                              (1, 0, 0x8), (1, 1, 0x8), (0, 1, 0x8), (0, 0, 0x8)] as [(UInt64, UInt64, UInt64)] {
            let program = Program(code: code, data: [1, 2, 3, 4], setup: { s in
                s.setX(5, x5)
                s.setX(8, x8)
                s.setX(12, x12)
            })
            Self.expectAsInterpreter(program, budgets: [nil] + (1...16).map { UInt64($0) }, "x5 \(x5) x8 \(x8) x12 \(x12)")
        }
    }

    /// JoinTests' random code (nested and overlapping skips, several branches to one join, wild
    /// pointers), straight and as a self-loop, with budgets.
    @Test(arguments: 0..<24) func randomAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x10b6_5eed &+ UInt64(seed))
        var code = JoinTests.randomCode(&r, count: 40)
        if seed % 2 == 1 {
            code.append(RV.addi(9, 9, -1))
            code.append(RV.bne(9, 0, -4 * code.count))
        }
        let p = JoinTests().program(code, &r)
        Self.expectAsInterpreter(p, budgets: [nil, 1, 2, 3, 5, 8, 13, 21, 34, 55], "seed \(seed)")
    }
}
