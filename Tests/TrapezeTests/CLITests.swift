import Foundation
import Testing

/// The command line as a user meets it: error lines and statuses, help text, and `disasm`
/// against binutils' objdump.
@Suite struct CLITests {
    static let goldens = Paths.root.appendingPathComponent("Tests/TrapezeTests/CLIGoldens")

    func stderrLines(_ r: ProcessResult) -> [Substring] { r.stderrText.split(separator: "\n") }

    @Test("a bad command line is a trapeze: line and status 64")
    func usageErrors() throws {
        for args in [["run", "--bogus", "x"], ["run", "--memory-limit", "lots", "x"], ["run", "--engine", "quantum", "x"], ["nosuch"],
                     ["difftest", "--inject-fault", "bogus", "x"], ["fuzz", "--engines", "jit"], ["fuzz", "--inject-fault", "bogus"]] {
            let r = try runProcess(Paths.trapeze, args)
            #expect(r.status == 64, "\(args): status \(r.status)")
            #expect(!stderrLines(r).isEmpty && stderrLines(r).allSatisfy { $0.hasPrefix("trapeze: ") }, "\(args): \(r.stderrText)")
        }
    }

    @Test("programs that cannot run: one trapeze: line, 127 or 126")
    func badPrograms() throws {
        let text = NSTemporaryDirectory() + "trapeze-cli-\(getpid()).txt"
        try "not a program\n".write(toFile: text, atomically: true, encoding: .utf8)
        defer { unlink(text) }
        let cases: [(String, Int32, String)] = [
            ("/nonexistent/prog", 127, "no such file"),
            ("/tmp", 126, "is a directory"),
            (text, 126, "not an ELF"),
            ("/bin/true", 126, "x86-64"),
        ]
        for (program, status, words) in cases {
            let r = try runProcess(Paths.trapeze, ["run", program])
            #expect(r.status == status, "\(program): status \(r.status)")
            #expect(stderrLines(r).count == 1 && r.stderrText.hasPrefix("trapeze: ") && r.stderrText.contains(words), "\(program): \(r.stderrText)")
        }
    }

    @Test("a guest fault names the guest pc and instruction")
    func faultLine() throws {
        for engine in ["interp", "jit"] {
            let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, Paths.fixtures.appendingPathComponent("bin/asm_illegal").path])
            #expect(r.status == 132)
            let line = stderrLines(r).first { $0.hasPrefix("trapeze: ") } ?? ""
            #expect(line.contains("guest pc 0x") && line.contains("SIGILL"), "\(engine): \(r.stderrText)")
        }
    }

    @Test("run --help matches its golden")
    func runHelp() throws {
        let r = try runProcess(Paths.trapeze, ["run", "--help"])
        let golden = try String(contentsOf: Self.goldens.appendingPathComponent("run-help.txt"), encoding: .utf8)
        #expect(r.status == 0)
        #expect(String(decoding: r.stdout, as: UTF8.self) == golden)
    }

    /// objdump's instruction lines (address, encoding, text) with the parts that depend on symbol
    /// types Trapeze's listing does not use (`# address` comments, `<symbol>` suffixes) removed.
    static func instructionLines(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cols.count >= 3, cols[0].hasSuffix(":"), cols[0].hasPrefix(" ") else { return nil }
            var t = cols[2...].joined(separator: "\t")
            if let hash = t.range(of: " #") { t = String(t[..<hash.lowerBound]) }
            if let angle = t.range(of: " <") { t = String(t[..<angle.lowerBound]) }
            return "\(cols[0].trimmingCharacters(in: .whitespaces))\t\(cols[1].trimmingCharacters(in: .whitespaces))\t\(t)"
        }
    }

    @Test("disasm agrees with riscv64-linux-gnu-objdump -d", arguments: [("asm_compressed", "asm_compressed.objdump"), ("hello", "hello-head.objdump")])
    func disasm(_ fixture: String, _ golden: String) throws {
        let r = try runProcess(Paths.trapeze, ["disasm", Paths.fixtures.appendingPathComponent("bin/\(fixture)").path])
        #expect(r.status == 0)
        let expected = Self.instructionLines(try String(contentsOf: Self.goldens.appendingPathComponent(golden), encoding: .utf8))
        let actual = Self.instructionLines(String(decoding: r.stdout, as: UTF8.self))
        #expect(expected.count > 50)
        #expect(Array(actual.prefix(expected.count)) == expected)
    }
}
