import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Loads and stores off registers whose value the block knows (`lui`, `auipc`, `li`, `addi` of
/// such; KnownConstants.swift) carry no limit check when the address lies below the guest limit:
/// the code shape, and accesses to mapped and unmapped pages, near and past the limit, wrapping,
/// and through joins and loops, against the interpreter.
@Suite struct ConstantAddressTests {
    static let limit = "0x" + String(StateOffset.memoryLimit, radix: 16)

    static func checks(_ code: [UInt32], constants: Bool) throws -> Int {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        var options = JITOptions(cacheSize: 1 << 20)
        options.constantAddresses = constants
        let listing = try #require(JIT(options: options).listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
            .filter { $0.hasPrefix("cmp") && $0.contains(limit) }.count
    }

    /// `auipc`+`ld` (a GOT entry), `lui`+`sw` (a global), and `li`+`lbu`: no check with the
    /// option, one each without (and an out-of-line recheck where the displacement is not 0).
    @Test func noCheckOffKnownValues() throws {
        let code = [RV.auipc(10, 0x10), RV.ld(11, 10, 8),                 // Layout.data + 8
                    RV.lui(12, 0x20), RV.sw(11, 12, 0x10),                // Layout.data + 0x10
                    RV.addi(13, 0, 0x7f0), RV.i(.lbu, 14, 13, 0)]         // 0x7f0, page 0
        let on = try Self.checks(code, constants: true), off = try Self.checks(code, constants: false)
        #expect(on == 0)
        #expect(off == 5) // three in line, and the out-of-line rechecks of the two with displacements
        // Not off a register written otherwise in between, nor at or past the limit.
        let rewritten = try Self.checks([RV.lui(12, 0x20), RV.add(12, 12, 11), RV.sw(11, 12, 0x10)], constants: true)
        #expect(rewritten == 2) // in line and out of line
        let past = try Self.checks([RV.lui(12, Int(Layout.limit >> 12)), RV.sw(11, 12, -8)], constants: true)
        #expect(past == 2)
        // After a join the value is forgotten (the other way may have written it).
        let joined = try Self.checks([RV.lui(12, 0x20), RV.beq(5, 0, 8), RV.addi(12, 12, 8), RV.sw(11, 12, 0)], constants: true)
        #expect(joined == 1)
    }

    static func run(_ program: Program, budgets: [UInt64?], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for budget in budgets {
            let reference = program.run(Interpreter(), maxInstructions: budget)
            for constants in [true, false] {
                for chaining in [true, false] {
                    for registers in [true, false] {
                        var options = JITOptions(cacheSize: 1 << 20, chaining: chaining)
                        options.constantAddresses = constants
                        options.blockRegisters = registers
                        let outcome = program.run(JIT(options: options), maxInstructions: budget)
                        #expect(outcome == reference, "\(what): budget \(String(describing: budget)) constants \(constants) chaining \(chaining) registers \(registers)",
                                sourceLocation: sourceLocation)
                    }
                }
            }
        }
    }

    /// An access at `address` (built with lui+addi, or li) of every kind, loads and stores.
    @Test(arguments: [Layout.data + 0x18, Layout.data + 0x1ff8, Layout.data + 0x1ffc, Layout.readOnly + 8, Layout.hole,
                      Layout.limit - 0x100, Layout.limit - 64, Layout.limit - 8, Layout.limit - 4, Layout.limit, Layout.limit + 8,
                      0x10, 0, UInt64(0x7ff), UInt64(bitPattern: -16), UInt64(bitPattern: -0x800)])
    func accessesAgainstTheInterpreter(address: UInt64) {
        let value = Int64(bitPattern: address)
        let high = (value &+ 0x800) >> 12
        let upper = Int(high) & 0xfffff
        let lower = Int(value &- (high << 12))
        let build = [RV.lui(12, upper), RV.addi(12, 12, lower)]
        for op in RV.loads {
            Self.run(Program(code: build + [RV.i(op, 13, 12, 0), RV.i(op, 14, 12, -8), RV.addi(15, 0, 1)] + RV.exit),
                     budgets: [nil, 2, 3], "\(op) at \(String(address, radix: 16))")
        }
        for op in RV.stores {
            Self.run(Program(code: build + [RV.s(op, 11, 12, 0), RV.s(op, 11, 12, 4), RV.addi(15, 0, 1)] + RV.exit) { s in
                s.setX(11, 0x1122_3344_5566_7788)
            }, budgets: [nil, 3], "\(op) at \(String(address, radix: 16))")
        }
        // li (addi from x0) and addiw.
        if (-2048...2047).contains(value) {
            Self.run(Program(code: [RV.addi(12, 0, Int(value)), RV.ld(13, 12, 0)] + RV.exit), budgets: [nil], "li \(value)")
        }
        Self.run(Program(code: build + [RV.i(.addiw, 12, 12, 8), RV.ld(13, 12, 0)] + RV.exit), budgets: [nil], "addiw at \(String(address, radix: 16))")
    }

    /// auipc-relative accesses in a loop (peeled) and after joins, with stores that the loop
    /// reads back.
    @Test func loopsAndJoins() {
        let code: [UInt32] = [
            RV.addi(7, 0, 20),
            RV.auipc(10, 0x10),            // 4: Layout.data + 4
            RV.ld(11, 10, 12),             // 8: data word 2
            RV.addi(11, 11, 3),
            RV.sd(11, 10, 12),
            RV.beq(11, 7, 8),              // 20: a join at 28
            RV.lui(10, Int(Layout.hole >> 12)),
            RV.ld(12, 10, 4),              // 28: after the join: checked (faults when 10 is the hole)
            RV.addi(7, 7, -1),
            RV.bne(7, 0, -32),             // back to 4
        ] + RV.exit
        Self.run(Program(code: code, data: [0, 0, 1]), budgets: [nil, 1, 4, 9, 10, 11, 23, 50, 120], "loop")
        // The same without the lui: no fault, the loop runs out.
        var quiet = code
        quiet[6] = RV.addi(0, 0, 0)
        Self.run(Program(code: quiet, data: [0, 0, 1]), budgets: [nil, 1, 4, 9, 10, 11, 23, 50, 120], "quiet loop")
    }
}
