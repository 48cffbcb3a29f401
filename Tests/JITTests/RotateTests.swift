import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// The rotate idiom (`slli`/`srli`/`or` and the W forms) as one x86 `rol`, and the shifts it
/// leaves out only when no one can see their results (Peephole+Rotate.swift).
@Suite struct RotateTests {
    /// Uncached (5, 6, 7, 28, 29), cached callee-saved (10, 13, 14, 15) and caller-saved (11, 12, 8).
    static let values: [UInt64] = [0x0123_4567_89ab_cdef, 0x8000_0001_8000_0001, 0xffff_ffff_7fff_fffe, 0x1]

    /// `li rd, values[k]` from the data area (x30 points at it).
    func loadValue(_ rd: Int, _ k: Int) -> UInt32 { RV.ld(rd, 30, 8 * k) }

    func program(_ code: [UInt32]) -> Program {
        Program(code: code + RV.exit, data: Self.values, setup: { $0.setX(30, Layout.data) })
    }

    /// Every amount of both widths, with the temporaries dead (overwritten), read again, left
    /// live at the block's end, swapped in the `or`, and the result in one of them.
    @Test func everyAmountAndRole() {
        for (left, right, width) in [(Opcode.slli, Opcode.srli, 64), (.slliw, .srliw, 32)] {
            for k in 1..<width {
                for (s, t, u, d) in [(10, 5, 6, 7), (5, 11, 13, 11), (8, 28, 12, 12), (14, 15, 29, 10)] {
                    var code = [loadValue(s, k % Self.values.count)]
                    code += [RV.i(left, t, s, k), RV.i(right, u, s, width - k), RV.r(.or, d, t, u)]
                    code += [RV.i(.addi, t == d ? 9 : t, 0, 3), RV.i(.addi, u == d ? 9 : u, 0, 4)] // dead
                    code += [RV.i(right, u, s, width - k), RV.i(left, t, s, k), RV.r(.or, 18, u, t)]
                    code += [RV.r(.xor, 19, t, 18)] // t read again: kept
                    code += [RV.i(left, 20, s, k), RV.i(right, 21, s, width - k), RV.r(.or, 22, 20, 21)] // live out
                    expectSameUnderBothEngines(program(code))
                }
            }
        }
    }

    /// Not rotates: amounts that do not add up, a redefined source, mixed widths, arithmetic
    /// shifts, two different sources.
    @Test func lookalikes() {
        let code: [UInt32] = [
            loadValue(10, 0), loadValue(11, 1),
            RV.i(.slli, 5, 10, 8), RV.i(.srli, 6, 10, 55), RV.r(.or, 7, 5, 6),
            RV.i(.slli, 5, 10, 8), RV.i(.addi, 10, 10, 1), RV.i(.srli, 6, 10, 56), RV.r(.or, 12, 5, 6),
            RV.i(.slliw, 5, 10, 8), RV.i(.srli, 6, 10, 24), RV.r(.or, 13, 5, 6),
            RV.i(.slli, 5, 11, 8), RV.i(.srai, 6, 11, 56), RV.r(.or, 14, 5, 6),
            RV.i(.slli, 5, 10, 8), RV.i(.srli, 6, 11, 56), RV.r(.or, 15, 5, 6),
            RV.i(.slli, 5, 10, 8), RV.i(.srli, 10, 10, 56), RV.r(.or, 8, 5, 10),
        ]
        expectSameUnderBothEngines(program(code))
    }

    /// A temporary that a later fault, a side exit or a budget exit could show is kept.
    @Test func observedTemporariesAreKept() {
        let rotate: [UInt32] = [loadValue(10, 0), RV.i(.slliw, 5, 10, 7), RV.i(.srliw, 6, 10, 25), RV.r(.or, 7, 5, 6)]
        // A load from address 0 faults before the temporaries are overwritten.
        let fault = rotate + [RV.ld(9, 0, 0), RV.i(.addi, 5, 0, 1), RV.i(.addi, 6, 0, 2)]
        #expect(expectSameUnderBothEngines(program(fault)).x[5] == (Self.values[0] << 7) & 0xffff_ffff | 0xffff_ffff_0000_0000)
        // A taken branch leaves before they are.
        let branch = rotate + [RV.beq(0, 0, 12), RV.i(.addi, 5, 0, 1), RV.i(.addi, 6, 0, 2)]
        expectSameUnderBothEngines(program(branch))
        // Any budget, so that the block is left at every segment boundary.
        let dead = rotate + [RV.i(.addi, 5, 0, 1), RV.i(.addi, 6, 0, 2), RV.i(.addi, 9, 0, 3)]
        for limit in 1...10 { expectSameUnderBothEngines(program(dead), maxInstructions: UInt64(limit)) }
    }

    /// The idiom becomes one rol and its dead shifts vanish.
    @Test func oneRotateInstruction() throws {
        let code: [UInt32] = [RV.i(.slliw, 5, 10, 7), RV.i(.srliw, 6, 10, 25), RV.r(.or, 7, 5, 6),
                              RV.i(.addi, 5, 0, 1), RV.i(.addi, 6, 0, 2)] + RV.exit
        let (hart, _) = Program(code: code).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        #expect(text.filter { $0.hasPrefix("rol") }.count == 1)
        #expect(!text.contains { $0.hasPrefix("shl") || $0.hasPrefix("shr") })
    }
}
