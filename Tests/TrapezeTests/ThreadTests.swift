import Foundation
import Testing
import TestSupport

/// Threaded guests, run again and again (races are rare by nature) under both engines, and once
/// with many more threads than the host has cores. Each run must give the expected output.
@Suite struct ThreadTests {
    static let repeated = ["threads_basic", "threads_exit", "threads_forkmix", "fork_shared", "threads_cxx", "threads_sigshared",
                           "threads_sigpingpong"]
    static let engines = ["interp", "jit"]
    static let rounds = 6

    static func run(_ name: String, _ arguments: [String], engine: String) throws -> ProcessResult {
        try runProcess(Paths.trapeze, ["run", "--engine", engine, "--timeout", "60",
                                       Paths.fixtures.appendingPathComponent("bin/\(name)").path] + arguments)
    }

    @Test("threaded fixtures give the same output every time", arguments: repeated, engines)
    func repeatedRuns(_ name: String, _ engine: String) throws {
        let expected = try Data(contentsOf: Paths.fixtures.appendingPathComponent("expected/\(name).stdout"))
        for round in 0..<Self.rounds {
            let r = try Self.run(name, [], engine: engine)
            #expect(r.status == 0, "\(name) [\(engine)] round \(round): status \(r.status), stderr: \(r.stderrText)")
            #expect(r.stdout == expected, "\(name) [\(engine)] round \(round): \(String(decoding: r.stdout, as: UTF8.self))")
        }
    }

    @Test("forks while other threads take blocks from the persistent cache: every child runs")
    func forkWhileReadingTheCache() throws {
        // With a warm cache the worker thread reads saved blocks (under the store's lock) while
        // main forks; a child that inherited that lock held hung at its first use of the store.
        let dir = PersistentCacheTests.cacheDirectory()
        defer { PersistentCacheTests.remove(dir) }
        let program = Paths.fixtures.appendingPathComponent("bin/threads_forkmix").path
        let expected = try Data(contentsOf: Paths.fixtures.appendingPathComponent("expected/threads_forkmix.stdout"))
        for round in 0..<30 {
            let r = try runProcess(Paths.trapeze, ["run", "--timeout", "20", "--jit-cache-dir", dir, program])
            #expect(r.status == 0, "round \(round): status \(r.status), stderr: \(r.stderrText)")
            #expect(r.stdout == expected, "round \(round): \(String(decoding: r.stdout, as: UTF8.self))")
        }
    }

    @Test("more threads than cores", arguments: engines)
    func stress(_ engine: String) throws {
        let cores = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let n = cores * 24
        let r = try Self.run("threads_stress", [String(n)], engine: engine)
        #expect(r.status == 0, "stderr: \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) ==
                "\(n) threads: locked \(n * 20000 / 8) amo \(n * 20000) cas \(n * 20000) children \(n * 4)\n")
    }

    @Test("a fault in one thread kills the process with the faulting pc", arguments: engines)
    func faultingThread(_ engine: String) throws {
        for _ in 0..<3 {
            let r = try Self.run("threads_fault", [], engine: engine)
            #expect(r.status == 128 + 11)
            #expect(r.stderrText.contains("trapeze: guest pc 0x"), "\(r.stderrText)")
        }
    }

    @Test("--max-insns and --timeout end every thread", arguments: engines)
    func limitsEndAllThreads(_ engine: String) throws {
        // Two threads hashing for far longer than the limits allow.
        let bench = Paths.fixtures.appendingPathComponent("bin/threads_bench").path
        let timed = try runProcess(Paths.trapeze, ["run", "--engine", engine, "--timeout", "0.5", bench, "2", "36"])
        #expect(timed.status == 124, "stderr: \(timed.stderrText)")
        let counted = try runProcess(Paths.trapeze, ["run", "--engine", engine, "--max-insns", "20000000", bench, "2", "36"])
        #expect(counted.status == 124, "stderr: \(counted.stderrText)")
        #expect(counted.stderrText.contains("--max-insns"), "\(counted.stderrText)")
    }

    @Test("--max-insns is one budget for all threads, the main thread's work included", arguments: engines)
    func maxInsnsCountsEveryThread(_ engine: String) throws {
        // threads_bench 2: the main thread and one worker both hash, far past the limit.
        let bench = Paths.fixtures.appendingPathComponent("bin/threads_bench").path
        let limit: UInt64 = 100_000_000
        let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, "--stats", "--max-insns", String(limit), bench, "2", "34"])
        #expect(r.status == 124, "stderr: \(r.stderrText)")
        let line = r.stderrText.split(separator: "\n").first { $0.contains("guest instructions retired") }
        let retired = line.flatMap { $0.split(separator: " ").dropFirst(4).first }.flatMap { UInt64($0) }
        // At most one slice (65536) over the limit for the one other thread running.
        #expect(retired.map { $0 >= limit && $0 <= limit + 65536 } == true, "\(line ?? "no stats line")")
    }
}
