import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// sp, gp and tp checked when written instead of when used (Sources/JIT/ConfinedBases.swift):
/// accesses through them carry no limit check, every write of them in a block is checked, and
/// wild values (written in a block, or present when the dispatcher enters) still fault exactly
/// as in the interpreter and never reach Trapeze's own memory.
@Suite struct ConfinedBaseTests {
    static let limitOperand = "qword ptr [rbx + 0x\(String(StateOffset.memoryLimit, radix: 16))]"

    func hostCode(_ code: [UInt32]) throws -> [String] {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    /// Loads and stores off sp, gp and tp compare nothing with the limit; one off t0 does.
    @Test func accessesOffBasesAreUnchecked() throws {
        let text = try hostCode([RV.sd(10, 2, 8), RV.ld(11, 3, 16), RV.i(.lw, 12, 4, -4), RV.sd(10, 5, 0)])
        let checks = text.filter { $0.hasPrefix("cmp") && $0.hasSuffix(Self.limitOperand) }
        #expect(checks.count == 1, "\(text.joined(separator: "\n"))")
    }

    /// Writing sp compares the new value with the limit (`ja` to a cold exit); the accesses
    /// after it compare nothing.
    @Test func writeOfSpIsChecked() throws {
        let text = try hostCode([RV.addi(2, 2, -32), RV.sd(10, 2, 0), RV.sd(11, 2, 24)])
        let checks = text.indices.filter { text[$0].hasPrefix("cmp") && text[$0].hasSuffix(Self.limitOperand) }
        #expect(checks.count == 1, "\(text.joined(separator: "\n"))")
        if let k = checks.first {
            #expect(text[k].hasPrefix("cmp r10,"))
            #expect(text[k + 1].hasPrefix("ja "))
        }
    }

    /// Values above the limit and around it, including ones far outside guest memory.
    static let wild: [UInt64] = [Layout.limit, Layout.limit + 1, Layout.limit + 0x1000, Layout.limit + 0x10_0000,
                                 1 << 40, 1 << 63, UInt64.max - 7, UInt64.max, 0x7fff_ffff_f000]

    /// The accesses tried through a base: below it, at it and above it, loads and stores.
    func accesses(_ base: Int) -> [UInt32] {
        [RV.ld(5, base, -8), RV.sd(6, base, 0), RV.i(.lw, 7, base, 2040), RV.s(.sw, 7, base, -2048)]
    }

    /// Each wild value written to each base inside a block (inline `add`, a folded `lui`+`addi`,
    /// an `addi` off an in-range value), then accessed: the same registers, exceptions and
    /// instruction counts as the interpreter, also with the budget ending anywhere.
    @Test func wildWritesInBlock() {
        for base in 2...4 {
            for (k, value) in Self.wild.enumerated() {
                for access in accesses(base) {
                    let code = [RV.addi(9, 9, 1), RV.add(base, 0, 20), RV.addi(10, 10, 3), access, RV.addi(11, 11, 5)]
                    let p = Program(code: code + RV.exit, setup: { s in
                        s.setX(20, value)
                        s.setX(2, Layout.data + 0x100)
                    })
                    let outcome = expectSameUnderBothEngines(p)
                    #expect(outcome.x[base] == value, "x\(base) value \(k)")
                    for limit in 1...5 { expectSameUnderBothEngines(p, maxInstructions: UInt64(limit)) }
                }
            }
            // Folded constants: exactly the limit (allowed), just above it.
            for upper in [Int(Layout.limit >> 12), Int(Layout.limit >> 12) + 1] {
                let code = [RV.lui(base, upper), RV.addi(base, base, 8), RV.ld(5, base, -16), RV.sd(6, base, -8)]
                expectSameUnderBothEngines(Program(code: code + RV.exit))
            }
        }
    }

    /// sp, gp and tp wild when translated code would be entered: the dispatcher interprets until
    /// they are back in range, then translated code runs on (a loop that brings sp back).
    @Test func wildOnEntryAndBack() {
        for base in 2...4 {
            for value in Self.wild {
                // Loop: x28 counts down; on the third iteration the base is put back in range.
                let code: [UInt32] = [
                    RV.addi(28, 28, -1),
                    RV.bne(28, 29, 8), RV.add(base, 0, 31),   // x28 == x29: base = data
                    RV.bltu(base, 30, 8), RV.jal(0, 8),      // base below x30 (the limit): access
                    RV.sd(28, base, 16),
                    RV.bne(28, 0, -24),
                ]
                let p = Program(code: code + RV.exit, setup: { s in
                    s.setX(base, value)
                    s.setX(28, 6)
                    s.setX(29, 3)
                    s.setX(30, Layout.limit)
                })
                let outcome = expectSameUnderBothEngines(p)
                #expect(outcome.x[base] == Layout.data)
                #expect(outcome.exceptions.isEmpty)
            }
        }
    }

    /// A wild base whose guest address lands on Trapeze's own memory (the guest state block) is
    /// never used there: the store faults, the state is untouched, as in the interpreter.
    @Test func neverReachesTrapezeMemory() {
        for base in 2...4 {
            for viaWrite in [false, true] {
                var seen: [(pc: UInt64, instret: UInt64)] = []
                for engine in [Interpreter(), smallJIT(), smallJIT(chaining: false)] as [Engine] {
                    let code: [UInt32] = [RV.add(base, 0, 20), RV.sd(21, base, 0), RV.addi(9, 9, 1)]
                    let (hart, environment) = Program(code: (viaWrite ? code : Array(code.dropFirst())) + RV.exit).makeHart()
                    // The guest address of x5's slot in this hart's state block.
                    let slot = UInt64(UInt(bitPattern: hart.state.raw)) &+ UInt64(StateOffset.x + 8 * 5)
                    let address = slot &- UInt64(UInt(bitPattern: hart.memory.base))
                    hart.state.setX(viaWrite ? 20 : base, address)
                    hart.state.setX(21, 0xdead_beef)
                    hart.state.setX(5, 0x1234)
                    _ = engine.run(hart, maxInstructions: nil)
                    #expect(hart.state.x(5) == 0x1234, "x\(base) via write \(viaWrite)")
                    #expect(environment.exceptions.first?.cause == .storeAccessFault)
                    #expect(environment.exceptions.first?.tval == address)
                    seen.append((environment.exceptions.first?.pc ?? 0, hart.state.instret))
                }
                #expect(seen.allSatisfy { $0.pc == seen[0].pc && $0.instret == seen[0].instret })
            }
        }
    }
}
