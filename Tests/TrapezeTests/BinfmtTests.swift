import Foundation
import Testing
import TestSupport
import Trapeze
import TrapezeCLI

/// How Trapeze reads what binfmt_misc hands it, and its config; no kernel needed.
@Suite struct BinfmtLaunchTests {
    static let probe = Paths.fixtures.appendingPathComponent("bin/binfmt_probe").path

    @Test("without P the kernel passes {interpreter, PATH, ARGS...}: argv[0] is PATH")
    func withoutP() {
        let got = BinfmtLaunch.invocation(["/usr/bin/trapeze", "./prog", "a", "b"], preserveArgv0: false, execFilename: "./prog")
        #expect(got == .init(program: "./prog", argv0: "./prog", arguments: ["a", "b"]))
    }

    @Test("with P the program's own argv[0] follows PATH; a program started with no argv gets an empty one")
    func withP() {
        let got = BinfmtLaunch.invocation(["/usr/bin/trapeze", "/bin/ls", "ls", "-l"], preserveArgv0: true, execFilename: "/bin/ls")
        #expect(got == .init(program: "/bin/ls", argv0: "ls", arguments: ["-l"]))
        let empty = BinfmtLaunch.invocation(["/usr/bin/trapeze", "/bin/ls"], preserveArgv0: true, execFilename: "/bin/ls")
        #expect(empty == .init(program: "/bin/ls", argv0: "", arguments: []))
    }

    @Test("command lines that start Trapeze are not binfmt launches")
    func commandLines() throws {
        let trapeze = Paths.trapeze
        #expect(BinfmtLaunch.invocation([trapeze, "run", Self.probe], preserveArgv0: false, execFilename: trapeze) == nil)
        #expect(BinfmtLaunch.invocation([trapeze], preserveArgv0: false, execFilename: trapeze) == nil)
        #expect(BinfmtLaunch.invocation([trapeze, Self.probe], preserveArgv0: false, execFilename: nil) == nil)
        // A script whose #! line names Trapeze itself: argv[1] is Trapeze's argument, not a program.
        let script = try temporaryFile("#!\(trapeze) run\n")
        defer { unlink(script) }
        #expect(BinfmtLaunch.invocation([trapeze, "run", script], preserveArgv0: false, execFilename: script) == nil)
    }

    @Test("a #! script whose interpreter is a riscv64 program: argv[1] is the interpreter")
    func scriptChain() throws {
        let script = try temporaryFile("#!\(Self.probe) -x\n")
        defer { unlink(script) }
        let got = BinfmtLaunch.invocation(["/usr/bin/trapeze", Self.probe, "-x", script, "arg"], preserveArgv0: false, execFilename: script)
        #expect(got == .init(program: Self.probe, argv0: Self.probe, arguments: ["-x", script, "arg"]))
    }

    @Test("options come from the config file, then the environment variable; the sysroot gets a default")
    func settingsFromConfig() throws {
        let config = try temporaryFile("# Trapeze for binfmt\n--engine interp   # the reference engine\n\n--jit-cache-size 1M\n")
        let log = NSTemporaryDirectory() + "trapeze-binfmt-log-\(UUID().uuidString)"
        defer { unlink(config); unlink(log) }
        let env = ["TRAPEZE_BINFMT_CONFIG": config, "TRAPEZE_BINFMT_FLAGS": "--strace --log \(log)"]
        let invocation = BinfmtLaunch.Invocation(program: "/bin/prog", argv0: "prog", arguments: ["x", "--", "-y"])
        let s = try BinfmtLaunch.settings(invocation, secure: false, environment: { env[$0] })
        #expect(s.engine == .interp && s.jitCacheSize == "1M" && s.strace)
        #expect(s.program == "/bin/prog" && s.argv0 == "prog" && s.arguments == ["x", "--", "-y"])
        #expect(s.execThroughKernel)
        #expect(s.sysroot != nil)
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logged == "\(getpid()) /bin/prog\n")

        // A setuid program (AT_SECURE): its caller's environment chooses nothing.
        let secure = try BinfmtLaunch.settings(invocation, secure: true, environment: { env[$0] })
        #expect(secure.engine == .default && !secure.strace)

        let withRoot = try BinfmtLaunch.settings(invocation, secure: false, environment: { ["TRAPEZE_BINFMT_FLAGS": "--sysroot /opt/rv"][$0] })
        #expect(withRoot.sysroot == "/opt/rv")
    }

    @Test("a bad option in the config is one error naming where options come from")
    func badConfig() throws {
        let invocation = BinfmtLaunch.Invocation(program: "/bin/prog", argv0: "prog", arguments: [])
        #expect {
            _ = try BinfmtLaunch.settings(invocation, secure: false, environment: { ["TRAPEZE_BINFMT_FLAGS": "--bogus"][$0] })
        } throws: { error in
            "\(error)".contains("TRAPEZE_BINFMT_FLAGS") && "\(error)".contains("--bogus")
        }
    }

    @Test("entries are parsed as the kernel shows them; riscv64 handlers are recognised by their magic")
    func entries() throws {
        let qemu = try #require(BinfmtMisc.Entry(name: "qemu-riscv64", text: """
            enabled
            interpreter /usr/libexec/qemu-binfmt/riscv64-binfmt-P
            flags: POCF
            offset 0
            magic 7f454c460201010000000000000000000200f300
            mask ffffffffffffff00fffffffffffffffffeffffff

            """))
        #expect(qemu.enabled && qemu.flags == "POCF" && qemu.interpreter == "/usr/libexec/qemu-binfmt/riscv64-binfmt-P")
        #expect(qemu.handlesRISCV64)
        let arm = try #require(BinfmtMisc.Entry(name: "qemu-aarch64", text: """
            disabled
            interpreter /usr/bin/qemu-aarch64-static
            flags: F
            offset 0
            magic 7f454c460201010000000000000000000200b700
            mask ffffffffffffff00fffffffffffffffffeffffff
            """))
        #expect(!arm.enabled && !arm.handlesRISCV64)
        let python = try #require(BinfmtMisc.Entry(name: "python3.11", text: "enabled\ninterpreter /usr/bin/python3.11\nflags: \noffset 0\nmagic a70d0d0a\n"))
        #expect(!python.handlesRISCV64)
        let jar = try #require(BinfmtMisc.Entry(name: "jar", text: "enabled\ninterpreter /usr/bin/jexec\nflags: \nextension .jar\n"))
        #expect(!jar.handlesRISCV64)
        #expect(BinfmtMisc.Entry(name: "x", text: "") == nil)
    }

    @Test("the registration line: magic and mask as \\x escapes, the flags last")
    func registration() {
        let line = BinfmtMisc.registration(name: "trapeze-riscv64", interpreter: "/usr/bin/trapeze", flags: "PF")
        #expect(line == #":trapeze-riscv64:M:0:\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/trapeze:PF"#)
        #expect(BinfmtLaunch.isRISCV64(Array((try? Data(contentsOf: URL(fileURLWithPath: Self.probe))) ?? Data()).prefix(20).map { $0 }))
        #expect(!BinfmtLaunch.isRISCV64(Array("#!/bin/sh\n0123456789".utf8)))
    }
}

/// A file with `text`, for the tests to delete.
func temporaryFile(_ text: String, mode: mode_t = 0o755) throws -> String {
    let path = NSTemporaryDirectory() + "trapeze-binfmt-\(UUID().uuidString)"
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    chmod(path, mode)
    return path
}
