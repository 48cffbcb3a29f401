import Foundation
import Testing
import TestSupport

/// `JITOptions.interpretFirst`: `trapeze run` interprets the first run of code at a pc that has
/// no block and translates only code that runs again. The fixture suite runs every program with
/// it on (`--engine jit`) and off (`--no-interpret-first`); these pin what it changes and what it
/// must not: the translation counts, the instruction count, `--max-insns` to the instruction,
/// and that a persistent cache or `TRAPEZE_JIT_INTERPRET_FIRST=0` turns it off.
@Suite struct InterpretFirstTests {
    static func program(_ name: String) -> String { Paths.fixtures.appendingPathComponent("bin/\(name)").path }

    /// `--stats` numbers: blocks translated, first runs interpreted, guest instructions executed.
    static func stats(_ r: ProcessResult) -> (translated: Int, interpreted: Int, executed: Int)? {
        let text = r.stderrText
        guard let translated = text.firstMatch(of: /blocks translated +(\d+)/).flatMap({ Int($0.1) }),
              let executed = text.firstMatch(of: /guest insns executed +(\d+)/).flatMap({ Int($0.1) }) else { return nil }
        let interpreted = text.firstMatch(of: /interpreted first +(\d+) times/).flatMap { Int($0.1) } ?? 0
        return (translated, interpreted, executed)
    }

    @Test("a static hello translates only the code that runs more than once, and runs the same instructions",
          arguments: ["hello", "sha256", "qsort", "setjmp"])
    func fewerTranslations(_ name: String) throws {
        let on = try runProcess(Paths.trapeze, ["run", "--stats", Self.program(name)])
        let off = try runProcess(Paths.trapeze, ["run", "--stats", "--no-interpret-first", Self.program(name)])
        let a = try #require(Self.stats(on), "\(on.stderrText)"), b = try #require(Self.stats(off), "\(off.stderrText)")
        #expect(on.status == off.status && on.stdout == off.stdout, "\(name)")
        #expect(a.executed == b.executed, "\(name): \(a.executed) vs \(b.executed) instructions")
        #expect(a.interpreted > 0 && b.interpreted == 0, "\(name): \(a) \(b)")
        #expect(a.translated < b.translated, "\(name): \(a.translated) blocks translated against \(b.translated)")
        if name == "hello" { #expect(a.translated * 2 < b.translated, "most of hello's code runs once: \(a) \(b)") }
    }

    /// Interpreted first runs step one instruction at a time and stop at the limit like the
    /// interpreter: the report names the same instruction count and pc for every limit.
    @Test("--max-insns stops at the same instruction as the interpreter inside interpreted first runs",
          arguments: [1, 2, 7, 40, 333, 1000, 2345, 5999])
    func exactLimit(_ n: Int) throws {
        // hello retires about 7000 instructions in the fixture environment: every n stops it.
        let jit = try runProcess(Paths.trapeze, ["run", "--max-insns", "\(n)", Self.program("hello")])
        let interp = try runProcess(Paths.trapeze, ["run", "--engine", "interp", "--max-insns", "\(n)", Self.program("hello")])
        #expect(jit.status == 124 && interp.status == 124, "\(n): \(jit.stderrText)")
        let line = { (r: ProcessResult) in r.stderrText.split(separator: "\n").first { $0.contains("(--max-insns)") }.map(String.init) }
        #expect(line(jit) != nil && line(jit) == line(interp), "\(n): jit \(jit.stderrText) interp \(interp.stderrText)")
        #expect(jit.stdout == interp.stdout)
    }

    @Test("a persistent cache, or TRAPEZE_JIT_INTERPRET_FIRST=0, translates every block from its first run")
    func switchedOff() throws {
        let directory = NSTemporaryDirectory() + "trapeze-interpret-first-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cached = try runProcess(Paths.trapeze, ["run", "--stats", "--jit-cache-dir", directory, Self.program("hello")])
        let s = try #require(Self.stats(cached), "\(cached.stderrText)")
        #expect(s.interpreted == 0 && s.translated > 300, "\(s)")
        let env = try runProcess(Paths.trapeze, ["run", "--stats", Self.program("hello")],
                                 environment: ["FIXTURE_ENV": "fixture-value", "TRAPEZE_JIT_INTERPRET_FIRST": "0"])
        let e = try #require(Self.stats(env), "\(env.stderrText)")
        #expect(e.interpreted == 0 && e.translated > 300, "\(e)")
        #expect(cached.stdout == env.stdout)
    }

    /// A guest fork whose code runs for the first time, in the interpreter: the child must get a
    /// code cache of its own before it translates anything, as after a fork in translated code.
    @Test("fork, signals, threads and self-modifying code agree with and without interpreted first runs",
          arguments: ["fork_pipe", "fork_shared", "signals", "smc", "code_replace", "threads_forkmix"])
    func sameBehaviour(_ name: String) throws {
        let on = try runProcess(Paths.trapeze, ["run", Self.program(name)])
        let off = try runProcess(Paths.trapeze, ["run", "--no-interpret-first", Self.program(name)])
        let interp = try runProcess(Paths.trapeze, ["run", "--engine", "interp", Self.program(name)])
        #expect(on.status == interp.status && off.status == interp.status, "\(name): \(on.stderrText)")
        #expect(on.stdout == interp.stdout && off.stdout == interp.stdout, "\(name)")
    }
}
