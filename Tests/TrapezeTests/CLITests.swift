import Foundation
import Testing
import TestSupport

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

    @Test("too little host address space (ulimit -v) is one trapeze: line and status 71, not a crash",
          arguments: ["interp", "jit"])
    func hostAddressSpaceRefused(engine: String) throws {
        let command = "ulimit -v 2000000; exec \"$0\" run --engine \(engine) \"$1\""
        let r = try runProcess("/bin/sh", ["-c", command, Paths.trapeze, Paths.root.appendingPathComponent("Fixtures/bin/hello").path])
        #expect(r.status == 71, "status \(r.status): \(r.stderrText)")
        #expect(stderrLines(r).count == 1 && r.stderrText.hasPrefix("trapeze: ") && r.stderrText.contains("address space"), "\(r.stderrText)")
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

    /// A listing without its second line, which names the file by the path it was given.
    static func body(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 { lines.remove(at: 1) }
        return lines
    }

    /// Line-by-line equality, reporting the first difference rather than two huge arrays.
    static func expectSame(_ actual: [Substring], _ expected: [Substring], _ what: String) {
        if let i = (0..<min(actual.count, expected.count)).first(where: { actual[$0] != expected[$0] }) {
            Issue.record("\(what): line \(i + 1): got \"\(actual[i])\", objdump has \"\(expected[i])\"")
        } else {
            #expect(actual.count == expected.count, "\(what): \(actual.count) lines, objdump has \(expected.count)")
        }
    }

    /// The goldens are `riscv64-linux-gnu-objdump -d` (binutils 2.40) output, whole for the
    /// assembly fixtures (labels are STT_NOTYPE symbols; asm_illegal has `$d` data among its code,
    /// asm_pie short addresses and a PIE's linker symbols, hostile_wild glibc-free C) and the
    /// first 400 lines for hello (static glibc: weak/global ties, gp-relative comments).
    @Test("disasm is objdump -d, headers and <symbol+off> included", arguments: [
        ("asm_compressed", false), ("asm_loop", false), ("asm_pie", false), ("asm_illegal", false), ("asm_hello", false),
        ("hostile_wild", false), ("hello", true),
    ])
    func disasm(_ fixture: String, _ head: Bool) throws {
        let r = try runProcess(Paths.trapeze, ["disasm", Paths.fixtures.appendingPathComponent("bin/\(fixture)").path])
        #expect(r.status == 0)
        let golden = Self.goldens.appendingPathComponent(head ? "\(fixture)-head.objdump" : "\(fixture).objdump")
        let expected = Self.body(try String(contentsOf: golden, encoding: .utf8))
        var actual = Self.body(String(decoding: r.stdout, as: UTF8.self))
        if head { actual = Array(actual.prefix(expected.count - 1)) + [""] }
        #expect(expected.count > 15)
        Self.expectSame(actual, expected, fixture)
    }

    /// Every committed fixture against the installed objdump itself.
    @Test("disasm is objdump -d on every fixture",
          .enabled(if: Tools.objdump != nil, "riscv64-linux-gnu-objdump not installed"))
    func disasmEveryFixture() throws {
        let objdump = try #require(Tools.objdump)
        let bin = Paths.fixtures.appendingPathComponent("bin")
        let names = try FileManager.default.contentsOfDirectory(atPath: bin.path).sorted()
        #expect(names.count > 30)
        for name in names {
            let path = bin.appendingPathComponent(name).path
            let ours = try runProcess(Paths.trapeze, ["disasm", path])
            let theirs = try runProcess(objdump, ["-d", path])
            #expect(ours.status == 0 && theirs.status == 0, "\(name)")
            Self.expectSame(Self.body(String(decoding: ours.stdout, as: UTF8.self)),
                            Self.body(String(decoding: theirs.stdout, as: UTF8.self)), name)
        }
    }

    /// CSR names follow the privileged spec objdump picks: asm_csrnames (the CSRs named differently;
    /// an attribute section without a priv-spec tag, so 1.11) and system fixtures, then the same
    /// files without `.riscv.attributes` (1.12: menvcfg, mstatush, ... named; sedeleg not).
    @Test("disasm names CSRs by the ELF's privileged spec, as objdump does",
          .enabled(if: Tools.objdump != nil && Tools.objcopy != nil, "riscv64 binutils not installed"))
    func disasmPrivilegedSpec() throws {
        let objdump = try #require(Tools.objdump), objcopy = try #require(Tools.objcopy)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trapeze-privspec-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var differing = 0
        for name in ["bin/asm_csrnames", "system/bin/priv_csr", "system/bin/priv_vm"] {
            let original = Paths.fixtures.appendingPathComponent(name).path
            let name = (name as NSString).lastPathComponent
            let stripped = dir.appendingPathComponent("\(name)-noattr").path
            let strip = try runProcess(objcopy, ["-R", ".riscv.attributes", original, stripped])
            #expect(strip.status == 0, "\(strip.stderrText)")
            var listings: [[Substring]] = []
            for path in [original, stripped] {
                let ours = try runProcess(Paths.trapeze, ["disasm", path])
                let theirs = try runProcess(objdump, ["-d", path])
                #expect(ours.status == 0 && theirs.status == 0, "\(path)")
                let body = Self.body(String(decoding: theirs.stdout, as: UTF8.self))
                Self.expectSame(Self.body(String(decoding: ours.stdout, as: UTF8.self)), body, path)
                listings.append(body)
            }
            if listings[0] != listings[1] { differing += 1 }
        }
        // The check has teeth only if some fixture names a CSR the two specs name differently.
        #expect(differing > 0)
    }
}
