import Foundation
import Testing

/// Every fixture in Fixtures/manifest.tsv, end to end through the `trapeze` binary, under each
/// engine: stdout and exit status must equal the committed expectations (which were produced by
/// qemu-riscv64 when the fixtures were built).
@Suite struct FixtureTests {
    /// Engine configurations every fixture runs under: the interpreter, the JIT, the JIT without
    /// chaining, and the JIT with a cache so small that it is flushed again and again.
    static let engines = ["--engine interp", "--engine jit", "--engine jit --no-chain", "--engine jit --jit-cache-size 256K"]
    static let cases: [(FixtureRun, String)] = FixtureRun.all.flatMap { run in engines.map { (run, $0) } }

    @Test("fixture output and status", arguments: cases)
    func fixture(_ run: FixtureRun, _ engine: String) throws {
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
    @Test("fixture output equals qemu-riscv64's", arguments: FixtureRun.all.filter { !$0.flags.contains("noqemu") })
    func matchesQEMU(_ run: FixtureRun) throws {
        guard let qemu = Paths.which("qemu-riscv64") else { return }
        var qemuArgs: [String] = []
        if run.flags.contains("dynamic") { qemuArgs += ["-L", "/usr/riscv64-linux-gnu"] }
        let q = try runProcess(qemu, qemuArgs + [run.program] + run.arguments, stdin: run.stdinPath)
        let t = try runProcess(Paths.trapeze, ["run", run.program] + run.arguments, stdin: run.stdinPath)
        #expect(t.status == q.status, "\(run): trapeze \(t.status), qemu \(q.status)")
        #expect(t.stdout == q.stdout, "\(run): stdout differs from qemu-riscv64's")
    }
}
