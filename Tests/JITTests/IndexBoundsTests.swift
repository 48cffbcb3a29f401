import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Table lookups off a checked base (Sources/JIT/IndexBounds.swift): `andi`/`srliw`, `slli`,
/// `add base`, `lw` pays the limit check once per base per block, not once per lookup, and a
/// lookup that leaves guest memory still faults exactly as in the interpreter.
@Suite struct IndexBoundsTests {
    static let top = Layout.limit - GuestMemory.pageSize

    /// Limit checks (`cmp` against the state's memoryLimit) in the host code of the first block.
    func limitChecks(_ code: [UInt32]) throws -> Int {
        try CheckedBaseTests().limitChecks(code)
    }

    /// Runs `program` (with the first page and the page at `top` mapped) under the interpreter
    /// and under the JIT with and without chaining and block registers, with each budget, and
    /// expects the same registers, pc, instret, exceptions and ecalls.
    static func expectAsInterpreter(_ program: Program, budgets: [UInt64?], _ what: String) {
        func run(_ engine: Engine, _ budget: UInt64?) -> Outcome {
            let (hart, environment) = program.makeHart()
            _ = hart.memory.mapAnonymous(0, GuestMemory.pageSize, [.read, .write])
            _ = hart.memory.mapAnonymous(Self.top, GuestMemory.pageSize, [.read, .write])
            let status = engine.run(hart, maxInstructions: budget)
            return Outcome(status: status, pc: hart.state.pc, instret: hart.state.instret, x: hart.state.xRegisters,
                           data: [], exceptions: environment.exceptions, ecalls: environment.ecalls)
        }
        for budget in budgets {
            let reference = run(Interpreter(), budget)
            for chaining in [true, false] {
                for registers in [true, false] {
                    var options = JITOptions(cacheSize: 1 << 20, chaining: chaining)
                    options.blockRegisters = registers
                    let outcome = run(JIT(options: options), budget)
                    #expect(outcome == reference, "\(what) budget \(String(describing: budget))")
                }
            }
        }
    }

    /// A lookup of byte `shift` of x10 (`srli`+`andi`, or `srliw` by 24) in a 4-byte table at x16
    /// plus `offset`, into `rd` through `t`.
    static func lookup(_ rd: Int, _ t: Int, shift: Int, offset: Int, base: Int = 16) -> [UInt32] {
        let index: [UInt32] = shift == 24 ? [RV.i(.srliw, t, 10, 24)]
            : shift == 0 ? [RV.i(.andi, t, 10, 255)] : [RV.i(.srli, t, 10, shift), RV.i(.andi, t, t, 255)]
        return index + [RV.slli(t, t, 2), RV.add(t, t, base), RV.i(.lw, rd, t, offset)]
    }

    /// AES's round: four lookups in four tables 1 KiB apart, off one base; one check in all.
    static let round = lookup(11, 5, shift: 24, offset: 0) + lookup(12, 6, shift: 16, offset: 1024)
        + lookup(13, 7, shift: 8, offset: -2048) + lookup(14, 28, shift: 0, offset: -1024)

    @Test func oneCheckPerTableBase() throws {
        #expect(try limitChecks(Self.round) == 1)
        // Byte loads (the S-box) and a store through the looked-up address (a histogram).
        let bytes = [RV.i(.andi, 5, 10, 255), RV.add(5, 5, 16), RV.i(.lbu, 11, 5, 0), RV.i(.srliw, 6, 10, 24),
                     RV.add(6, 16, 6), RV.i(.lbu, 12, 6, 0), RV.sw(12, 6, 0)]
        #expect(try limitChecks(bytes) == 1)
        // A lookup off gp (checked when written, ConfinedBases.swift) needs no check at all.
        #expect(try limitChecks(Self.lookup(11, 5, shift: 0, offset: 0, base: 3)) == 0)
    }

    @Test func checkedAgainWhenNotKnownSmall() throws {
        // The base changes between the lookups.
        #expect(try limitChecks(Self.lookup(11, 5, shift: 0, offset: 0) + [RV.add(16, 16, 17)]
                                + Self.lookup(12, 6, shift: 24, offset: 0)) == 2)
        // The index is not known small: an arithmetic shift, or 24 bits.
        let wide = [RV.i(.srai, 6, 10, 24), RV.slli(6, 6, 2), RV.add(6, 6, 16), RV.i(.lw, 12, 6, 0)]
        #expect(try limitChecks(Self.lookup(11, 5, shift: 0, offset: 0) + wide) == 2)
        let bits24 = [RV.i(.srliw, 6, 10, 8), RV.slli(6, 6, 2), RV.add(6, 6, 16), RV.i(.lw, 12, 6, 0)]
        #expect(try limitChecks(Self.lookup(11, 5, shift: 0, offset: 0) + bits24) == 2)
        // The looked-up address is changed before the access.
        let moved = [RV.i(.andi, 6, 10, 255), RV.add(6, 6, 16), RV.i(.xori, 6, 6, 1), RV.i(.lw, 12, 6, 0)]
        #expect(try limitChecks(Self.lookup(11, 5, shift: 0, offset: 0) + moved) == 2)
        // The index is rewritten by a load after the add: the address is whatever it loaded.
        let reloaded = [RV.i(.andi, 6, 10, 255), RV.add(6, 6, 16), RV.i(.lw, 6, 6, 0), RV.i(.lw, 12, 6, 0)]
        #expect(try limitChecks(reloaded) == 2)
    }

    /// Bases in the data, at the top of guest memory (the first lookup passes, a later one lies
    /// past the limit, in the guard), past the limit, near 0 and far away; indexes of every
    /// shape. Registers, exceptions (with their addresses) and instruction counts as in the
    /// interpreter, with every budget.
    @Test(arguments: [Layout.data, Layout.data + 0x1800, Self.top, Layout.limit - 1100, Layout.limit - 4,
                      Layout.limit, Layout.limit + 8, 0, 8, UInt64.max - 100, 1 << 40])
    func faultsAsInterpreter(_ base: UInt64) {
        let code = [RV.addi(9, 9, 1)] + Self.round + [RV.addi(9, 9, 1), RV.sw(11, 5, 0), RV.addi(9, 9, 1)]
        for index: UInt64 in [0, 0xff, 0xffff_ffff, 0x8040_2010, 0x0100_00ff, 0xffff_ffff_ffff_fffc] {
            let program = Program(code: code + RV.exit, setup: { s in
                s.setX(16, base)
                s.setX(10, index)
            })
            Self.expectAsInterpreter(program, budgets: [nil, 1, 3, 5, 9, 14, 20],
                                     "base \(String(base, radix: 16)) index \(String(index, radix: 16))")
        }
    }

    /// `addi rd, rs, c` relates rd to rs at offset c: an access off rd is an access off rs
    /// (`addi a4, gp, -1984; sw a3, 0(a4)`, a local array at `addi a5, sp, 16`, a pointer
    /// bumped off a checked one), chained through further addi.
    @Test func offsetRelations() throws {
        #expect(try limitChecks([RV.addi(14, 3, -1984), RV.sw(13, 14, 0), RV.i(.lw, 12, 14, 8)]) == 0)
        #expect(try limitChecks([RV.addi(15, 2, 16), RV.sd(10, 15, 0), RV.addi(15, 15, 2040), RV.ld(11, 15, 2040)]) == 0)
        // One check of a0 covers a pointer derived from it, and the other way round.
        #expect(try limitChecks([RV.ld(11, 10, 0), RV.addi(15, 10, 64), RV.sd(11, 15, 0), RV.addi(15, 15, 8),
                                 RV.sd(11, 15, -8)]) == 1)
        #expect(try limitChecks([RV.addi(15, 10, 64), RV.sd(11, 15, 0), RV.ld(12, 10, 8)]) == 1)
        // The base rewritten after the addi: the derived pointer is still related to its old
        // value, but a later access off the base is checked again.
        #expect(try limitChecks([RV.addi(15, 10, 64), RV.ld(11, 15, 0), RV.addi(10, 10, 1), RV.ld(12, 15, 8),
                                 RV.r(.xor, 10, 10, 11), RV.ld(12, 10, 0)]) == 2)
        // An offset past what the guards cover from a checked base: checked.
        #expect(try limitChecks([RV.ld(11, 10, 0), RV.addi(15, 10, 2047), RV.addi(15, 15, 2047), RV.addi(15, 15, 2047),
                                 RV.ld(12, 15, 0)]) == 2)
    }

    /// Offset relations off bases near 0, at the top of memory, past the limit, wrapping and far
    /// away: registers, exceptions and counts as in the interpreter with every budget.
    @Test(arguments: [Layout.data + 0x800, Self.top + 0x800, Layout.limit - 8, Layout.limit, Layout.limit + 2000,
                      0, 100, UInt64.max - 100, 1 << 40])
    func offsetFaultsAsInterpreter(_ base: UInt64) {
        let code = [RV.addi(9, 9, 1), RV.addi(15, 16, -1984), RV.sw(13, 15, 8), RV.addi(9, 9, 1), RV.addi(14, 15, 2000),
                    RV.ld(11, 14, 16), RV.addi(14, 14, 2000), RV.ld(12, 14, -8), RV.addi(9, 9, 1), RV.ld(12, 16, 0),
                    RV.addi(5, 3, -2048), RV.ld(6, 5, -2048), RV.addi(9, 9, 1)]
        for gp: UInt64 in [0, 4096, Layout.data + 0x800] {
            let program = Program(code: code + RV.exit, setup: { s in
                s.setX(16, base)
                s.setX(3, gp)
                s.setX(13, 0x1234_5678)
            })
            Self.expectAsInterpreter(program, budgets: [nil, 1, 2, 4, 6, 9, 12],
                                     "base \(String(base, radix: 16)) gp \(String(gp, radix: 16))")
        }
    }

    /// The same lookups in a loop (the block branches back to itself and keeps its register
    /// allocation): the facts start over at every iteration.
    @Test func loopAsInterpreter() {
        let body = Self.round + [RV.r(.xor, 10, 10, 11), RV.r(.xor, 10, 10, 12), RV.r(.xor, 10, 10, 13),
                                 RV.r(.xor, 10, 10, 14), RV.addi(9, 9, -1)]
        let back = RV.b(.bne, 9, 0, -4 * body.count)
        let program = Program(code: body + [back] + RV.exit, setup: { s in
            s.setX(16, Layout.data + 0x800)
            s.setX(10, 0x1234_5678)
            s.setX(9, 40)
        })
        expectSameUnderBothEngines(program, blockRegisters: [true, false])
        for budget: UInt64 in [7, 30, 100] { expectSameUnderBothEngines(program, maxInstructions: budget) }
    }
}

/// Shorter forms of two common instructions on registers in the state block: `slli s8, s8, 2`
/// is one read-modify-write shift, `zext.b` one `movzx` from wherever its source is.
@Suite struct ShortFormTests {
    func hostCode(_ code: [UInt32]) throws -> [String] {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    @Test func shiftInPlaceInMemory() throws {
        // x20 (s4) and x21 have no host register in a block that uses each once.
        let text = try hostCode([RV.slli(20, 20, 2), RV.i(.srli, 21, 21, 7)])
        #expect(text.contains("shl qword ptr [rbx + 0xa0], 2"), "\(text.joined(separator: "\n"))")
        #expect(text.contains("shr qword ptr [rbx + 0xa8], 7"), "\(text.joined(separator: "\n"))")
        #expect(!text.contains { $0.hasPrefix("mov rax, qword ptr [rbx + 0xa0]") })
    }

    @Test func zeroExtendIsOneMove() throws {
        let text = try hostCode([RV.i(.andi, 20, 10, 255), RV.i(.andi, 21, 22, 255)])
        #expect(text.contains("movzx eax, r14b"), "\(text.joined(separator: "\n"))")
        #expect(text.contains("movzx eax, byte ptr [rbx + 0xb0]"), "\(text.joined(separator: "\n"))")
        #expect(!text.contains { $0.hasPrefix("and ") })
    }

    /// Every shift kind and count on registers in memory and in host registers, and `andi` with
    /// 255 from a cached, an uncached and the zero register, as in the interpreter.
    @Test func sameAsInterpreter() {
        let values: [UInt64] = [0, 1, 0x80, 0xff, 0x1_0000, 0x8000_0000, 0xdead_beef_cafe_f00d, UInt64.max]
        for value in values {
            var code: [UInt32] = []
            for count in [0, 1, 2, 31, 32, 33, 63] {
                code += [RV.slli(20, 20, count), RV.i(.srli, 21, 21, count), RV.i(.srai, 22, 22, count),
                         RV.slli(10, 10, count), RV.add(23, 20, 21), RV.add(23, 23, 22)]
            }
            code += [RV.i(.andi, 24, 23, 255), RV.i(.andi, 25, 11, 2047), RV.i(.andi, 26, 0, 255),
                     RV.i(.andi, 12, 26, 255), RV.i(.andi, 27, 27, 255)]
            let program = Program(code: code + RV.exit, setup: { s in
                for r in [10, 11, 20, 21, 22, 27] { s.setX(r, value &+ UInt64(r)) }
            })
            expectSameUnderBothEngines(program, blockRegisters: [true, false])
        }
    }
}

extension ShortFormTests {
    /// An access at offset 0 off a cached base compares the base itself with the limit (no copy
    /// to rax; the fault stub copies it there); past the limit it faults as in the interpreter.
    @Test func checkInPlace() throws {
        let limit = "qword ptr [rbx + 0x\(String(StateOffset.memoryLimit, radix: 16))]"
        let text = try hostCode([RV.ld(7, 10, 0), RV.sd(7, 12, 0)])
        for base in ["r14", "rdi"] {
            // The copy to rax is only in the out-of-line fault stub, after the compare.
            let compare = try #require(text.firstIndex(of: "cmp \(base), \(limit)"), "\(text.joined(separator: "\n"))")
            let copy = text.firstIndex(of: "mov rax, \(base)") ?? text.count
            #expect(copy > compare + 1, "\(text.joined(separator: "\n"))")
        }
        for base in [Layout.data, Layout.limit, Layout.limit + 0x1000, UInt64.max - 3] {
            for code in [[RV.ld(7, 10, 0)], [RV.sd(7, 12, 0)], [RV.addi(9, 9, 1), RV.ld(7, 12, 0), RV.addi(9, 9, 1)]] {
                let program = Program(code: code + RV.exit, setup: { s in
                    s.setX(10, base)
                    s.setX(12, base)
                })
                expectSameUnderBothEngines(program, blockRegisters: [true, false])
            }
        }
    }
}

extension ShortFormTests {
    /// With a displacement too, the check compares the base register itself, and a base at or
    /// above the limit is compared again with the displacement out of line: `ld -16(base)` with
    /// base just past the limit, or a base that wraps to a small address, is an access, not a
    /// fault, exactly as in the interpreter.
    @Test func checkWithDisplacement() throws {
        let limit = "qword ptr [rbx + 0x\(String(StateOffset.memoryLimit, radix: 16))]"
        let text = try hostCode([RV.ld(7, 10, 8), RV.ld(7, 21, -8)])
        let compare = try #require(text.firstIndex(of: "cmp r14, \(limit)"), "\(text.joined(separator: "\n"))")
        #expect(!text[..<compare].contains { $0.hasPrefix("lea rax") }, "\(text.joined(separator: "\n"))")
        #expect(text.contains("cmp rax, \(limit)"))
        #expect(!text.contains("add rax, -8") || text.firstIndex(of: "add rax, -8")! > text.lastIndex(of: "cmp rax, \(limit)")! - 2)
        let bases: [UInt64] = [Layout.limit + 8, Layout.limit + 2040, Layout.limit, Layout.limit - 8, UInt64.max - 7,
                               UInt64.max - 2047, 1 << 40, Layout.data]
        for base in bases {
            for code in [[RV.ld(7, 10, -16)], [RV.sd(7, 21, -2048)], [RV.i(.lw, 7, 10, 16)], [RV.ld(7, 21, -8), RV.sd(7, 21, 2040)],
                         [RV.i(.fld, 1, 10, -8), RV.s(.fsd, 1, 21, 8)]] {
                let program = Program(code: code + RV.exit, setup: { s in
                    s.setX(10, base)
                    s.setX(21, base)
                    s.setX(7, 0x1234)
                })
                IndexBoundsTests.expectAsInterpreter(program, budgets: [nil], "base \(String(base, radix: 16))")
            }
        }
    }
}
