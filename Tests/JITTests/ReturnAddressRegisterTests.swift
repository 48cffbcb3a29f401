import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// ra in a cache register (rsi) in place of a1 (`JITOptions.returnAddressRegister`,
/// `RegisterMap.returnAddressCallerSaved`): the code shapes of a call, a prologue's `sd ra`, an
/// epilogue's `ld ra` and a return with the option on and off, and programs against the
/// interpreter under both maps — recursion, a1 kept busy (swapped in per block), helper calls
/// and host faults with ra and a1 live, budget exits everywhere.
@Suite struct ReturnAddressRegisterTests {
    static func options(_ on: Bool) -> JITOptions {
        var options = JITOptions(cacheSize: 1 << 20)
        options.returnAddressRegister = on
        options.inlineCalls = false // keep the callee a block of its own
        return options
    }

    /// The host code of the block at `pc` of `program`.
    static func hostText(_ program: Program, at pc: UInt64 = Layout.code, on: Bool) throws -> [String] {
        let (hart, _) = program.makeHart()
        let listing = try #require(JIT(options: options(on)).listing(hart, at: pc))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    /// The interpreter against the JIT with the option on and off, with and without chaining,
    /// block registers and host calls.
    @discardableResult
    static func expectSame(_ program: Program, maxInstructions: UInt64? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        expectSameUnderBothEngines(program, maxInstructions: maxInstructions, blockRegisters: [true, false],
                                   hostCalls: [false, true], returnAddress: [true, false], sourceLocation: sourceLocation)
    }

    /// Distinct start values in every register but x0; sp in the data area, x30 per test.
    static func program(_ code: [UInt32], x30: UInt64 = Layout.hole, setup: @escaping (GuestState) -> Void = { _ in }) -> Program {
        Program(code: code, setup: { s in
            for r in 1..<30 { s.setX(r, 0x9e37_79b9_7f4a_7c15 &* UInt64(r) ^ UInt64(r) << 40) }
            s.setX(2, Layout.data + 0x1000)
            s.setX(30, x30)
            setup(s)
        })
    }

    /// A function in fib's shape at code + 0x40: saves ra and s0 on the stack, calls itself
    /// for a0 - 1 and a0 - 2 unless a0 < 2, and returns their sum in a0 (x11, a1, counts the
    /// calls). `main` calls it with a0 = `n` and exits with the result.
    static func fib(_ n: Int, extra: [UInt32] = []) -> [UInt32] {
        var main: [UInt32] = [RV.addi(10, 0, n), RV.addi(11, 0, 0), RV.jal(1, 0x40 - 8)] + RV.exit
        main += Array(repeating: RV.addi(0, 0, 0), count: 0x40 / 4 - main.count)
        let body: [UInt32] = [
            RV.addi(11, 11, 1),                  // 0x40: count the call in a1
            RV.addi(5, 0, 2),                    // t0 = 2
            RV.blt(10, 5, 4 * 16),               // a0 < 2: return a0 (to 0x88)
            RV.addi(2, 2, -32),                  // 0x4c
            RV.sd(1, 2, 24), RV.sd(8, 2, 16), RV.sd(9, 2, 8),
            RV.addi(8, 10, 0),                   // s0 = n
            RV.addi(10, 10, -1), RV.jal(1, -4 * 9), // fib(n - 1)
            RV.addi(9, 10, 0),                   // 0x68: s1 = fib(n - 1)
            RV.addi(10, 8, -2), RV.jal(1, -4 * 12), // fib(n - 2)
            RV.add(10, 10, 9),                   // 0x74: the second call's landing
            RV.ld(1, 2, 24), RV.ld(8, 2, 16), RV.ld(9, 2, 8),
        ]
        return main + body + [RV.addi(2, 2, 32)] + extra + [RV.jalr(0, 1, 0)] // 0x88: `extra`, the return
    }

    @Test func codeShape() throws {
        let p = ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(10))
        // The call in main writes the link into rsi, not into ra's slot.
        let main = try ReturnAddressRegisterTests.hostText(p, on: true)
        #expect(main.contains("mov esi, 0x1000c"), "\(main)")
        #expect(!main.contains { $0.hasPrefix("mov qword ptr [rbx + 8],") })
        let mainOff = try ReturnAddressRegisterTests.hostText(p, on: false)
        #expect(mainOff.contains("mov qword ptr [rbx + 8], 0x1000c"), "\(mainOff)")
        // The prologue stores ra straight from rsi.
        let prologue = try ReturnAddressRegisterTests.hostText(p, at: Layout.code + 0x4c, on: true)
        #expect(prologue.contains("mov qword ptr [r15 + r10 + 0x18], rsi"), "\(prologue)")
        #expect(!prologue.contains { $0.contains("[rbx + 8]") }, "\(prologue)")
        // The epilogue loads ra into rsi and the return probes the table with it.
        let epilogue = try ReturnAddressRegisterTests.hostText(p, at: Layout.code + 0x74, on: true)
        #expect(epilogue.contains("mov rsi, qword ptr [r15 + r10 + 0x18]"), "\(epilogue)")
        #expect(epilogue.contains("mov rax, rsi"), "\(epilogue)")
        #expect(!epilogue.contains { $0.contains("[rbx + 8]") }, "\(epilogue)")
        let epilogueOff = try ReturnAddressRegisterTests.hostText(p, at: Layout.code + 0x74, on: false)
        #expect(epilogueOff.contains("mov rax, qword ptr [rbx + 8]"), "\(epilogueOff)")
    }

    @Test func recursion() {
        let outcome = ReturnAddressRegisterTests.expectSame(ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(12)))
        #expect(outcome.x[10] == 144)
        #expect(outcome.x[11] == 465) // calls of fib(12)
        for limit in stride(from: 1, through: 400, by: 13) {
            ReturnAddressRegisterTests.expectSame(ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(7)),
                                                  maxInstructions: UInt64(limit))
        }
    }

    /// a1 busy in a self-loop (swapped in there, with ra displaced or not) between calls, and
    /// ra read and written inside the loop.
    @Test func busyA1() {
        let code: [UInt32] = [
            RV.addi(28, 0, 30),
            RV.add(11, 11, 12), RV.r(.xor, 11, 11, 1), RV.add(1, 1, 11), RV.add(11, 11, 11),
            RV.r(.sub, 12, 12, 11), RV.add(11, 11, 28), RV.sd(11, 31, 0), RV.ld(1, 31, 0),
            RV.addi(28, 28, -1), RV.bne(28, 0, -4 * 9),
            RV.jal(1, 16), RV.add(10, 11, 1),
        ] + RV.exit + [RV.add(11, 11, 1), RV.jalr(0, 1, 0)]
        let p = ReturnAddressRegisterTests.program(code, setup: { s in s.setX(31, Layout.data) })
        ReturnAddressRegisterTests.expectSame(p)
        for limit in stride(from: 1, through: 300, by: 11) {
            ReturnAddressRegisterTests.expectSame(p, maxInstructions: UInt64(limit))
        }
    }

    /// Helper calls (an fflags access through the slow path) with ra and a1 live across them, in
    /// the callee and in a loop; then host faults in the callee (a load from the hole, a store to
    /// read-only memory) with ra holding the return address: the fault sees the interpreter's ra.
    @Test func helpersAndFaults() {
        let helper: [UInt32] = [RV.addi(21, 0, 0x1f), RV.csr(.csrrw, 20, 1, 21), RV.add(11, 11, 20),
                                RV.csr(.csrrs, 22, 1, 0), RV.add(1, 1, 0)]
        let called = ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(6, extra: helper))
        ReturnAddressRegisterTests.expectSame(called)
        for limit in stride(from: 1, through: 200, by: 7) {
            ReturnAddressRegisterTests.expectSame(called, maxInstructions: UInt64(limit))
        }
        let load = ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(5, extra: [RV.ld(20, 30, 0)]))
        #expect(ReturnAddressRegisterTests.expectSame(load).exceptions.count == 1)
        let store = ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(5, extra: [RV.sd(21, 30, 8)]),
                                                       x30: Layout.readOnly)
        #expect(ReturnAddressRegisterTests.expectSame(store).exceptions.count == 1)
        // mulhu (whose lowering uses rdx) and a division next to the return.
        let arithmetic: [UInt32] = [RV.r(.mulhu, 20, 1, 11), RV.r(.divu, 21, 11, 1), RV.r(.rem, 11, 11, 20)]
        ReturnAddressRegisterTests.expectSame(ReturnAddressRegisterTests.program(ReturnAddressRegisterTests.fib(6, extra: arithmetic)))
    }

    /// Indirect calls and returns through ra and a1: `jalr ra, a1`, then `jalr a1, ra` with ra odd
    /// and a return through a1.
    @Test func indirectThroughRAAndA1() {
        let code: [UInt32] = [
            RV.auipc(11, 0), RV.addi(11, 11, 0x24), // a1 = f1 (0x24)
            RV.jalr(1, 11, 0),                      // 0x08: call f1 through a1
            RV.auipc(1, 0), RV.addi(1, 1, 0x21),    // 0x0c: ra = f2 (0x2c), odd
            RV.jalr(11, 1, 0),                      // 0x14: call f2 through ra, linking in a1
            RV.add(10, 11, 10),                     // 0x18
        ] + RV.exit + [                             // 0x1c, 0x20
            RV.addi(10, 10, 3), RV.jalr(0, 1, 0),   // 0x24: f1 returns through ra
            RV.add(10, 10, 11), RV.jalr(0, 11, 0),  // 0x2c: f2 returns through a1
        ]
        let p = ReturnAddressRegisterTests.program(code)
        let outcome = ReturnAddressRegisterTests.expectSame(p)
        #expect(outcome.x[11] == Layout.code + 0x18)
        for limit in stride(from: 1, through: 12, by: 1) {
            ReturnAddressRegisterTests.expectSame(p, maxInstructions: UInt64(limit))
        }
    }
}
