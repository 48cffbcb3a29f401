import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// The short forms the translator picks for moves, constants, sign extension and compares with
/// zero, and the limit checks it leaves out for base registers checked earlier in the block.
@Suite struct PeepholeTests {
    /// Registers in each role: uncached (5, 6, 7, 28), cached callee-saved (10, 13, 14, 15),
    /// cached caller-saved (2, 8, 9, 11, 12), and x0.
    static let registers = [0, 5, 10, 11, 6, 13, 28, 15, 8]
    static let values: [UInt64] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def0]

    /// Moves and sign extensions as RISC-V spells them: add/or/xor with x0 on either side,
    /// sub of x0, addw/subw with x0 (sext.w), and every destination role.
    @Test func movesAndSignExtension() {
        var code: [UInt32] = []
        var n = 0
        // Each form with the immediate form of its width.
        let forms: [(Opcode, Opcode)] = [(.add, .addi), (.or, .addi), (.xor, .addi), (.sub, .addi),
                                         (.addw, .addiw), (.subw, .addiw)]
        for (vi, _) in Self.values.enumerated() {
            for (op, immediate) in forms {
                for rd in Self.registers {
                    for rs in Self.registers where rs != 0 {
                        code += [loadWord(rs, vi), loadWord(rd, (vi + 1) % Self.values.count),
                                 RV.r(op, rd, rs, 0), RV.sd(rd, 30, 8 * (n % 256))]
                        n += 1
                        if op != .sub && op != .subw { // x0 first: sub and subw with x0 first are negations, kept too
                            code += [RV.r(op, rd, 0, rs), RV.sd(rd, 30, 8 * (n % 256))]
                            n += 1
                        }
                        code += [RV.i(immediate, rd, rs, 0), RV.sd(rd, 30, 8 * (n % 256))]
                        n += 1
                    }
                }
            }
        }
        code += RV.exit
        expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: { $0.setX(30, Layout.data + 0x800) }))
    }

    /// Constants: li through addi/ori/xori/andi/addiw with x0, and lui/auipc followed by addi or
    /// addiw of the same register (folded), of another register, or of x0.
    @Test func constants() {
        var code: [UInt32] = []
        var n = 0
        func keep(_ rd: Int) { code.append(RV.sd(rd, 30, 8 * (n % 256))); n += 1 }
        for rd in Self.registers {
            for imm in [0, 1, -1, 2047, -2048, 0x555] {
                for op: Opcode in [.addi, .xori, .ori, .andi] { code.append(RV.i(op, rd, 0, imm)); keep(rd) }
                code.append(RV.i(.addiw, rd, 0, imm)); keep(rd)
                for upper in [0, 1, 0x7ffff, 0x80000, 0xfffff, 0x12345] {
                    code += [RV.lui(rd, upper), RV.addi(rd, rd, imm)]; keep(rd)
                    code += [RV.lui(rd, upper), RV.i(.addiw, rd, rd, imm)]; keep(rd)
                    code += [RV.auipc(rd, upper), RV.addi(rd, rd, imm)]; keep(rd)
                    code += [RV.auipc(rd, upper), RV.i(.addiw, rd, rd, imm)]; keep(rd)
                    code += [RV.lui(rd, upper), RV.addi(7, rd, imm)]; keep(rd); keep(7)
                    code += [RV.lui(rd, upper), RV.addi(rd, 7, imm)]; keep(rd)
                }
            }
        }
        code += RV.exit
        expectSameUnderBothEngines(Program(code: code, setup: { $0.setX(30, Layout.data + 0x800) }))
    }

    /// Branches against x0 on either side (mirrored compares) and between two registers, on
    /// negative, zero and positive values, cached and uncached: x29 hashes the outcomes in order
    /// (x29 = 31·x29, plus 1 when not taken), so no two wrong outcomes can cancel out.
    @Test func branchesAgainstZero() {
        var code: [UInt32] = []
        let branches: [(Int, Int, Int) -> UInt32] = [RV.beq, RV.bne, RV.blt, RV.bge, RV.bltu, RV.bgeu]
        let operands = [(10, 0), (0, 10), (5, 0), (0, 5), (0, 0), (10, 5), (5, 10), (5, 6), (8, 0), (0, 8)]
        for (vi, _) in Self.values.enumerated() {
            code += [loadWord(10, vi), loadWord(5, (vi + 2) % Self.values.count), RV.addi(6, 5, 0), RV.addi(8, 10, 0)]
            for b in branches {
                for (x, y) in operands {
                    code += [RV.slli(28, 29, 5), RV.r(.sub, 29, 28, 29), b(x, y, 8), RV.addi(29, 29, 1)]
                }
            }
        }
        code += [RV.addi(10, 29, 0)] + RV.exit
        expectSameUnderBothEngines(Program(code: code, data: Self.values))
    }
}

/// Loads and stores whose limit check is left out because their base register was checked by an
/// earlier access of the block: at the top and bottom of the guest range they fault in the guard
/// regions, and the JIT must report them exactly as the interpreter does.
@Suite struct CheckedBaseTests {
    static let top = Layout.limit - GuestMemory.pageSize

    func expectSame(_ code: [UInt32], base: UInt64, register: Int,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        let program = Program(code: code + RV.exit, setup: { $0.setX(register, base) })
        func run(_ engine: Engine) -> Outcome {
            let (hart, environment) = program.makeHart()
            _ = hart.memory.mapAnonymous(0, GuestMemory.pageSize, [.read, .write])
            _ = hart.memory.mapAnonymous(Self.top, GuestMemory.pageSize, [.read, .write])
            let status = engine.run(hart, maxInstructions: nil)
            return Outcome(status: status, pc: hart.state.pc, instret: hart.state.instret, x: hart.state.xRegisters,
                           data: [], exceptions: environment.exceptions, ecalls: environment.ecalls)
        }
        let reference = run(Interpreter())
        #expect(reference.exceptions.count == 1, sourceLocation: sourceLocation)
        for chaining in [true, false] {
            #expect(run(smallJIT(chaining: chaining)) == reference, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [5, 10, 2])
    func pastTheLimit(_ x: Int) {
        let base = Layout.limit - 16
        expectSame([RV.ld(7, x, 0), RV.ld(28, x, 8), RV.ld(28, x, 2000)], base: base, register: x)
        expectSame([RV.sd(7, x, 0), RV.sd(7, x, 8), RV.sw(7, x, 16)], base: base, register: x)
        expectSame([RV.ld(7, x, 8), RV.sd(7, x, 12)], base: base, register: x) // straddles the limit
        expectSame([RV.ld(7, x, -2048), RV.ld(7, x, 2047)], base: base, register: x)
        // The base moves far past the guard: the rewritten register is checked again.
        expectSame([RV.ld(7, x, 0), RV.lui(6, 0x1000), RV.add(x, x, 6), RV.ld(7, x, 0)], base: base, register: x)
        expectSame([RV.ld(7, x, 0), RV.lui(6, 0x1000), RV.add(x, x, 6), RV.sd(7, x, 0)], base: base, register: x)
    }

    @Test(arguments: [5, 10, 2])
    func pointerBumps(_ x: Int) {
        expectSame([RV.ld(7, x, 0), RV.addi(x, x, 2000), RV.ld(7, x, 0)], base: Layout.limit - 16, register: x)
        expectSame([RV.ld(7, x, 0), RV.addi(x, x, 8), RV.sd(7, x, 8)], base: Layout.limit - 16, register: x)
        expectSame([RV.ld(7, x, 0), RV.addi(x, x, -32), RV.sd(7, x, 0)], base: 16, register: x)
        expectSame([RV.ld(7, x, 0)] + Array(repeating: RV.addi(x, x, -2048), count: 40) + [RV.ld(7, x, 0)],
                   base: 16, register: x)
    }

    @Test(arguments: [5, 10, 2])
    func belowZero(_ x: Int) {
        expectSame([RV.ld(7, x, 0), RV.ld(28, x, -2000)], base: 16, register: x)
        expectSame([RV.sd(7, x, 0), RV.sd(7, x, -32)], base: 16, register: x)
        expectSame([RV.ld(7, x, 2047), RV.ld(7, x, -2048)], base: 0, register: x)
        expectSame([RV.ld(7, x, 0), RV.lui(6, 0xff000), RV.add(x, x, 6), RV.ld(7, x, 0)], base: 16, register: x)
    }
}

extension CheckedBaseTests {
    /// Limit checks (`cmp` against the state's memoryLimit) in the host code of the block at
    /// the start of `code`.
    func limitChecks(_ code: [UInt32]) throws -> Int {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let limit = "0x" + String(StateOffset.memoryLimit, radix: 16)
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        // Not the out-of-line recompare of a base past the limit with its displacement
        // (`checkBase`, Lower+Memory.swift), which adds the displacement to rax first.
        return text.indices.filter { k in
            text[k].hasPrefix("cmp") && text[k].contains(limit)
                && !(k > 0 && (text[k - 1].hasPrefix("lea rax") || text[k - 1].hasPrefix("add rax")))
        }.count
    }

    /// One check per base register value: again after the register is written (by an ALU
    /// instruction or by a load into it), never for a second access off an unchanged base.
    @Test func checksPerBaseValue() throws {
        #expect(try limitChecks([RV.ld(7, 5, 0), RV.ld(28, 5, 8), RV.sd(7, 5, -2048), RV.sw(7, 5, 2047)]) == 1)
        #expect(try limitChecks([RV.ld(7, 5, 0), RV.ld(28, 10, 8), RV.sd(7, 5, 16), RV.sd(7, 10, 24)]) == 2)
        #expect(try limitChecks([RV.ld(7, 5, 0), RV.add(5, 5, 6), RV.ld(7, 5, 0)]) == 2)
        // A pointer bump moves the checked displacement instead, within the guard's reach.
        #expect(try limitChecks([RV.ld(7, 5, 0), RV.addi(5, 5, 8), RV.sd(7, 5, -8), RV.ld(7, 5, 0)]) == 1)
        #expect(try limitChecks([RV.ld(7, 10, 0)] + Array(repeating: RV.addi(10, 10, 2047), count: 40)
                                + [RV.ld(7, 10, 0)]) == 2)
        #expect(try limitChecks([RV.ld(10, 10, 0), RV.ld(7, 10, 0)]) == 2)
        #expect(try limitChecks([RV.ld(7, 10, 0), RV.r(.or, 10, 10, 11), RV.ld(7, 10, 0)]) == 2)
        // A lui gives a value the block knows, below the limit: no check (KnownConstants.swift).
        #expect(try limitChecks([RV.ld(7, 10, 0), RV.lui(10, 1), RV.ld(7, 10, 0)]) == 1)
        #expect(try limitChecks([RV.ld(7, 10, 0), RV.jal(0, 4)]) == 1)
        // An F/D result in f15 leaves x15 (a5) alone; feq writing x15 is a new value.
        #expect(try limitChecks([RV.i(.fld, 15, 15, 0), RV.fp(.fadd_d, 15, 15, 15), RV.s(.fsd, 15, 15, 8)]) == 1)
        #expect(try limitChecks([RV.ld(7, 15, 0), RV.fp(.feq_d, rm: 2, 15, 1, 2), RV.ld(7, 15, 0)]) == 2)
    }
}

extension PeepholeTests {
    /// `srliw` by 1–31 is a 32-bit `shr` and nothing more (its result's bit 31 is clear, so the
    /// zero extension is the sign extension); by 0, and `sraiw`/`slliw`, still sign-extend.
    @Test func logicalWordShiftNeedsNoSignExtension() throws {
        func movsxd(_ code: [UInt32]) throws -> Int {
            let (hart, _) = Program(code: code + RV.exit).makeHart()
            let listing = try #require(smallJIT().listing(hart, at: Layout.code))
            return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress)
                .filter { $0.text.hasPrefix("movsxd") }.count
        }
        #expect(try movsxd([RV.i(.srliw, 10, 11, 24), RV.i(.srliw, 5, 6, 1), RV.i(.srliw, 12, 5, 31)]) == 0)
        #expect(try movsxd([RV.i(.srliw, 10, 11, 0)]) == 1)
        #expect(try movsxd([RV.i(.sraiw, 10, 11, 3), RV.i(.slliw, 12, 11, 3)]) == 2)
        var code: [UInt32] = []
        var n = 0
        for (vi, _) in Self.values.enumerated() {
            for shamt in [0, 1, 7, 24, 31] {
                for (rd, rs) in [(10, 11), (5, 6), (10, 5), (5, 10), (5, 5)] {
                    code += [loadWord(rs, vi), RV.i(.srliw, rd, rs, shamt), RV.sd(rd, 30, 8 * (n % 256))]
                    n += 1
                }
            }
        }
        expectSameUnderBothEngines(Program(code: code + RV.exit, data: Self.values, setup: { $0.setX(30, Layout.data + 0x100) }))
    }
}

extension CheckedBaseTests {
    /// A base kept in the state block (x5, used twice: too few uses for a block register) and
    /// already checked: its later access folds the displacement into the memory operand
    /// instead of adding it to rax first.
    @Test func checkedMemoryBaseFoldsDisplacement() throws {
        let (hart, _) = Program(code: [RV.ld(7, 5, 0), RV.ld(28, 5, 16)] + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        #expect(!text.contains { $0.hasPrefix("add rax") }, "\(text.joined(separator: "\n"))")
        #expect(text.contains { $0.contains("[r15 + rax + 0x10]") }, "\(text.joined(separator: "\n"))")
    }
}

extension CheckedBaseTests {
    /// Consecutive accesses off one base kept in the state block load it into rax once
    /// (`Translator.raxBase`, Lower+Memory.swift): not after an access that wrote the base, not
    /// across another instruction, and not at a join, which the taken side reaches with rax
    /// holding something else (the join's load checks its base again, with displacement 0 so
    /// that no recheck label comes after it). Against the interpreter both ways through the join.
    @Test func consecutiveAccessesShareBase() throws {
        let slot = "mov rax, qword ptr [rbx + 0x" + String(StateOffset.x + 8 * 5, radix: 16) + "]"
        func loads(_ code: [UInt32]) throws -> Int {
            let (hart, _) = Program(code: code + RV.exit).makeHart()
            let listing = try #require(smallJIT().listing(hart, at: Layout.code))
            return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).filter { $0.text == slot }.count
        }
        #expect(try loads([RV.ld(7, 5, 0), RV.ld(28, 5, 16), RV.i(.lw, 29, 5, 4)]) == 1)
        #expect(try loads([RV.sd(7, 5, 0), RV.ld(28, 5, 8), RV.sw(28, 5, 12)]) == 1)
        #expect(try loads([RV.ld(5, 5, 0), RV.ld(28, 5, 8)]) == 2)
        #expect(try loads([RV.ld(7, 5, 0), RV.add(6, 6, 7), RV.ld(28, 5, 8)]) == 2)
        let join = [RV.beq(6, 0, 8), RV.ld(7, 5, 0), RV.ld(28, 5, 0), RV.sd(28, 5, 24)]
        #expect(try loads(join) == 2)
        for x6: UInt64 in [0, 1] {
            expectSameUnderBothEngines(Program(code: join + RV.exit, setup: { s in
                s.setX(5, Layout.data + 0x100)
                s.setX(6, x6)
                s.setX(7, 0x1234)
            }))
        }
        // A fault on the second access reports its address from the shared rax.
        let fault = expectSameUnderBothEngines(Program(code: [RV.ld(7, 5, 0), RV.ld(28, 5, 0x3f8), RV.ld(29, 5, 0x400)] + RV.exit,
                                                       setup: { $0.setX(5, Layout.readOnly + 0xc00) }))
        #expect(fault.exceptions.count == 1)
    }
}
