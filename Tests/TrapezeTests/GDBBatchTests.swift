import TestSupport
import Foundation
import Testing
import Trapeze

/// gdb-multiarch in batch mode against `trapeze run --gdb`, under both engines: what a person
/// debugging a guest does, checked in gdb's own output.
@Suite(.enabled(if: Paths.which("gdb-multiarch") != nil), .serialized)
struct GDBBatchTests {
    static let loop = Paths.fixtures.appendingPathComponent("bin/gdb_loop").path
    static let dynamic = Paths.fixtures.appendingPathComponent("bin/gdb_dynamic").path
    static let sysroot = "/usr/riscv64-linux-gnu"

    @Test("break at a function, backtrace, arguments, finish with its value", arguments: EngineKind.allCases)
    func function(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.loop)
        let out = try run.gdb(["break add_up", "continue", "bt", "info args", "finish", "continue"])
        #expect(out.contains("Breakpoint 1, add_up (count=10) at Fixtures/src/gdb_loop.c:11"))
        #expect(out.contains("#1  0x"))
        #expect(out.contains("in main (argc=1, argv="))
        #expect(out.contains("count = 10"))
        #expect(out.contains("Value returned is $1 = 55"))
        #expect(out.contains("exited with code 06"))
        let end = run.finish()
        #expect(end.status == 6)
        #expect(end.stdout == "sum 55\n")
    }

    @Test("step and next through a loop; locals at every stop", arguments: EngineKind.allCases)
    func loop(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.loop)
        let out = try run.gdb(["break 13", "continue", "continue", "continue", "print i", "print sum", "next", "next",
                               "next", "print i", "step", "print sum", "delete", "continue"])
        #expect(out.contains("$1 = 3"))  // i on the third pass
        #expect(out.contains("$2 = 3"))  // sum = 1 + 2 before the third addition
        #expect(out.contains("14\t        total = sum;"))
        #expect(out.contains("12\t    for (int i = 1; i <= count; i++) {"))
        #expect(out.contains("$3 = 4"))
        #expect(out.contains("$4 = 10"))
        #expect(out.contains("exited with code 06"))
        #expect(run.finish().status == 6)
    }

    @Test("a watchpoint stops right after the store that changed the value", arguments: EngineKind.allCases)
    func watchpoint(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.loop)
        let out = try run.gdb(["break add_up", "continue", "watch total", "continue", "print i", "continue", "print i",
                               "delete", "continue"])
        #expect(out.contains("Hardware watchpoint 2: total"))
        #expect(out.contains("Old value = 0\nNew value = 1\n"))
        #expect(out.contains("Old value = 1\nNew value = 3\n"))
        // Stopped before `i++`: a late stop would show the next i.
        #expect(out.contains("$1 = 1"))
        #expect(out.contains("$2 = 2"))
        #expect(out.contains("exited with code 06"))
        #expect(run.finish().status == 6)
    }

    @Test("a breakpoint in a dynamically linked library (libc's printf)",
          .enabled(if: Tools.hasSysroot, "no riscv64 sysroot"), arguments: EngineKind.allCases)
    func library(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.dynamic)
        // With a sysroot, gdb would look for the program under it too: name it first.
        let out = try run.gdb(["break printf", "continue", "bt", "continue"],
                              before: ["set sysroot \(Self.sysroot)", "file \(Self.dynamic)"])
        #expect(out.contains("in printf () from \(Self.sysroot)/lib/libc.so.6"))
        #expect(out.contains("in main () at Fixtures/src/gdb_dynamic.c:11"))
        #expect(out.contains("exited normally"))
        let end = run.finish()
        #expect(end.status == 0)
        #expect(end.stdout == "trapeze has 7 letters\n")
    }

    @Test("a fault stops the program with its signal, then ends it", arguments: EngineKind.allCases)
    func signal(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.loop, arguments: ["segv"])
        let out = try run.gdb(["continue", "bt", "continue"])
        #expect(out.contains("Program received signal SIGSEGV, Segmentation fault."))
        #expect(out.contains("in main (argc=2"))
        #expect(out.contains("Program terminated with signal SIGSEGV, Segmentation fault."))
        #expect(run.finish().status == 128 + SIGSEGV)
    }

    @Test("guest signals stop the guest first; continuing passes them to its handlers", arguments: EngineKind.allCases)
    func guestSignals(_ engine: EngineKind) throws {
        let signals = Paths.fixtures.appendingPathComponent("bin/signals").path
        let run = try GDBRun(engine: engine, program: signals)
        // gdb stops for SIGUSR1 and SIGUSR2 and passes SIGALRM on by itself.
        let out = try run.gdb(Array(repeating: "continue", count: 12))
        #expect(out.contains("Program received signal SIGUSR1, User defined signal 1."))
        #expect(out.contains("Program received signal SIGUSR2, User defined signal 2."))
        #expect(out.contains("exited normally"))
        let end = run.finish()
        #expect(end.status == 0)
        let expected = try String(contentsOf: Paths.fixtures.appendingPathComponent("expected/signals.stdout"), encoding: .utf8)
        #expect(end.stdout == expected)
    }

    @Test("Ctrl-C (SIGINT to gdb) stops a spinning guest; kill ends it", arguments: EngineKind.allCases)
    func interrupt(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.loop, arguments: ["spin"])
        let out = try run.gdb(["continue", "print total > 0", "kill"], interruptAfter: 1.5)
        #expect(out.contains("Program received signal SIGINT, Interrupt."))
        #expect(out.contains("$1 = 1"))
        #expect(out.contains("killed"))
        #expect(run.finish().status == 128 + SIGKILL)
    }

    @Test("detach lets the guest run to its end", arguments: EngineKind.allCases)
    func detach(_ engine: EngineKind) throws {
        let run = try GDBRun(engine: engine, program: Self.loop)
        let out = try run.gdb(["break add_up", "continue", "detach"])
        #expect(out.contains("Breakpoint 1, add_up"))
        #expect(out.contains("detached"))
        let end = run.finish()
        #expect(end.status == 6)
        #expect(end.stdout == "sum 55\n")
    }

    @Test("stepi lands on the same instruction under both engines")
    func stepsAgree() throws {
        var pcs: [String] = []
        for engine in EngineKind.allCases {
            let run = try GDBRun(engine: engine, program: Self.loop)
            let out = try run.gdb(["stepi 5000", "p/x $pc", "kill"])
            pcs.append(out.split(separator: "\n").last { $0.hasPrefix("$1 = ") }.map(String.init) ?? "none")
            #expect(run.finish().status == 128 + SIGKILL)
        }
        #expect(pcs[0] != "none")
        #expect(pcs[0] == pcs[1])
    }
}

/// One `trapeze run --gdb 0` (the system picks the port, which Trapeze announces on stderr).
final class GDBRun {
    let pid: pid_t
    let port: Int
    let out: String
    let err: String

    init(engine: EngineKind, program: String, arguments: [String] = []) throws {
        let base = NSTemporaryDirectory() + "trapeze-gdb-\(UUID().uuidString)"
        out = base + ".out"
        err = base + ".err"
        pid = try spawn(Paths.trapeze, ["run", "--engine", engine.rawValue, "--gdb", "0", program] + arguments,
                        stdout: out, stderr: err)
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil && Date() < deadline {
            let text = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            if let range = text.range(of: "waiting for gdb on 127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                usleep(10_000)
            }
        }
        guard let port else {
            kill(pid, SIGKILL)
            throw POSIXError(.ETIMEDOUT)
        }
        self.port = port
    }

    /// gdb's output for `commands` run after connecting (`before` runs first, before the
    /// connection). gdb finds the program itself, through `qXfer:exec-file:read`.
    func gdb(_ commands: [String], before: [String] = [], interruptAfter: Double? = nil) throws -> String {
        let output = out + ".gdb"
        defer { unlink(output) }
        let setup = ["set confirm off", "set pagination off", "set width 0"] + before + ["target remote 127.0.0.1:\(port)"]
        let args = ["-batch", "-nx"] + (setup + commands).flatMap { ["-ex", $0] }
        let gdb = try spawn(Paths.which("gdb-multiarch") ?? "gdb-multiarch", args, stdout: output, stderr: output)
        if let seconds = interruptAfter {
            usleep(UInt32(seconds * 1e6))
            kill(gdb, SIGINT)
        }
        _ = waitFor(gdb, timeout: 60)
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    /// Waits for Trapeze to end: its status (as a shell reports it) and stdout.
    func finish() -> (status: Int32, stdout: String) {
        let status = waitFor(pid, timeout: 30)
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        unlink(out)
        unlink(err)
        return (status, stdout)
    }
}

/// Starts a process with the test's working directory as the repository root, an empty signal
/// mask and default signal actions (test threads block signals; see `runProcess`).
private func spawn(_ executable: String, _ arguments: [String], stdout: String, stderr: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    _ = FileManager.default.changeCurrentDirectoryPath(Paths.root.path)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let environment: [String] = ["PATH=/usr/bin:/bin", "HOME=/tmp", "FIXTURE_ENV=fixture-value"]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    return pid
}

/// The process's status as a shell reports it; killed (and reported as 128+9) after `timeout`.
private func waitFor(_ pid: pid_t, timeout: TimeInterval) -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { break }
        if r < 0 && errno != EINTR { return -1 }
        if Date() > deadline { kill(pid, SIGKILL) }
        usleep(5000)
    }
    let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
    return signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
}
