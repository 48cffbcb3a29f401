import Foundation
import Testing
import TestSupport

/// Every fixture of Fixtures/system/manifest.tsv under `trapeze system` on either engine: its
/// console output and exit status must be those in Fixtures/system/expected (which QEMU's
/// `virt` machine reproduces, except for the `noqemu` fixtures).
@Suite struct SystemFixtureTests {
    static let directory = Paths.fixtures.appendingPathComponent("system")

    static var names: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { String($0.split(separator: "\t")[0]) }
    }

    @Test("the manifest names every fixture binary") func manifest() {
        #expect(Self.names.count >= 8)
    }

    @Test("system fixture output and status match expected/", arguments: SystemFixtureTests.names, ["interp", "jit"])
    func fixture(_ name: String, _ engine: String) throws {
        let elf = Self.directory.appendingPathComponent("bin/\(name)").path
        let r = try runProcess(Paths.trapeze, ["system", "--engine", engine, "--timeout", "60"] + Self.clock(name) + [elf], timeout: 90)
        let expected = try String(contentsOf: Self.directory.appendingPathComponent("expected/\(name).out"), encoding: .utf8)
        let status = try String(contentsOf: Self.directory.appendingPathComponent("expected/\(name).status"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(String(decoding: r.stdout, as: UTF8.self) == expected, "\(name) (\(engine)): \(r.stderrText)")
        #expect("\(r.status)" == status, "\(name) (\(engine)): \(r.stderrText)")
    }

    /// The teaching kernel's lines come in the order its timer makes: task B spins 50 ms of
    /// `time` while 10 ms slices let A finish first. A host that stops the process for longer
    /// than B's spin (a loaded machine) lets B finish inside one slice, on QEMU as on Trapeze; so
    /// it runs on the instruction clock here, where the order is fixed. Its host-clock runs are
    /// `kernelStats` (counts, not order) and the boot tests.
    static func clock(_ name: String) -> [String] { name == "kernel" ? ["--icount"] : [] }

    @Test("--stats counts the teaching kernel's traps, interrupts and page walks")
    func kernelStats() throws {
        let elf = Self.directory.appendingPathComponent("bin/kernel").path
        let r = try runProcess(Paths.trapeze, ["system", "--stats", elf])
        #expect(r.status == 0)
        let text = r.stderrText
        #expect(text.contains("environment call from U-mode"), "\(text)")
        #expect(text.contains("load page fault 1"), "\(text)")
        #expect(text.contains("supervisor timer interrupt") || text.contains("machine timer interrupt"), "\(text)")
        #expect(text.contains("supervisor external interrupt"), "\(text)")
        #expect(!text.contains(" 0 fills (page walks)"), "\(text)")
    }

    @Test("the teaching kernel under --icount: both engines print the same, retire the same instructions, take the same traps")
    func kernelIcount() throws {
        let elf = Self.directory.appendingPathComponent("bin/kernel").path
        var seen: [String: (out: String, retired: String, traps: String)] = [:]
        for engine in ["interp", "jit"] {
            let r = try runProcess(Paths.trapeze, ["system", "--icount", "--stats", "--engine", engine, elf], timeout: 120)
            #expect(r.status == 0, "\(engine): \(r.stderrText)")
            let lines = r.stderrText.split(separator: "\n").map(String.init)
            // "guest instructions retired N in S s": the count, not the time.
            let retired = lines.first { $0.contains("guest instructions retired") }?.split(separator: " ").dropFirst(4).first.map(String.init) ?? "?"
            let traps = lines.filter { $0.hasPrefix("trapeze: exceptions:") || $0.hasPrefix("trapeze: interrupts:") }.joined(separator: "\n")
            seen[engine] = (String(decoding: r.stdout, as: UTF8.self), retired, traps)
        }
        let expected = try String(contentsOf: Self.directory.appendingPathComponent("expected/kernel.out"), encoding: .utf8)
        #expect(seen["interp"]?.out == expected)
        #expect(seen["jit"]?.out == seen["interp"]?.out)
        #expect(seen["jit"]?.retired == seen["interp"]?.retired && seen["jit"]?.retired != "?",
                "retired: jit \(seen["jit"]?.retired ?? "") interp \(seen["interp"]?.retired ?? "")")
        #expect(seen["jit"]?.traps == seen["interp"]?.traps, "jit:\n\(seen["jit"]?.traps ?? "")\ninterp:\n\(seen["interp"]?.traps ?? "")")
    }

    @Test("--trace names the privilege of every instruction and each trap")
    func trace() throws {
        let elf = Self.directory.appendingPathComponent("bin/priv_trap").path
        let r = try runProcess(Paths.trapeze, ["system", "--trace", "--max-insns", "20000", elf])
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("M 0x1000: ") })
        #expect(lines.contains { $0.hasPrefix("S 0x") } && lines.contains { $0.hasPrefix("U 0x") })
        #expect(lines.contains { $0.hasPrefix("trap  environment call from S-mode from S-mode at pc 0x") })
    }
}
