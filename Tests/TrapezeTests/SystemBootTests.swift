import Foundation
import Testing
import TestSupport

/// Debian's own OpenSBI (`fw_dynamic`) booting under `trapeze system` and handing over to the
/// project's S-mode payloads (Fixtures/system/sbi): the payload's console output must be the
/// one in Fixtures/system/expected (recorded from `qemu-system-riscv64 -M virt -bios` with the
/// same firmware) and, where QEMU is installed, what QEMU prints now.
@Suite struct SystemBootTests {
    static let openSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
    static let hasOpenSBI = FileManager.default.isReadableFile(atPath: openSBI)
    static let qemuSystem = Paths.which("qemu-system-riscv64")
    static let directory = Paths.fixtures.appendingPathComponent("system")
    /// Piped to sbi_echo. It starts with a newline: OpenSBI's UART set-up drops one byte that
    /// may already be waiting, and the payload skips empty lines.
    static let echoInput = "\nhello\n\nworld\nquit\n"

    static func binary(_ name: String) -> String { directory.appendingPathComponent("bin/\(name)").path }
    static func expected(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("expected/\(name).out"), encoding: .utf8)
    }

    /// The payload's part of a console transcript: from its first line (`sbi_...`) on.
    static func payloadOutput(_ stdout: Data) -> String {
        let text = String(decoding: stdout, as: UTF8.self)
        guard let start = text.range(of: "\nsbi_") else { return "" }
        return String(text[text.index(after: start.lowerBound)...])
    }

    /// `trapeze system ARGS`, with `input` (when given) piped to its stdin through a shell.
    static func trapeze(_ args: [String], input: String? = nil) throws -> ProcessResult {
        guard let input else { return try runProcess(Paths.trapeze, ["system", "--timeout", "60"] + args, timeout: 90) }
        let quoted = ([Paths.trapeze, "system", "--timeout", "60"] + args).map { "'\($0)'" }.joined(separator: " ")
        return try runProcess("/bin/sh", ["-c", "printf '%s' \"$INPUT\" | \(quoted)"],
                              environment: ["INPUT": input, "PATH": "/usr/bin:/bin"], timeout: 90)
    }

    static func qemu(_ kernel: String, input: String?) throws -> ProcessResult {
        let command = "timeout 30 '\(qemuSystem ?? "")' -M virt -bios '\(openSBI)' -nographic -monitor none -serial stdio -kernel '\(kernel)'"
        return try runProcess("/bin/sh", ["-c", input == nil ? command + " </dev/null" : "printf '%s' \"$INPUT\" | " + command],
                              environment: ["INPUT": input ?? "", "PATH": "/usr/bin:/bin"], timeout: 60)
    }

    @Test("OpenSBI boots to its banner and starts sbi_hello (ELF and flat Image) in S-mode; SRST powers off with status 0",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"), arguments: ["sbi_hello", "sbi_hello.img"])
    func hello(_ kernel: String) throws {
        // No --bios: a kernel boots through the installed OpenSBI.
        let r = try Self.trapeze(["--kernel", Self.binary(kernel)])
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(text.contains("OpenSBI v") && text.contains("Platform Name             : riscv-virtio,qemu"), "\(text)")
        #expect(text.contains("Domain0 Next Address      : 0x0000000080200000") && text.contains("Domain0 Next Mode         : S-mode"), "\(text)")
        #expect(text.contains("Boot HART ISA Extensions  : time,sstc"), "\(text)")
        #expect(Self.payloadOutput(r.stdout) == (try Self.expected("sbi_hello")), "\(text)\n\(r.stderrText)")
        #expect(r.stderr.isEmpty, "\(r.stderrText)")
    }

    @Test("an explicit --bios works as the default does", .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func explicitBios() throws {
        let r = try Self.trapeze(["--bios", Self.openSBI, "--memory", "256M", "--kernel", Self.binary("sbi_hello")])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("Domain0 Next Arg1         : 0x000000008fe00000"))
        #expect(Self.payloadOutput(r.stdout) == (try Self.expected("sbi_hello")))
    }

    @Test("piped stdin reaches the UART: sbi_echo echoes lines it takes by PLIC interrupt in S-mode",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"), arguments: ["sbi_echo", "sbi_echo.img"])
    func echo(_ kernel: String) throws {
        let r = try Self.trapeze(["--kernel", Self.binary(kernel)], input: Self.echoInput)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(Self.payloadOutput(r.stdout) == (try Self.expected("sbi_echo")), "\(String(decoding: r.stdout, as: UTF8.self))\n\(r.stderrText)")
    }

    @Test("input from a file (not a pipe, not a terminal) reaches the guest too",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func echoFromFile() throws {
        let path = NSTemporaryDirectory() + "trapeze-echo-\(getpid()).in"
        try Data(Self.echoInput.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let r = try runProcess(Paths.trapeze, ["system", "--timeout", "60", "--kernel", Self.binary("sbi_echo")], stdin: path, timeout: 90)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(Self.payloadOutput(r.stdout) == (try Self.expected("sbi_echo")))
    }

    @Test("the payloads print what they print under qemu-system-riscv64 -M virt with the same firmware",
          .enabled(if: hasOpenSBI && qemuSystem != nil, "opensbi or qemu-system-riscv64 not installed"),
          arguments: ["sbi_hello", "sbi_echo"])
    func sameAsQEMU(_ name: String) throws {
        let input = name == "sbi_echo" ? Self.echoInput : nil
        let q = try Self.qemu(Self.binary(name), input: input)
        let t = try Self.trapeze(["--kernel", Self.binary(name)], input: input)
        #expect(q.status == t.status)
        #expect(!Self.payloadOutput(q.stdout).isEmpty)
        #expect(Self.payloadOutput(q.stdout) == Self.payloadOutput(t.stdout))
    }
}
