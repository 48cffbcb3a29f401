import Foundation
import Testing

/// The F/D lowerings without FMA3/AVX (`TRAPEZE_JIT_BASELINE=1`), which this process cannot
/// switch to once `CPUFeatures.host` is read: `trapeze difftest` runs FP fixtures in a child
/// process under both feature sets and compares the JIT with the interpreter instruction by
/// instruction.
@Suite struct FloatBaselineTests {
    /// The `trapeze` executable `swift test` builds beside the test bundle (or `TRAPEZE_BIN`).
    static var trapeze: String? {
        if let bin = ProcessInfo.processInfo.environment["TRAPEZE_BIN"] { return bin }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("trapeze").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bin")

    @Test(arguments: ["0", "1"])
    func fpFixturesAgreeWithTheInterpreter(baseline: String) throws {
        let trapeze = try #require(Self.trapeze, "trapeze executable not found")
        for (name, args) in [("nbody", ["300"]), ("mandelbrot", ["40"]), ("lu", ["30"])] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: trapeze)
            p.arguments = ["difftest", Self.fixtures.appendingPathComponent(name).path] + args
            var environment = ProcessInfo.processInfo.environment
            environment["TRAPEZE_JIT_BASELINE"] = baseline
            p.environment = environment
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0 && text.contains("jit and interp agree"), "\(name), baseline \(baseline): \(text)")
        }
    }
}
