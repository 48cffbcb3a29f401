import Foundation
import Testing
import Trapeze

/// The libc-only replacements for what `trapeze` used to take from Foundation.
@Suite struct HostIOTests {
    @Test("the environment is Foundation's, as NAME=value strings sorted by their bytes")
    func environment() {
        let expected = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(HostIO.environment() == expected)
    }

    @Test("one variable, or nil")
    func variable() {
        #expect(HostIO.variable("PATH") == ProcessInfo.processInfo.environment["PATH"])
        #expect(HostIO.variable("TRAPEZE_SURELY_UNSET_VARIABLE") == nil)
    }

    @Test("fixed-point numbers print as printf prints them", arguments: [0.0, 0.0005, 1.25, 2.5, 3.14159, 1e9 / 7, -0.05, 1e300])
    func fixed(_ value: Double) {
        #expect(HostIO.fixed(value, digits: 3) == String(format: "%.3f", value))
        #expect(HostIO.fixed(value, digits: 1) == String(format: "%.1f", value))
    }

    @Test("createFile writes the whole text, or fails")
    func createFile() throws {
        let path = NSTemporaryDirectory() + "trapeze-hostio-\(UUID().uuidString)"
        defer { unlink(path) }
        let text = String(repeating: "line of text\n", count: 10_000)
        #expect(HostIO.createFile(path, contents: text))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(!HostIO.createFile("/nonexistent-dir/x", contents: "x"))
    }
}
