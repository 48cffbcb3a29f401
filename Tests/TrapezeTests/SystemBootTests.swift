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

    @Test("SRST cold reboot restarts the machine from its images: OpenSBI and the payload start again",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func reboot() throws {
        // "quit" comes a second later, for the second boot (the first would take it into its
        // UART FIFO and lose it in the reset).
        let r = try runProcess("/bin/sh", ["-c", "(printf '\\nreboot\\n'; sleep 2; printf '\\n\\nquit\\n') | '\(Paths.trapeze)' system --timeout 60 --kernel '\(Self.binary("sbi_echo"))'"],
                               environment: ["PATH": "/usr/bin:/bin"], timeout: 90)
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(text.components(separatedBy: "OpenSBI v").count == 3, "\(text)")
        #expect(text.contains("sbi_echo: rebooting\r\n"), "\(text)")
        #expect(text.components(separatedBy: "sbi_echo: type lines").count == 3, "\(text)")
    }

    @Test("--no-reboot: a reset ends the run with status 1 and one trapeze: line",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func noReboot() throws {
        let r = try Self.trapeze(["--no-reboot", "--kernel", Self.binary("sbi_echo")], input: "\nreboot\n")
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 1, "\(r.stderrText)")
        #expect(text.components(separatedBy: "OpenSBI v").count == 2 && text.contains("sbi_echo: rebooting"), "\(text)")
        #expect(r.stderrText == "trapeze: the guest reset the machine (--no-reboot)\n", "\(r.stderrText)")
    }

    /// Runs sbi_echo on a pseudo-terminal (python3's pty module) and types at it.
    static let ptyScript = #"""
        import os, pty, select, termios, time, signal, sys
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], ["trapeze", "system", "--timeout", "120", "--kernel", sys.argv[2]])
        before = termios.tcgetattr(fd)
        out = b""
        def read_for(seconds):
            global out
            end = time.time() + seconds
            while time.time() < end:
                ready, _, _ = select.select([fd], [], [], max(0.0, end - time.time()))
                if not ready:
                    return
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    return
        def wait_for(text):
            end = time.time() + 40
            while text not in out and time.time() < end:
                read_for(0.1)
        wait_for(b"quit")
        # Typed once the prompt is out: a line typed while OpenSBI still prints the prompt
        # (one SBI call a character) can go missing in sbi_echo (see the README).
        read_for(0.5)
        during = termios.tcgetattr(fd)
        os.write(fd, b"hello\r")
        wait_for(b"echo 1")
        os.write(fd, b"a\x01\x01b\x03\r")   # Ctrl-A Ctrl-A is one Ctrl-A; Ctrl-C is a key for the guest
        wait_for(b"echo 2")
        if sys.argv[3] == "kill":
            os.kill(pid, signal.SIGKILL)
        else:
            os.write(fd, b"\x01x")
        _, status = os.waitpid(pid, 0)
        read_for(0.3)
        after = termios.tcgetattr(fd)
        print("raw", during[3] & (termios.ICANON | termios.ECHO | termios.ISIG) == 0)
        print("restored", after == before)
        print("status", os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
        sys.stdout.write(out.decode(errors="replace"))
        """#

    @Test("on a terminal: raw mode, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A x quits, the settings come back (also after SIGKILL)",
          .enabled(if: hasOpenSBI && Paths.which("python3") != nil, "opensbi or python3 not installed"),
          arguments: ["quit", "kill"])
    func terminal(_ ending: String) throws {
        let python = try #require(Paths.which("python3"))
        let r = try runProcess(python, ["-c", Self.ptyScript, Paths.trapeze, Self.binary("sbi_echo"), ending],
                               environment: ["PATH": "/usr/bin:/bin"], timeout: 150)
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(text.contains("raw True\n") && text.contains("restored True\n"), "\(text)")
        #expect(text.contains("echo 1: hello\r\n") && text.contains("echo 2: a\u{01}b\u{03}\r\n"), "\(text)")
        if ending == "quit" {
            #expect(text.contains("status 0\n") && text.contains("trapeze: the machine was stopped from the console (Ctrl-A x)"), "\(text)")
        } else {
            #expect(text.contains("status -9\n"), "\(text)")
        }
    }
}
