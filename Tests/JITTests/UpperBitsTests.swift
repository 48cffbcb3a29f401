import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// W results whose upper bits nothing observes are left unextended (UpperBits.swift): the code
/// shape, and random integer code (straight and looping, with stores, loads that may fault,
/// side exits and every kind of reader) against the interpreter with several budgets.
@Suite struct UpperBitsTests {
    /// Register-to-register `movsxd`s in the block's host code.
    func signExtensions(_ code: [UInt32]) throws -> Int {
        try SignExtensionTests().signExtensions(code)
    }

    @Test func codeShape() throws {
        // SHA-256's chain into a4 (cached) from s9 (not): only the value the store sees is extended.
        let chain = [RV.r(.addw, 14, 14, 25), RV.r(.addw, 14, 14, 10), RV.r(.addw, 14, 14, 6), RV.sd(14, 30, 0)]
        #expect(try signExtensions(chain) == 1)
        // A load in between observes every register: extended there too.
        let split = [RV.r(.addw, 14, 14, 25), RV.ld(5, 30, 8), RV.r(.addw, 14, 14, 10), RV.sd(14, 30, 0)]
        #expect(try signExtensions(split) == 2)
        // So does a reader of all 64 bits (srli) and the block's end.
        let full = [RV.r(.addw, 14, 14, 25), RV.i(.srli, 15, 14, 1), RV.r(.addw, 14, 14, 10)]
        #expect(try signExtensions(full) == 2)
        // A W result through a 64-bit xor into an addw, then overwritten: neither extended.
        let xor = [RV.r(.addw, 5, 14, 25), RV.r(.xor, 5, 5, 10), RV.r(.addw, 14, 14, 5), RV.addi(5, 0, 1),
                   RV.sd(14, 30, 0)]
        #expect(try signExtensions(xor) == 1)
        // ... unless the xor's result is itself read in full (slt).
        let read = [RV.r(.addw, 5, 14, 25), RV.r(.xor, 5, 5, 10), RV.r(.slt, 6, 5, 0), RV.addi(5, 0, 1),
                    RV.sd(6, 30, 0)]
        #expect(try signExtensions(read) == 1)
        // A 32-bit rotate (slliw/srliw/or) feeding only an addw: one rol, no movsxd.
        let rotate = [RV.i(.slliw, 6, 13, 26), RV.i(.srliw, 7, 13, 6), RV.r(.or, 7, 7, 6), RV.r(.addw, 14, 14, 7),
                      RV.addi(6, 0, 0), RV.addi(7, 0, 0), RV.sd(14, 30, 0)]
        #expect(try signExtensions(rotate) == 1)
        // sext.w of a value whose upper bits nobody reads is nothing at all.
        #expect(try signExtensions([RV.r(.addw, 14, 14, 10), RV.i(.addiw, 14, 14, 0), RV.r(.addw, 15, 14, 14),
                                    RV.addi(14, 0, 1), RV.sd(15, 30, 0)]) == 1)
    }

    static let values: [UInt64] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def0,
                                   0xffff_ffff_8000_0000, 0x0000_0001_ffff_ffff, 0x8000_0000_0000_0000, 0x00ff_ff00_0f0f_f0f0]
    /// Cached and uncached registers; not x9 (loop counter), x30 (store base) or x31 (data).
    static let registers = [5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 18, 25, 28, 29]

    static func randomCode(_ r: inout SeededRandom, count: Int) -> [UInt32] {
        var code: [UInt32] = []
        func reg() -> Int { r.pick(registers) }
        while code.count < count {
            switch r.below(20) {
            case 0...5: code.append(RV.r(r.pick([.addw, .subw, .sllw, .srlw, .sraw, .mulw] as [Opcode]), reg(), reg(), reg()))
            case 6...7: code.append(RV.i(.addiw, reg(), reg(), r.below(4096) - 2048))
            case 8: code.append(RV.i(r.pick([.slliw, .srliw, .sraiw] as [Opcode]), reg(), reg(), r.below(32)))
            case 9...11: code.append(RV.r(r.pick([.add, .sub, .and, .or, .xor] as [Opcode]), reg(), reg(), reg()))
            case 12: code.append(RV.i(r.pick([.addi, .andi, .ori, .xori] as [Opcode]), reg(), reg(), r.below(4096) - 2048))
            case 13: code.append(RV.i(r.pick([.slli, .srli, .srai] as [Opcode]), reg(), reg(), r.below(64)))
            case 14: code.append(RV.r(r.pick([.sll, .srl, .sra, .slt, .sltu] as [Opcode]), reg(), reg(), reg()))
            case 15:
                // A 32-bit rotate as gcc writes it, its shifts' registers overwritten or not.
                let (s, t, u, k) = (reg(), reg(), reg(), 1 + r.below(31))
                guard t != u, t != s, u != s else { continue }
                code += [RV.i(.slliw, t, s, k), RV.i(.srliw, u, s, 32 - k), RV.r(.or, reg(), t, u)]
            case 16: code.append(RV.i(.addiw, reg(), reg(), 0)) // sext.w
            case 17: code.append(RV.sd(reg(), 30, 8 * r.below(64)))
            case 18:
                // A load: from the data, or (rarely) off a computed register, which may fault.
                code.append(r.chance(6) ? RV.ld(reg(), reg(), 0) : RV.ld(reg(), 31, 8 * r.below(values.count)))
            default:
                // A side exit over the next instruction.
                code += [RV.b(r.pick([.beq, .bne, .blt, .bgeu] as [Opcode]), reg(), reg(), 8), RV.r(.addw, reg(), reg(), reg())]
            }
        }
        return code
    }

    func program(_ code: [UInt32], _ r: inout SeededRandom) -> Program {
        let start = Self.registers.map { ($0, r.pick(Self.values) &+ UInt64(r.below(3))) }
        return Program(code: code + RV.exit, data: Self.values, setup: { s in
            for (x, v) in start { s.setX(x, v) }
            s.setX(30, Layout.data + 0x800)
            s.setX(9, 5)
        })
    }

    @Test(arguments: 0..<24) func straightAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x5eed_0b17 &+ UInt64(seed))
        let code = Self.randomCode(&r, count: 40)
        let p = program(code, &r)
        expectSameUnderBothEngines(p, blockRegisters: [true, false])
        for budget: UInt64 in [3, 11, 25] { expectSameUnderBothEngines(p, maxInstructions: budget) }
    }

    /// The same in a loop that branches back to its own start (and keeps its allocation).
    @Test(arguments: 0..<24) func loopAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x100f_0b17 &+ UInt64(seed))
        var body = Self.randomCode(&r, count: 30)
        body.append(RV.addi(9, 9, -1))
        body.append(RV.bne(9, 0, -4 * body.count))
        let p = program(body, &r)
        expectSameUnderBothEngines(p, blockRegisters: [true, false])
        for budget: UInt64 in [7, 40, 100] { expectSameUnderBothEngines(p, maxInstructions: budget) }
    }
}
