import Foundation
import Testing
import TestSupport

/// `JITOptions.interpretFirst`: `trapeze run` interprets the first run of code at a pc that has
/// no block and translates only code that runs again. The fixture suite runs every program with
/// it on (`--engine jit`) and off (`--no-interpret-first`); these pin what it changes and what it
/// must not: the translation counts, the instruction count, `--max-insns` to the instruction,
/// that `TRAPEZE_JIT_INTERPRET_FIRST=0` turns it off, and that with a persistent cache a warm
/// run loads the blocks a cold run translated and interprets only the rest.
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

    @Test("TRAPEZE_JIT_INTERPRET_FIRST=0 translates every block from its first run")
    func switchedOff() throws {
        let env = try runProcess(Paths.trapeze, ["run", "--stats", Self.program("hello")],
                                 environment: ["FIXTURE_ENV": "fixture-value", "TRAPEZE_JIT_INTERPRET_FIRST": "0"])
        let e = try #require(Self.stats(env), "\(env.stderrText)")
        #expect(e.interpreted == 0 && e.translated > 300, "\(e)")
        let on = try runProcess(Paths.trapeze, ["run", Self.program("hello")], environment: ["FIXTURE_ENV": "fixture-value"])
        #expect(on.stdout == env.stdout)
    }

    /// With a persistent cache the cold run interprets and translates as without one (and saves
    /// what it translated); a warm run loads exactly those blocks, each at its first arrival,
    /// translates none and interprets only code no earlier run translated.
    @Test("with a persistent cache, a warm run loads what the cold run translated and interprets the rest",
          arguments: ["hello", "qsort", "fork_pipe"])
    func warmCache(_ name: String) throws {
        let directory = NSTemporaryDirectory() + "trapeze-interpret-first-\(name)-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loaded = { (r: ProcessResult) in r.stderrText.firstMatch(of: /blocks from disk cache +(\d+)/).flatMap { Int($0.1) } }
        let plain = try runProcess(Paths.trapeze, ["run", "--stats", Self.program(name)])
        let cold = try runProcess(Paths.trapeze, ["run", "--stats", "--jit-cache-dir", directory, Self.program(name)])
        let warm = try runProcess(Paths.trapeze, ["run", "--stats", "--jit-cache-dir", directory, Self.program(name)])
        let p = try #require(Self.stats(plain)), c = try #require(Self.stats(cold), "\(cold.stderrText)")
        let w = try #require(Self.stats(warm), "\(warm.stderrText)")
        #expect(plain.stdout == cold.stdout && cold.stdout == warm.stdout && plain.status == warm.status)
        if name != "fork_pipe" { // a fork's child translates in its own process and reports its own stats
            #expect(c.translated == p.translated && c.interpreted == p.interpreted && loaded(cold) == 0, "\(p) \(c)")
            // A block the cold run translated whose pc the warm run only passes through inside an
            // interpreted run (it never arrives there from the dispatcher) is not loaded.
            let l = try #require(loaded(warm))
            #expect(w.translated == 0 && l <= c.translated && l * 10 >= c.translated * 9, "cold \(c) warm \(w) \(warm.stderrText)")
            #expect(w.interpreted > 0 && w.interpreted < c.interpreted, "cold \(c) warm \(w)")
            #expect(w.executed == c.executed)
        }
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
