import Foundation
import Testing
import TestSupport

/// Path-taking system calls cost the host what the guest asked for. A single-threaded process
/// outside the sandbox opens a file in one host call and checks what opened with one fstatfs
/// (the O_PATH-first checked path only for procfs files, for a threaded process, or with
/// TRAPEZE_OPEN_DIRECT=0); a sysroot of `/` (a riscv64 chroot's) adds no lookup to any path.
/// Both open paths must give the kernel's answers and keep /proc the guest's.
@Suite struct OpenPathTests {
    /// TRAPEZE_OPEN_DIRECT: the one-call open, and the checked path.
    static let paths = ["1", "0"]

    static func environment(_ direct: String) -> [String: String] {
        ["FIXTURE_ENV": "fixture-value", "TRAPEZE_OPEN_DIRECT": direct]
    }

    @Test("open_flags gets the kernel's answers on the direct and on the checked path", arguments: paths)
    func flags(direct: String) throws {
        let run = try #require(FixtureRun.all.first { $0.name == "open_flags" })
        for engine in ["jit", "interp"] {
            let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, run.program], environment: Self.environment(direct))
            #expect(r.status == run.expectedStatus, "[\(engine), direct \(direct)] \(r.stderrText)")
            #expect(r.stdout == run.expectedStdout, "[\(engine), direct \(direct)]: \(String(decoding: r.stdout, as: UTF8.self))")
        }
    }

    @Test("/proc/self/mem under every spelling is guest memory on both paths")
    func procOnBothPaths() throws {
        let results = try Self.paths.map { direct in
            try runProcess(Paths.trapeze, ["run", HostileTests.fixture("hostile_proc"), "mem"], environment: Self.environment(direct))
        }
        for (r, direct) in zip(results, Self.paths) {
            #expect(r.status == 0, "[direct \(direct)] \(r.stderrText)")
            let text = String(decoding: r.stdout, as: UTF8.self)
            #expect(text.contains("symlinked mem                guest memory"), "[direct \(direct)] \(text)")
            #expect(text.contains("auxv for writing             EACCES"), "[direct \(direct)] \(text)")
        }
        #expect(results[0].stdout == results[1].stdout)
    }

    /// Host system calls by name over a whole `trapeze run` (strace -f -c), for the named ones.
    static func hostCalls(_ arguments: [String], direct: String) throws -> [String: Int] {
        let strace = try #require(Tools.strace)
        let out = NSTemporaryDirectory() + "trapeze-strace-\(UUID().uuidString).txt"
        defer { unlink(out) }
        let r = try runProcess(strace, ["-f", "-c", "-o", out, "-e", "trace=openat,newfstatat,access,fstatfs,readlink",
                                        Paths.trapeze, "run", "--sysroot", "/"] + arguments, environment: environment(direct))
        #expect(r.status == 0, "\(arguments): \(r.stderrText)")
        var calls: [String: Int] = [:]
        for line in try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 5, let n = Int(fields[3]), let name = fields.last else { continue }
            calls[String(name)] = n
        }
        return calls
    }

    @Test("a guest open, failed open and lstat under sysroot / cost one host call each", .enabled(if: Tools.strace != nil, "strace not installed"))
    func oneHostCallEach() throws {
        let program = Paths.fixtures.appendingPathComponent("bin/open_many").path
        let none = try Self.hostCalls([program, "/", "0"], direct: "1")
        let many = try Self.hostCalls([program, "/", "200"], direct: "1")
        func delta(_ name: String) -> Int { (many[name] ?? 0) - (none[name] ?? 0) }
        // 200 opens of "/" and 200 of a missing file; 200 lstats; one fstatfs per opened file.
        #expect(delta("openat") == 400, "\(none) → \(many)")
        #expect(delta("newfstatat") == 200, "\(none) → \(many)")
        #expect(delta("fstatfs") == 200, "\(none) → \(many)")
        #expect(delta("access") == 0, "\(none) → \(many)")
        #expect(delta("readlink") == 0, "\(none) → \(many)")
        // The checked path opens twice (O_PATH, then the file) and asks procfs what it opened.
        let checked = try Self.hostCalls([program, "/", "200"], direct: "0")
        #expect((checked["openat"] ?? 0) - (none["openat"] ?? 0) >= 600, "\(none) → \(checked)")
    }
}
