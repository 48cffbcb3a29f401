#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Limits that hold for the whole process tree, across fork and execve
/// (Fixtures/src/hostile_exec.c).
@Suite struct HostileLimitsTests {
    let hostile = HostileTests()

    @Test("--max-processes counts children that re-exec themselves, and frees their slots", arguments: HostileTests.engines)
    func forkExecLoop(engine: String) throws {
        let r = try hostile.trapeze(engine, ["--max-processes", "4"], "hostile_exec", ["forkexec"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            forked 3 exec'ing children, then fork failed: EAGAIN
            reaped 3
            fork after reaping: child status 7

            """, "[\(engine)]")
    }

    @Test("--max-insns is one budget across an execve chain", arguments: HostileTests.engines)
    func instructionBudgetAcrossExec(engine: String) throws {
        let r = try hostile.trapeze(engine, ["--max-insns", "3000000"], "hostile_exec", ["stages"])
        #expect(r.status == 124, "[\(engine)] \(r.stderrText)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderrText.contains("(--max-insns)"), "[\(engine)] \(r.stderrText)")
        let free = try hostile.trapeze(engine, [], "hostile_exec", ["stages", "3"])
        #expect(String(decoding: free.stdout, as: UTF8.self) == "all stages done\n")
    }

    @Test("--timeout ends children blocked in a system call, exec'd ones too", arguments: HostileTests.engines)
    func timeoutEndsTheTree(engine: String) throws {
        let r = try hostile.trapeze(engine, ["--timeout", "0.5"], "hostile_exec", ["blocked"])
        #expect(r.status == 124, "[\(engine)] \(r.stderrText)")
        let pids = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.hasPrefix("child ") ? Int32(line.dropFirst(6)) : nil
        }
        #expect(pids.count == 2, "[\(engine)] \(String(decoding: r.stdout, as: UTF8.self))")
        // The children's own timers fire a grace period after the deadline.
        let deadline = Date().addingTimeInterval(10)
        var alive = pids.filter(HostileLimitsTests.isRunning)
        while !alive.isEmpty && Date() < deadline {
            usleep(100_000)
            alive = alive.filter(HostileLimitsTests.isRunning)
        }
        #expect(alive.isEmpty, "[\(engine)] still running: \(alive)")
    }

    /// Alive and not a zombie (an orphaned child's zombie waits for init to reap it).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return false }
        return text[text.index(close, offsetBy: 2)] != "Z"
    }

    @Test("execve arguments beyond Linux's limits are E2BIG", arguments: HostileTests.engines)
    func bigArguments(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_exec", ["e2big"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "one 200 KiB argument: E2BIG\n30 arguments of 120 KiB: E2BIG\n")
    }

    @Test("execve with an argv[0] starting with '-' runs the program", arguments: HostileTests.engines)
    func dashArgv0(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_exec", ["dash"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "argv[0] is -dash\n")
    }
}
