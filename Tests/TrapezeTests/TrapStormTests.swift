import Foundation
import Testing
import TestSupport
import Trapeze

/// A machine that traps forever without retiring anything: its trap vector cannot be fetched,
/// so every trap raises another at the same pc and `instret` stands still. Each trap spends one
/// unit of `--max-insns`, on both engines and on every way of running: plain, `--timeout`,
/// `--trace`, `difftest --system` (and so `fuzz --system`, which found it: seed 1178 of
/// `--loops` spun forever). Those counted the limit in retired instructions and never got there.
@Suite struct TrapStormTests {
    /// Sets mtvec to 0x4000_0000 (nothing is mapped there) and executes `ecall`: the ecall traps
    /// to the vector, whose fetch faults to the vector again, forever.
    static let code: [UInt32] = [
        RV.lui(5, 0x40000),
        RV.csr(.csrrw, 0, 0x305, 5), // csrw mtvec, t0
        0x0000_0073,                 // ecall
    ]

    static func image() throws -> String {
        let path = NSTemporaryDirectory() + "trapeze-storm-\(UUID().uuidString)"
        try SystemEngineTests.bareELF(code).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `--stats`: instructions retired and traps taken, by the report's lines.
    static func counts(_ r: ProcessResult) -> (retired: UInt64, traps: UInt64)? {
        let text = r.stderrText
        guard let retired = text.firstMatch(of: /instructions retired (\d+)/).flatMap({ UInt64($0.1) }),
              let faults = text.firstMatch(of: /instruction access fault (\d+)/).flatMap({ UInt64($0.1) }),
              let ecalls = text.firstMatch(of: /environment call from M-mode (\d+)/).flatMap({ UInt64($0.1) })
        else { return nil }
        return (retired, faults + ecalls)
    }

    @Test("a machine trapping forever stops at --max-insns: retired instructions plus traps make the limit",
          arguments: [["--engine", "interp"], ["--engine", "jit"], ["--engine", "jit", "--timeout", "600"],
                      ["--engine", "interp", "--timeout", "600"]])
    func limit(_ options: [String]) throws {
        let elf = try Self.image()
        defer { unlink(elf) }
        let r = try runProcess(Paths.trapeze, ["system", "--stats", "--max-insns", "30000"] + options + [elf], timeout: 120)
        #expect(r.status == 124, "\(options): \(r.stderrText)")
        #expect(r.stderrText.contains("(--max-insns) at pc 0x40000000 in M-mode"), "\(options): \(r.stderrText)")
        let counts = try #require(Self.counts(r), "\(options): \(r.stderrText)")
        #expect(counts.retired + counts.traps == 30000, "\(options): \(counts)")
        // The reset vector's six instructions, lui and csrw; the ecall is a trap, not retired.
        #expect(counts.retired == 8, "\(options)")
    }

    @Test("--trace stops a trap storm at --max-insns, one trap line per unit")
    func trace() throws {
        let elf = try Self.image()
        defer { unlink(elf) }
        let r = try runProcess(Paths.trapeze, ["system", "--trace", "--max-insns", "500", elf], timeout: 120)
        #expect(r.status == 124, "\(r.stderrText)")
        let lines = r.stderrText.split(separator: "\n")
        let executed = lines.filter { $0.hasPrefix("M 0x") }.count
        let traps = lines.filter { $0.hasPrefix("trap  ") }.count
        #expect(executed == 9, "the ecall is listed, then traps") // 8 retired and the ecall
        #expect(traps + executed - 1 == 500, "\(traps) traps")
    }

    @Test("difftest --system reaches --max-insns in a trap storm, the engines agreeing")
    func difftest() throws {
        let elf = try Self.image()
        defer { unlink(elf) }
        let r = try runProcess(Paths.trapeze, ["difftest", "--system", "--interval", "777", "--max-insns", "20000", elf], timeout: 120)
        #expect(r.stderrText.contains("jit and interp agree"), "\(r.stderrText)")
        #expect(r.status == 124, "\(r.stderrText)")
    }

    /// The privileged spec: ECALL raises an exception and so does not retire; minstret read in
    /// the handler is one more than read just before the ecall (the csrr itself retired).
    @Test("ecall on the machine does not retire: minstret counts the csrr before it, not the ecall",
          arguments: [EngineKind.interp, .jit])
    func ecallDoesNotRetire(_ kind: EngineKind) throws {
        let code: [UInt32] = [
            RV.auipc(5, 0), RV.addi(5, 5, 20), RV.csr(.csrrw, 0, 0x305, 5), // mtvec = the handler below
            RV.csrr(10, 0xB02),           // a0 = minstret
            0x0000_0073,                  // ecall
            RV.csrr(11, 0xB02),           // handler (0x8000_0014): a1 = minstret
            RV.lui(5, 0x100), RV.lui(6, 0x5), RV.addi(6, 6, 0x555), RV.sw(6, 5, 0), // finisher: pass
            RV.jal(0, 0),
        ]
        let path = NSTemporaryDirectory() + "trapeze-ecall-\(UUID().uuidString)"
        try SystemEngineTests.bareELF(code).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let outcome = try SystemEngineTests.run(path: path, kind)
        #expect(outcome.state[11] &- outcome.state[10] == 1, "a0 \(outcome.state[10]) a1 \(outcome.state[11])")
        #expect(outcome.traps.count == 1)
    }
}
