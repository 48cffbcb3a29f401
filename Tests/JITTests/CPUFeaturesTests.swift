import Foundation
import JIT
import Testing

/// The JIT's host features come from glibc's start-up cpuid results (no cpuid of its own): they
/// must be what the kernel reports for this CPU in /proc/cpuinfo.
@Suite struct CPUFeaturesTests {
    @Test("detected host features equal /proc/cpuinfo's flags", .enabled(if: FileManager.default.isReadableFile(atPath: "/proc/cpuinfo")))
    func matchesCPUInfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: " ").map(String.init))
        let detected = CPUFeatures.detect()
        let expected: [(String, Bool)] = [("sse4_1", detected.sse41), ("fma", detected.fma), ("popcnt", detected.popcnt),
                                          ("abm", detected.lzcnt), ("bmi1", detected.bmi1), ("bmi2", detected.bmi2),
                                          ("aes", detected.aes), ("f16c", detected.f16c), ("pclmulqdq", detected.pclmul)]
        for (flag, has) in expected {
            #expect(flags.contains(flag) == has, "\(flag): cpuinfo \(flags.contains(flag)), detected \(has)")
        }
    }
}
