import Foundation
import TestSupport

/// One line of Fixtures/manifest.tsv: a fixture run and its expected results.
struct FixtureRun: CustomStringConvertible, Sendable {
    let name: String
    let arguments: [String]
    let flags: Set<String>
    /// Base name of the expected files: NAME or NAME.k for the k-th extra line of a fixture.
    let expectedBase: String

    var description: String { arguments.isEmpty ? name : "\(name) \(arguments.joined(separator: " "))" }
    var program: String { Paths.fixtures.appendingPathComponent("bin/\(name)").path }
    var expectedStdout: Data {
        (try? Data(contentsOf: Paths.fixtures.appendingPathComponent("expected/\(expectedBase).stdout"))) ?? Data()
    }
    var expectedStatus: Int32 {
        let text = (try? String(contentsOf: Paths.fixtures.appendingPathComponent("expected/\(expectedBase).status"), encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
    var stdinPath: String {
        flags.contains("stdin") ? Paths.fixtures.appendingPathComponent("expected/\(name).stdin").path : "/dev/null"
    }

    static let all: [FixtureRun] = {
        guard let text = try? String(contentsOf: Paths.fixtures.appendingPathComponent("manifest.tsv"), encoding: .utf8) else { return [] }
        var seen: [String: Int] = [:]
        var runs: [FixtureRun] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 3 else { continue }
            let args = cols[1] == "-" ? [] : cols[1].split(separator: " ").map(String.init)
            let k = seen[cols[0], default: 0]
            seen[cols[0]] = k + 1
            runs.append(FixtureRun(name: cols[0], arguments: args, flags: Set(cols[2].split(separator: ",").map(String.init)),
                                   expectedBase: k == 0 ? cols[0] : "\(cols[0]).\(k)"))
        }
        return runs
    }()
}

/// The result of running a process to completion.
struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a command with the fixture environment (exactly FIXTURE_ENV=fixture-value, cwd = root),
/// returning its status as a shell reports it (128+N for a death by signal N).
///
/// Spawned with posix_spawn directly: the child gets an empty signal mask and default signal
/// actions. (Test threads are dispatch workers that block signals, and Foundation's `Process`
/// passes that mask on, so a guest waiting for SIGALRM would wait forever.)
func runProcess(_ executable: String, _ arguments: [String], stdin: String = "/dev/null",
                environment: [String: String] = ["FIXTURE_ENV": "fixture-value"], timeout: TimeInterval = 120) throws -> ProcessResult {
    let outPath = NSTemporaryDirectory() + "trapeze-test-\(UUID().uuidString).out"
    let errPath = outPath.replacingOccurrences(of: ".out", with: ".err")
    defer {
        unlink(outPath)
        unlink(errPath)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // Every run's working directory is the repository root (the same for all tests).
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
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    // A program a test has just written can meet ETXTBSY: a child another test thread spawned
    // meanwhile holds a copy of the writing descriptor from its fork until its exec closes it.
    // That lasts microseconds, so try again a little later (as Go's os/exec does).
    var rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
    for _ in 0..<100 where rc == ETXTBSY {
        usleep(10_000)
        rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
    }
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { break }
        if r < 0 && errno != EINTR { break }
        if Date() > deadline { kill(pid, SIGKILL) }
        usleep(2000)
    }
    let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
    let code = signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
    let out = FileManager.default.contents(atPath: outPath) ?? Data()
    let err = FileManager.default.contents(atPath: errPath) ?? Data()
    return ProcessResult(status: code, stdout: out, stderr: err)
}
