import Foundation

/// Where the package, its fixtures and the built `trapeze` binary are.
enum Paths {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Fixtures")

    /// The `trapeze` executable built beside this test bundle (`swift test` builds it too), or
    /// `TRAPEZE_BIN` when set.
    static var trapeze: String {
        if let bin = ProcessInfo.processInfo.environment["TRAPEZE_BIN"] { return bin }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary may sit inside a `.xctest` bundle directory.
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("trapeze").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("trapeze").path
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

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
func runProcess(_ executable: String, _ arguments: [String], stdin: String = "/dev/null",
                environment: [String: String] = ["FIXTURE_ENV": "fixture-value"], timeout: TimeInterval = 300) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.environment = environment
    p.currentDirectoryURL = Paths.root
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle(forReadingAtPath: stdin)
    try p.run()
    // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = DispatchTime.now() + timeout
    if group.wait(timeout: deadline) == .timedOut {
        p.terminate()
        group.wait()
    }
    p.waitUntilExit()
    let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
    return ProcessResult(status: status, stdout: outData, stderr: errData)
}
