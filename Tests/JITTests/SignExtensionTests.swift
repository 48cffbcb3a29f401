import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// `sext.w` of a register the block already knows to hold a sign-extended 32-bit value is a
/// move, not a `movsxd` (SignExtension.swift); every rule against the interpreter.
@Suite struct SignExtensionTests {
    static let values: [UInt64] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def0,
                                   0xffff_ffff_8000_0000, 0x0000_0001_ffff_ffff, 0x8000_0000_0000_0000]

    /// Register-to-register `movsxd`s in the block's host code (a `lw` is a `movsxd` from memory).
    func signExtensions(_ code: [UInt32]) throws -> Int {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress)
            .filter { $0.text.hasPrefix("movsxd") && !$0.text.contains("ptr") }.count
    }

    /// crc32's loop: `lw`, `srliw`, their `xor`, then `sext.w` of it: no `movsxd` at all. After
    /// an `add` or a `ld` the `sext.w` stays.
    @Test func codeShape() throws {
        let crc: [UInt32] = [RV.i(.lw, 8, 15, 0), RV.i(.srliw, 13, 8, 8), RV.r(.xor, 8, 8, 13), RV.i(.addiw, 8, 8, 0)]
        #expect(try signExtensions(crc) == 0)
        // The same into an uncached register, and sext.w spelled addw with x0.
        #expect(try signExtensions([RV.i(.lw, 5, 15, 0), RV.i(.lbu, 6, 15, 4), RV.r(.or, 7, 5, 6),
                                    RV.r(.addw, 28, 7, 0)]) == 0)
        #expect(try signExtensions([RV.r(.add, 8, 8, 13), RV.i(.addiw, 8, 8, 0)]) == 1)
        #expect(try signExtensions([RV.i(.lw, 8, 15, 0), RV.ld(8, 15, 8), RV.i(.addiw, 8, 8, 0)]) == 1)
        // A known register overwritten by an unknown value, then extended.
        #expect(try signExtensions([RV.i(.lw, 8, 15, 0), RV.i(.srli, 8, 8, 32), RV.i(.addiw, 9, 8, 0)]) == 1)
        #expect(try signExtensions([RV.i(.lw, 8, 15, 0), RV.i(.srli, 8, 8, 33), RV.i(.addiw, 9, 8, 0)]) == 0)
    }

    /// Each way of producing a value, from every start value, then `sext.w` (both spellings)
    /// into a cached and an uncached register, under both engines.
    @Test func everyRule() {
        let producers: [(Int, Int) -> [UInt32]] = [
            { d, s in [RV.i(.lw, d, 31, 8 * s)] }, { d, s in [RV.i(.lwu, d, 31, 8 * s)] },
            { d, s in [RV.i(.lb, d, 31, 8 * s + 3)] }, { d, s in [RV.i(.lbu, d, 31, 8 * s + 3)] },
            { d, s in [RV.i(.lh, d, 31, 8 * s + 2)] }, { d, s in [RV.i(.lhu, d, 31, 8 * s + 2)] },
            { d, s in [loadWord(d, s)] },
            { d, _ in [RV.lui(d, 0x80000)] }, { d, _ in [RV.lui(d, 0x7ffff), RV.addi(d, d, -1)] },
            { d, _ in [RV.addi(d, 0, -5)] },
            { d, s in [loadWord(d, s), RV.i(.addiw, d, d, 7), RV.addi(d, d, 0)] },           // mv of known
            { d, s in [loadWord(d, s), RV.addi(29, d, 0), RV.i(.andi, d, 29, -16)] },        // andi, unknown source
            { d, s in [loadWord(d, s), RV.i(.andi, d, d, 0x7f0)] },
            { d, s in [RV.i(.lw, d, 31, 8 * s), RV.i(.andi, d, d, -16)] },
            { d, s in [RV.i(.lw, d, 31, 8 * s), RV.i(.xori, d, d, -1)] },
            { d, s in [loadWord(d, s), RV.i(.ori, d, d, 1)] },
            { d, s in [RV.i(.lw, d, 31, 8 * s), RV.i(.srliw, 29, d, 3), RV.r(.xor, d, d, 29)] },
            { d, s in [RV.i(.lw, d, 31, 8 * s), loadWord(29, s), RV.r(.and, d, d, 29)] }, // one unknown
            { d, s in [RV.i(.lw, d, 31, 8 * s), RV.i(.lh, 29, 31, 8 * s), RV.r(.or, d, 29, d)] },
            { d, s in [loadWord(d, s), RV.i(.srli, d, d, 32)] }, { d, s in [loadWord(d, s), RV.i(.srli, d, d, 33)] },
            { d, s in [loadWord(d, s), RV.i(.srai, d, d, 31)] }, { d, s in [loadWord(d, s), RV.i(.srai, d, d, 32)] },
            { d, s in [loadWord(d, s), loadWord(29, (s + 1) % 9), RV.r(.sltu, d, d, 29)] },
            { d, s in [loadWord(d, s), loadWord(29, (s + 1) % 9), RV.r(.mulw, d, d, 29)] },
            { d, s in [loadWord(d, s), loadWord(29, (s + 1) % 9), RV.r(.add, d, d, 29)] },
            // The rotate peephole (Peephole+Rotate.swift) skips the shifts: their registers
            // hold nothing known afterwards.
            { d, s in [loadWord(d, s), RV.i(.slliw, 29, d, 3), RV.i(.srliw, d, d, 29), RV.r(.or, d, d, 29),
                       RV.i(.addiw, 29, 29, 0)] },
            { d, s in [loadWord(d, s), RV.i(.slli, 29, d, 13), RV.i(.srli, d, d, 51), RV.r(.or, d, d, 29)] },
            { d, s in [loadWord(d, s), RV.i(.slliw, 29, d, 3), RV.i(.srliw, 7, d, 29), RV.r(.or, d, 29, 7),
                       RV.addi(29, 0, 1), RV.addi(7, 0, 2)] },
        ]
        var code: [UInt32] = []
        var n = 0
        for vi in 0..<Self.values.count {
            for produce in producers {
                for (d, e) in [(10, 5), (6, 12), (8, 8), (28, 28)] {
                    code += produce(d, vi)
                    code += [RV.i(.addiw, e, d, 0), RV.sd(e, 30, 8 * (n % 256)), RV.r(.addw, 7, d, 0),
                             RV.sd(7, 30, 8 * ((n + 1) % 256)), RV.sd(29, 30, 8 * ((n + 2) % 256))]
                    n += 3
                }
            }
        }
        code += RV.exit
        expectSameUnderBothEngines(Program(code: code, data: Self.values, setup: { $0.setX(30, Layout.data + 0x800) }),
                                   blockRegisters: [true, false])
    }

    /// A loop whose body ends knowing a register that its start extends: the back edge starts
    /// over with nothing known (the first value extended is a `ld`'s).
    @Test func loopBackEdge() throws {
        let body: [UInt32] = [RV.i(.addiw, 11, 10, 0), RV.sd(11, 30, 0), RV.r(.add, 12, 12, 11), loadWord(10, 5),
                              RV.i(.lw, 10, 31, 8 * 3), RV.addi(28, 28, -1), RV.bne(28, 0, -24)]
        let p = Program(code: body + RV.exit, data: Self.values, setup: { s in
            s.setX(10, 0x1234_5678_9abc_def0)
            s.setX(28, 4)
            s.setX(30, Layout.data + 0x800)
        })
        let outcome = expectSameUnderBothEngines(p, blockRegisters: [true, false])
        #expect(outcome.x[28] == 0)
        // One in each copy of the loop (LoopPeel.swift): the second starts knowing nothing either.
        #expect(try signExtensions(body) == 2)
    }
}
