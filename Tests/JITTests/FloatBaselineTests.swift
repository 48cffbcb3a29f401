import Foundation
import Testing
import TestSupport

/// The F/D lowerings without FMA3/AVX (`TRAPEZE_JIT_BASELINE=1`), which this process cannot
/// switch to once `CPUFeatures.host` is read: `trapeze difftest` runs FP fixtures in a child
/// process under both feature sets and compares the JIT with the interpreter instruction by
/// instruction.
@Suite struct FloatBaselineTests {
    @Test(arguments: ["0", "1"])
    func fpFixturesAgreeWithTheInterpreter(baseline: String) throws {
        for (name, args) in [("nbody", ["300"]), ("mandelbrot", ["40"]), ("lu", ["30"])] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Paths.trapeze)
            p.arguments = ["difftest", Paths.fixtures.appendingPathComponent("bin/\(name)").path] + args
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
