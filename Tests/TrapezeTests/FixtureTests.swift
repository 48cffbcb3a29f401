import Foundation
import Testing
import TestSupport

/// Every fixture in Fixtures/manifest.tsv, end to end through the `trapeze` binary, under each
/// engine: stdout and exit status must equal the committed expectations (which were produced by
/// qemu-riscv64 when the fixtures were built).
@Suite struct FixtureTests {
    /// Engine configurations every fixture runs under: the interpreter, the JIT (which interprets
    /// the first run of code), the JIT translating everything from the first run, the JIT without
    /// chaining, and the JIT with a cache so small that it is flushed again and again.
    static let engines = ["--engine interp", "--engine jit", "--engine jit --no-interpret-first", "--engine jit --no-chain",
                          "--engine jit --jit-cache-size 256K"]
    /// Dynamically linked fixtures load their libraries from the riscv64 sysroot, so they run
    /// only where it is installed.
    static let staticRuns = FixtureRun.all.filter { !$0.flags.contains("dynamic") }
    static let dynamicRuns = FixtureRun.all.filter { $0.flags.contains("dynamic") }
    static func underEveryEngine(_ runs: [FixtureRun]) -> [(FixtureRun, String)] {
        runs.flatMap { run in engines.map { (run, $0) } }
    }

    @Test("fixture output and status", arguments: underEveryEngine(staticRuns))
    func fixture(_ run: FixtureRun, _ engine: String) throws {
        try Self.expectExpected(run, engine)
    }

    @Test("dynamic fixture output and status", .enabled(if: Tools.hasSysroot, "no riscv64 sysroot"),
          arguments: underEveryEngine(dynamicRuns))
    func dynamicFixture(_ run: FixtureRun, _ engine: String) throws {
        try Self.expectExpected(run, engine)
    }

    static func expectExpected(_ run: FixtureRun, _ engine: String) throws {
        let options = engine.split(separator: " ").map(String.init)
        let r = try runProcess(Paths.trapeze, ["run"] + options + [run.program] + run.arguments, stdin: run.stdinPath)
        #expect(r.status == run.expectedStatus, "\(run) [\(engine)]: status \(r.status), stderr: \(r.stderrText)")
        #expect(r.stdout == run.expectedStdout, "\(run) [\(engine)]: stdout differs:\n\(String(decoding: r.stdout, as: UTF8.self))")
        if !run.flags.contains("fault") {
            #expect(!r.stderrText.contains("trapeze:"), "\(run) [\(engine)]: \(r.stderrText)")
        }
    }

    /// Where qemu-riscv64 is installed (`make test` installs it), the same run under QEMU now must
    /// agree with Trapeze — not only with the recorded expectations.
    @Test("fixture output equals qemu-riscv64's", .enabled(if: Tools.qemu != nil, "qemu-riscv64 not installed"),
          arguments: staticRuns.filter { !$0.flags.contains("noqemu") })
    func matchesQEMU(_ run: FixtureRun) throws {
        try Self.expectSameAsQEMU(run)
    }

    @Test("dynamic fixture output equals qemu-riscv64's", .enabled(if: Tools.qemu != nil, "qemu-riscv64 not installed"),
          .enabled(if: Tools.hasSysroot, "no riscv64 sysroot"), arguments: dynamicRuns.filter { !$0.flags.contains("noqemu") })
    func dynamicMatchesQEMU(_ run: FixtureRun) throws {
        try Self.expectSameAsQEMU(run)
    }

    static func expectSameAsQEMU(_ run: FixtureRun) throws {
        let qemu = try #require(Tools.qemu)
        var qemuArgs: [String] = []
        if run.flags.contains("dynamic") { qemuArgs += ["-L", Tools.sysroot] }
        let q = try runProcess(qemu, qemuArgs + [run.program] + run.arguments, stdin: run.stdinPath)
        let t = try runProcess(Paths.trapeze, ["run", run.program] + run.arguments, stdin: run.stdinPath)
        #expect(t.status == q.status, "\(run): trapeze \(t.status), qemu \(q.status)")
        #expect(t.stdout == q.stdout, "\(run): stdout differs from qemu-riscv64's")
    }
}
