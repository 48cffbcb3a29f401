import Testing
import TrapezeCLI

/// `trapeze run`'s fast command-line path must agree with swift-argument-parser wherever it
/// answers, and must leave everything unusual (help, errors, odd forms) to it.
@Suite struct RunLineTests {
    /// Lines the fast path must take, as scripts, benchmarks and a guest's execve write them.
    static let plain: [[String]] = [
        ["run", "prog"],
        ["run", "prog", "a", "b"],
        ["run", "prog", "--", "a", "b"],
        ["run", "prog", "--engine", "interp", "-x", "--"],
        ["run", "--", "prog", "a"],
        ["run", "--engine", "interp", "prog"],
        ["run", "--engine=jit", "--stats", "prog", "x"],
        ["run", "-L", "/sysroot", "--strace", "--trace", "prog"],
        ["run", "--max-insns", "1000", "--timeout", "2.5", "prog"],
        ["run", "--trace-file", "/tmp/t", "--no-chain", "--perf-map", "prog"],
        ["run", "--memory-limit", "64M", "--max-processes", "3", "prog"],
        ["run", "--jit-cache-size=512K", "--argv0", "sh", "prog"],
        // GuestRun.reexecCommand's shape.
        ["run", "--engine", "jit", "--jit-cache-size", "67108864", "--no-chain", "--sysroot", "/s", "--strace",
         "--perf-map", "--timeout", "1.25", "--memory-limit", "1048576", "--max-processes", "4",
         "--argv0", "name", "--", "/bin/prog", "a", "--", "b"],
        ["run", "--max-insns", "12", "--argv0=-bash", "--", "/bin/prog"],
    ]

    /// Lines the fast path must leave to swift-argument-parser.
    static let unusual: [[String]] = [
        ["run"], ["run", "--help"], ["run", "-h"], ["run", "--engine"], ["run", "--engine", "qemu", "prog"],
        ["run", "--engine", "jit", "--engine", "interp", "prog"], ["run", "--bogus", "prog"],
        ["run", "--strace=1", "prog"], ["run", "-Lx", "prog"], ["run", "--timeout", "-1", "prog"],
        ["run", "--timeout", "nan", "prog"], ["run", "--max-processes", "0", "prog"],
        ["run", "--memory-limit", "lots", "prog"], ["run", "--jit-cache-size", "0", "prog"],
        ["run", "--max-insns", "many", "prog"], ["run", "--", "-prog"], ["run", "--", "prog", "--", "a"],
        ["run", "--argv0", "-sh", "prog"], ["dump", "prog"], ["--help"], [],
        ["run", "--gdb", "1234", "prog"], ["run", "-g", "1234", "prog"], ["run", "--gdb=1234", "prog"],
    ]

    @Test("plain lines take the fast path and parse as swift-argument-parser parses them", arguments: plain)
    func plainLines(_ line: [String]) throws {
        let fast = try #require(RunLine.fast(line))
        #expect(fast == (try RunLine.parsed(line)))
    }

    @Test("unusual lines are left to swift-argument-parser", arguments: unusual)
    func unusualLines(_ line: [String]) {
        #expect(RunLine.fast(line) == nil)
    }

    @Test("--gdb and -g name the port; they do not combine with tracing or limits")
    func gdb() throws {
        #expect(try RunLine.parsed(["run", "--gdb", "1234", "prog", "-x"]).gdbPort == 1234)
        #expect(try RunLine.parsed(["run", "-g", "0", "prog"]).gdbPort == 0)
        #expect(try RunLine.parsed(["run", "prog", "-g", "1"]).gdbPort == nil)  // the guest's own -g
        #expect(throws: (any Error).self) { try RunLine.parsed(["run", "--gdb", "70000", "prog"]) }
        #expect(throws: (any Error).self) { try RunLine.parsed(["run", "--gdb", "1234", "--trace", "prog"]) }
        #expect(throws: (any Error).self) { try RunLine.parsed(["run", "--gdb", "1234", "--max-insns", "5", "prog"]) }
    }

    @Test("the defaults are swift-argument-parser's")
    func defaults() throws {
        #expect(try RunLine.parsed(["run", "prog"]) == RunSettings(program: "prog"))
    }
}
