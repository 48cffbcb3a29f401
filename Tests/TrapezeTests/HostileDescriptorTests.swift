#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// Trapeze's own descriptors (the --max-processes table, a perf map, a trace file) are invisible
/// to the guest (Fixtures/src/hostile_fds.c): its first open is 3, no number it can name is open
/// unless it opened it, /proc/self/fd lists only its own, and writes, closes and dup2s over the
/// rest of the range reach nothing of Trapeze's.
@Suite struct HostileDescriptorTests {
    let hostile = HostileTests()

    static let expected = """
        first open: 3
        open: 0 1 2 3
        /proc/self/fd: 5 entries, 0 not the program's
        writes to unopened numbers: all EBADF
        still running

        """

    /// Runs `trapeze ARGS...` from a shell that first closes every descriptor above 2 (the test
    /// runner's own would be inherited and seen by the guest); the shell prints its pid, which
    /// is Trapeze's after the exec, on stderr.
    func cleanRun(_ arguments: [String]) throws -> ProcessResult {
        let script = "echo $$ >&2; for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done; exec \"$@\""
        return try runProcess("/bin/bash", ["-c", script, "bash", Paths.trapeze] + arguments)
    }

    @Test("the process table's descriptors are not the guest's", arguments: HostileTests.engines)
    func processTable(engine: String) throws {
        let r = try cleanRun(["run"] + engine.split(separator: " ").map(String.init) + ["--max-processes", "4", HostileTests.fixture("hostile_fds")])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == HostileDescriptorTests.expected, "[\(engine)]")
        hostile.expectNoHostCrash(r, "[\(engine)]")
    }

    @Test("a perf map's descriptor is not the guest's, and the map is still written")
    func perfMap() throws {
        let r = try cleanRun(["run", "--perf-map", HostileTests.fixture("hostile_fds")])
        let pid = r.stderrText.split(separator: "\n").first.map(String.init) ?? ""
        let map = "/tmp/perf-\(pid).map"
        defer { unlink(map) }
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == HostileDescriptorTests.expected)
        let text = (try? String(contentsOfFile: map, encoding: .utf8)) ?? ""
        #expect(text.contains("guest:0x"), "perf map \(map)")
    }

    @Test("a trace file's descriptor is not the guest's, and the trace is still written")
    func traceFile() throws {
        let trace = NSTemporaryDirectory() + "trapeze-fds-\(UUID().uuidString).trace"
        defer { unlink(trace) }
        let r = try cleanRun(["run", "--engine", "interp", "--trace-file", trace, HostileTests.fixture("hostile_fds")])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == HostileDescriptorTests.expected)
        var st = stat()
        #expect(stat(trace, &st) == 0 && st.st_size > 0)
    }
}
