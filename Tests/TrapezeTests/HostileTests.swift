#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// Hostile and broken guests, end to end through the `trapeze` binary under each engine:
/// confinement (wild accesses become guest signals, Trapeze stays intact), the resource limits,
/// signals sent to Trapeze, and the shape of Trapeze's own error messages.
@Suite struct HostileTests {
    /// Engine configurations, as option strings (`--engine jit --no-chain`, …).
    static let engines = FixtureTests.engines

    static func fixture(_ name: String) -> String { Paths.fixtures.appendingPathComponent("bin/\(name)").path }

    func trapeze(_ engine: String, _ options: [String], _ program: String, _ args: [String] = [],
                 timeout: TimeInterval = 60) throws -> ProcessResult {
        try runProcess(Paths.trapeze, ["run"] + engine.split(separator: " ").map(String.init) + options + [HostileTests.fixture(program)] + args,
                       timeout: timeout)
    }

    /// Trapeze's own failures would show up on stderr as a Swift crash report or a fatal error;
    /// a guest's death must not look like one.
    func expectNoHostCrash(_ r: ProcessResult, _ what: String) {
        for marker in ["Fatal error", "crashed", "Backtrace", "Segmentation fault", "Illegal instruction"] {
            #expect(!r.stderrText.contains(marker), "\(what): \(r.stderrText)")
        }
    }

    // MARK: Confinement

    @Test("wild accesses and jumps die by the guest's SIGSEGV", arguments: engines)
    func wildAccesses(engine: String) throws {
        for c in "abcdefghijklmopqrs" {
            let r = try trapeze(engine, [], "hostile_wild", [String(c)])
            #expect(r.status == 139, "case \(c) [\(engine)]: status \(r.status) \(r.stderrText)")
            #expect(String(decoding: r.stdout, as: UTF8.self) == "case \(c)\n")
            expectNoHostCrash(r, "case \(c) [\(engine)]")
        }
        // A misaligned AMO faults on its alignment before its address is looked at: SIGBUS.
        let n = try trapeze(engine, [], "hostile_wild", ["n"])
        #expect(n.status == 135)
        expectNoHostCrash(n, "case n [\(engine)]")
    }

    /// The guest learns Trapeze's host mappings (the test reads Trapeze's /proc/PID/maps and
    /// sends them on stdin: Trapeze refuses its own and its children's /proc files to the guest)
    /// and probes, for each, the guest address that would reach it from the guest memory base;
    /// then keeps running.
    @Test("guest addresses aliasing Trapeze's own mappings fault", arguments: engines)
    func hostMappingsAreUnreachable(engine: String) throws {
        let (status, out) = try probeWithHostMaps(engine)
        #expect(status == 0, "[\(engine)] status \(status): \(out)")
        #expect(out.contains("all confined"), "[\(engine)] \(out)")
        #expect(out.hasSuffix("still running after the faults\n"))
    }

    /// Runs `hostile_probe maps -`, answering its "ready" with Trapeze's host maps on stdin.
    func probeWithHostMaps(_ engine: String) throws -> (Int32, String) {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        // Close-on-exec: the suite runs tests in parallel, and a sibling's child that inherited
        // our write end would keep the guest's stdin (or our reader) from ever seeing EOF.
        guard closeOnExecPipe(&input) == 0, closeOnExecPipe(&output) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        for fd in input + output { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = [Paths.trapeze, "run"] + engine.split(separator: " ").map(String.init)
            + ["--timeout", "60", HostileTests.fixture("hostile_probe"), "maps", "-"]
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = [strdup("FIXTURE_ENV=fixture-value"), nil]
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Paths.trapeze, &actions, nil, &cArgs, &cEnv)
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        close(input[0])
        close(output[1])
        defer { close(output[0]) }
        guard spawned == 0 else { close(input[1]); throw POSIXError(.ENOEXEC) }
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        func readSome() -> Bool {
            let n = read(output[0], &buffer, buffer.count)
            if n > 0 { seen += buffer[0..<n] }
            return n > 0
        }
        while !String(decoding: seen, as: UTF8.self).contains("ready\n") && readSome() {}
        let maps = (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? ""
        _ = maps.utf8CString.withUnsafeBufferPointer { write(input[1], $0.baseAddress, $0.count - 1) }
        close(input[1])
        while readSome() {}
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = String(decoding: seen, as: UTF8.self)
        return (status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                text.hasPrefix("ready\n") ? String(text.dropFirst(6)) : text)
    }

    // MARK: Limits

    @Test("--memory-limit makes mmap, brk and malloc fail with ENOMEM", arguments: engines)
    func memoryLimit(engine: String) throws {
        for mode in ["malloc", "brk", "mmap"] {
            let r = try trapeze(engine, ["--memory-limit", "64M"], "hostile_alloc", [mode])
            let out = String(decoding: r.stdout, as: UTF8.self)
            #expect(r.status == 0, "\(mode) [\(engine)]: \(out) \(r.stderrText)")
            // The program and its 8 MiB stack count too, so somewhat less than 64 MiB is left.
            let mib = out.split(separator: " ").dropFirst(3).first.flatMap { Int($0) } ?? -1
            #expect(out.hasPrefix("\(mode): refused after ") && out.contains("(ENOMEM)"), "\(mode): \(out)")
            #expect(mib >= 40 && mib < 64, "\(mode): \(out)")
            #expect(out.hasSuffix("still working\n"))
        }
    }

    @Test("--max-processes makes fork fail with EAGAIN, and reaping frees the slots", arguments: engines)
    func maxProcesses(engine: String) throws {
        let r = try trapeze(engine, ["--max-processes", "4"], "hostile_fork")
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            forked 3 children, then fork failed: EAGAIN
            reaped 3
            fork after reaping: child status 7

            """)
    }

    @Test("--timeout stops a spinning guest with status 124 and one trapeze: line", arguments: engines)
    func timeoutSpinning(engine: String) throws {
        let start = Date()
        let r = try trapeze(engine, ["--timeout", "0.5"], "hostile_spin", ["spin"])
        #expect(r.status == 124)
        #expect(Date().timeIntervalSince(start) < 10)
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderrText)")
        #expect(lines.first?.hasPrefix("trapeze: timeout after 0.5 s at guest pc 0x") == true, "\(r.stderrText)")
        #expect(lines.first?.hasSuffix(")") == true, "the instruction is named: \(r.stderrText)")
    }

    @Test("--timeout also stops a guest blocked in a system call", arguments: engines)
    func timeoutBlocked(engine: String) throws {
        let start = Date()
        let r = try trapeze(engine, ["--timeout", "0.2"], "hostile_spin", ["sleep"])
        #expect(r.status == 124)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(r.stderrText.hasPrefix("trapeze: timeout after 0.2 s at guest pc 0x"), "\(r.stderrText)")
        #expect(r.stderrText.contains("(ecall)"))
    }

    @Test("a guest that finishes in time is not affected by --timeout", arguments: engines)
    func timeoutNotReached(engine: String) throws {
        let r = try trapeze(engine, ["--timeout", "60", "--memory-limit", "1G", "--max-processes", "8"], "hostile_spin")
        #expect(r.status == 0)
        #expect(String(decoding: r.stdout, as: UTF8.self) == "spun 499999500000\n")
        #expect(r.stderrText.isEmpty)
    }

    @Test("--max-insns and --timeout together: whichever comes first", arguments: engines)
    func maxInstructionsWithTimeout(engine: String) throws {
        let r = try trapeze(engine, ["--max-insns", "300000", "--timeout", "60"], "hostile_spin", ["spin"])
        #expect(r.status == 124)
        #expect(r.stderrText.hasPrefix("trapeze: stopped after 300000 instructions"), "\(r.stderrText)")
    }

    @Test func badLimitArgumentsAreUsageErrors() throws {
        for options in [["--memory-limit", "lots"], ["--memory-limit", "12Q"], ["--max-processes", "0"],
                        ["--timeout", "-1"], ["--timeout", "soon"]] {
            let r = try trapeze("--engine interp", options, "hostile_spin")
            #expect(r.status == 64, "\(options): \(r.status)")
            #expect(r.stdout.isEmpty)
        }
    }

    // MARK: Signals sent to Trapeze

    /// Starts `trapeze run` on hostile_spin in `mode`, waits for the guest's "ready", sends `signal`
    /// to Trapeze, and returns the status and everything the guest printed.
    ///
    /// Spawned directly rather than through `Process`: the test runner's threads block some
    /// signals, and a child inherits that mask; a shell would start Trapeze with none blocked.
    func signalTrapeze(_ engine: String, _ mode: String, _ signal: Int32) throws -> (Int32, String) {
        var fds: [Int32] = [0, 0]
        guard closeOnExecPipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = [Paths.trapeze, "run"] + engine.split(separator: " ").map(String.init)
            + ["--timeout", "20", HostileTests.fixture("hostile_spin"), mode]
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = [strdup("FIXTURE_ENV=fixture-value"), nil]
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Paths.trapeze, &actions, &attributes, &cArgs, &cEnv)
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attributes)
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { throw POSIXError(.ENOEXEC) }
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        func readSome() -> Bool {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { seen += buffer[0..<n] }
            return n > 0
        }
        while !String(decoding: seen, as: UTF8.self).contains("ready\n") && readSome() {}
        kill(pid, signal)
        while readSome() {}
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // As a shell reports it: the exit code, or 128+N for a death by signal N.
        let shellStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (shellStatus, String(decoding: seen, as: UTF8.self))
    }

    @Test("SIGINT/SIGTERM/SIGHUP kill a guest without handlers: status 128+N", arguments: engines)
    func signalsWithoutHandlers(engine: String) throws {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let (status, out) = try signalTrapeze(engine, "spin", sig)
            #expect(status == 128 + sig, "signal \(sig) [\(engine)]")
            #expect(out == "ready\n")
        }
    }

    @Test("SIGINT/SIGTERM/SIGHUP run the guest's own handlers", arguments: engines)
    func signalsWithHandlers(engine: String) throws {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let (status, out) = try signalTrapeze(engine, "handlers", sig)
            #expect(status == 40 + sig, "signal \(sig) [\(engine)]: \(out)")
            #expect(out == "ready\ncaught signal \(sig)\n")
        }
    }

    @Test("SIGSEGV/SIGBUS sent with kill reach the guest as signals, not as host faults", arguments: engines)
    func sentFaultSignals(engine: String) throws {
        for sig in [SIGSEGV, SIGBUS] {
            let (status, out) = try signalTrapeze(engine, "faulthandlers", sig)
            #expect(status == 40 + sig, "signal \(sig) [\(engine)]: \(out)")
            #expect(out == "ready\ncaught signal \(sig)\n")
            let (killed, spun) = try signalTrapeze(engine, "spin", sig)
            #expect(killed == 128 + sig, "signal \(sig) without handler [\(engine)]")
            #expect(spun == "ready\n")
        }
    }

    @Test("a guest handler that itself faults ends the guest by SIGSEGV", arguments: engines)
    func faultingHandler(engine: String) throws {
        let (status, out) = try signalTrapeze(engine, "badhandler", SIGTERM)
        #expect(status == 139, "[\(engine)] \(out)")
        #expect(out == "ready\nhandler faulting\n")
    }

    // MARK: Errors

    @Test func loaderErrorsAreOneTrapezeLine() throws {
        let notELF = Paths.fixtures.appendingPathComponent("manifest.tsv").path
        let cases: [(String, Int32)] = [("/nonexistent/program", 127), (Paths.fixtures.path, 126), (notELF, 126)]
        for (program, status) in cases {
            let r = try runProcess(Paths.trapeze, ["run", program])
            #expect(r.status == status, "\(program)")
            let lines = r.stderrText.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("trapeze: "), "\(program): \(r.stderrText)")
        }
    }
}

/// `pipe2(fds, O_CLOEXEC)`, which Swift's Glibc module does not export: a pipe, then both ends
/// marked close-on-exec.
private func closeOnExecPipe(_ fds: inout [Int32]) -> Int32 {
    guard pipe(&fds) == 0 else { return -1 }
    for fd in fds where fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 { return -1 }
    return 0
}
