import Foundation
import Guest
import RISCV
import Testing
import TestSupport
import Trapeze

/// `difftest`: the JIT agrees with the interpreter on fixtures, and an injected fault is caught
/// and pinned on exactly the instruction that was broken.
@Suite struct InspectDifftestTests {
    static let quick = ["asm_hello", "asm_exit", "asm_loop", "asm_compressed", "asm_pie", "asm_illegal", "asm_segv",
                        "hello", "setjmp", "exitcode"]

    @Test("the JIT agrees with the interpreter, block by block", arguments: quick)
    func agrees(_ name: String) throws {
        let guest = try loadFixture(name)
        let result = Difftest(guest, options: DifftestOptions(engine: .jit, memoryCheckInterval: 512)).run()
        #expect(result.divergence == nil, "\(name):\n\((result.divergence?.report ?? []).joined(separator: "\n"))")
        #expect(result.status?.processStatus == expectedStatus(name))
        #expect(result.instructions > 0)
    }

    /// The two longer fixtures the issue names, bounded so the suite stays quick.
    @Test("the JIT agrees on the first million instructions", arguments: ["qsort", "strings"])
    func agreesBounded(_ name: String) throws {
        let guest = try loadFixture(name)
        let result = Difftest(guest, options: DifftestOptions(engine: .jit, maxInstructions: 1_000_000)).run()
        #expect(result.divergence == nil, "\(name):\n\((result.divergence?.report ?? []).joined(separator: "\n"))")
        #expect(result.status == .instructionLimit)
        #expect(result.instructions == 1_000_000)
    }

    @Test("an injected fault is named: the first instruction with that opcode to change state",
          arguments: [Opcode.addi, .sd, .ld, .slli, .add, .lui, .auipc])
    func injectedFault(_ opcode: Opcode) throws {
        let guest = try loadFixture("hello")
        let result = Difftest(guest, options: DifftestOptions(engine: .jit, fault: FaultInjection(opcode: opcode))).run()
        let divergence = try #require(result.divergence)
        let culprit = try #require(divergence.culprit)
        #expect(culprit.instruction.opcode == opcode)
        #expect(!divergence.differences.isEmpty)
        let report = divergence.report.joined(separator: "\n")
        #expect(report.contains("=> " + culprit.text))
        #expect(report.contains("first differing instruction: " + culprit.text))
        // Every instruction before the culprit in the block retired identically: the culprit
        // really is the first with that opcode (or an earlier one wrote x0 / was masked).
        let responsible = try #require(divergence.responsible)
        #expect(divergence.instructions[..<responsible].allSatisfy { $0.instruction.opcode != opcode || $0.instruction.rd == 0 })
    }

    @Test("a wrong engine defined by the test is caught at the instruction it breaks")
    func wrongEngine() throws {
        let guest = try loadFixture("hello")
        let engine = WrongEngine(EngineKind.interp.make(), corrupting: .andi)
        let difftest = Difftest(hart: guest.hart, engine: engine, symbols: Symbolizer(guest.process.program),
                                options: DifftestOptions(engine: .interp))
        let divergence = try #require(difftest.run().divergence)
        let culprit = try #require(divergence.culprit)
        #expect(culprit.instruction.opcode == .andi)
        let rd = Int(culprit.instruction.rd)
        let diff = try #require(divergence.differences.first { $0.location.hasPrefix("x\(rd) ") })
        // The wrong engine added one.
        #expect(UInt64(diff.actual.dropFirst(2), radix: 16) == UInt64(diff.expected.dropFirst(2), radix: 16).map { $0 &+ 1 })
        #expect(culprit.symbol != nil, "guest symbols appear in the block dump")
    }

    @Test("a store to an address the interpreter did not write is found by the memory check")
    func strayStore() throws {
        let guest = try loadFixture("hello")
        let engine = WrongEngine(EngineKind.interp.make(), corrupting: nil, strayStoreOffset: -2048)
        let difftest = Difftest(hart: guest.hart, engine: engine, symbols: .none,
                                options: DifftestOptions(engine: .interp, memoryCheckInterval: 1))
        let divergence = try #require(difftest.run().divergence)
        #expect(divergence.differences.contains { $0.location.contains("not written by the interpreter") })
    }

    @Test("trapeze difftest exits 1 and names the broken instruction on stderr")
    func command() throws {
        let hello = Paths.fixtures.appendingPathComponent("bin/hello").path
        let bad = try runProcess(Paths.trapeze, ["difftest", "--inject-fault", "sd", hello])
        #expect(bad.status == 1)
        let lines = bad.stderrText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("trapeze: difftest: divergence in block") == true)
        let culprit = try #require(lines.first { $0.hasPrefix("first differing instruction:") })
        #expect(culprit.contains(" sd "))
        #expect(lines.contains { $0.hasPrefix("  => ") && $0.contains(" sd ") })
        let good = try runProcess(Paths.trapeze, ["difftest", hello])
        #expect(good.status == 0, "\(good.stderrText)")
        #expect(good.stderrText.contains("jit and interp agree"))
    }
}
