import Foundation
import Testing
import TestSupport
import TrapezeCLI

/// A binfmt_misc registration of the built Trapeze under a name of its own, for one test: it
/// disables any other enabled riscv64 handler while it lasts and puts everything back however the
/// test ends. Names carry the test process's pid, so entries a killed test run left behind are
/// found and removed by the next run.
enum TestRegistration {
    static let kernel = BinfmtMisc()
    static let prefix = "trapeze-test-"
    nonisolated(unsafe) static var counter = 0

    /// Root, and binfmt_misc mounted (or mountable) with a writable `register`.
    static let available: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: Paths.trapeze) else { return false }
        return access("/proc/sys/fs/binfmt_misc/register", W_OK) == 0 || access("/proc/sys/fs/binfmt_misc", F_OK) == 0
    }()

    /// Removes test entries whose test process is gone.
    static func sweep() {
        for e in kernel.entries() where e.name.hasPrefix(prefix) {
            let pid = e.name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) } ?? 0
            if pid > 0 && kill(pid, 0) != 0 && errno == ESRCH { try? kernel.control(e.name, "-1") }
        }
    }

    static func newName() -> String {
        counter += 1
        return "\(prefix)\(getpid())-\(counter)"
    }

    /// Registers Trapeze (`trapeze binfmt install --name NAME FLAGS...`), runs `body`, removes it.
    static func with(_ flags: [String] = [], _ body: (String) throws -> Void) throws {
        sweep()
        let name = newName()
        let others = kernel.entries().filter { $0.enabled && $0.handlesRISCV64 }
        defer {
            if kernel.entry(name) != nil { try? kernel.control(name, "-1") }
            for o in others where kernel.entry(o.name)?.enabled == false { try? kernel.control(o.name, "1") }
        }
        let r = try runProcess(Paths.trapeze, ["binfmt", "install", "--name", name] + flags + (others.isEmpty ? [] : ["--replace"]))
        try #require(r.status == 0, "binfmt install: \(r.stderrText)")
        try body(name)
    }
}

/// Trapeze registered with the kernel for real: riscv64 programs run by path, as host processes.
@Suite(.serialized, .enabled(if: TestRegistration.available, "needs root and binfmt_misc"))
struct BinfmtKernelTests {
    static let probe = "Fixtures/bin/binfmt_probe"

    @Test("fixtures run by path give their recorded output and status",
          arguments: FixtureRun.all.filter { ["hello", "argv_env", "exitcode", "segv", "dynamic_hello"].contains($0.name) })
    func fixturesByPath(_ run: FixtureRun) throws {
        if run.flags.contains("dynamic") && !Tools.hasSysroot { return }
        try TestRegistration.with { _ in
            let r = try runProcess("Fixtures/bin/\(run.name)", run.arguments)
            #expect(r.stdout == run.expectedStdout, "\(r.stderrText)")
            #expect(r.status == run.expectedStatus)
        }
    }

    @Test("argv, /proc/self/exe and AT_EXECFN, with and without the P flag",
          arguments: [false, true])
    func argvAndNames(_ preserve: Bool) throws {
        try TestRegistration.with(preserve ? ["--preserve-argv0"] : []) { _ in
            let probe = Paths.fixtures.appendingPathComponent("bin/binfmt_probe").path
            let r = try runProcess("/bin/bash", ["-c", "exec -a custom-name \(probe) a 'b c'"])
            let text = String(decoding: r.stdout, as: UTF8.self)
            #expect(r.status == 3, "\(r.stderrText)")
            #expect(text == """
                argc = 3
                argv[0] = "\(preserve ? "custom-name" : probe)"
                argv[1] = "a"
                argv[2] = "b c"
                /proc/self/exe ends in "binfmt_probe"
                AT_EXECFN = "\(probe)"
                AT_SECURE = 0

                """)
        }
    }

    @Test("a guest execve of a riscv64 program goes through the kernel again; trapeze run still re-executes itself")
    func execveChain() throws {
        try TestRegistration.with { _ in
            let log = NSTemporaryDirectory() + "trapeze-binfmt-\(UUID().uuidString).log"
            defer { unlink(log) }
            let env = ["FIXTURE_ENV": "fixture-value", "TRAPEZE_BINFMT_FLAGS": "--log \(log)"]
            let r = try runProcess(Self.probe, ["exec", Self.probe, "x"], environment: env)
            let text = String(decoding: r.stdout, as: UTF8.self)
            #expect(r.status == 2, "\(r.stderrText)")
            #expect(text.contains("argv[1] = \"exec\"") && text.hasSuffix("argc = 2\nargv[0] = \"\(Self.probe)\"\nargv[1] = \"x\"\n/proc/self/exe ends in \"binfmt_probe\"\nAT_EXECFN = \"\(Self.probe)\"\nAT_SECURE = 0\n"))
            // Both programs were started by the kernel; the second one's end is logged too, under
            // the same pid (execve keeps it), with what its engine did.
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            let starts = lines.filter { !$0.contains(" exit (parent ") }
            let exits = lines.filter { $0.contains(" exit (parent ") }
            #expect(starts.count == 2 && starts.allSatisfy { $0.hasSuffix(" \(Self.probe)") }, "\(lines)")
            let pid = starts.first?.split(separator: " ").first
            #expect(starts.allSatisfy { $0.split(separator: " ").first == pid } && exits.count == 1, "\(lines)")
            if let exit = exits.first {
                #expect(exit.split(separator: " ").first == pid && exit.contains(" blocks translated, ")
                        && exit.contains(" from the cache (0 rejected), CPU ") && exit.hasSuffix(" ms system"), "\(exit)")
            }

            let viaRun = try runProcess(Paths.trapeze, ["run", Self.probe, "exec", Self.probe, "y"])
            #expect(viaRun.status == 2 && String(decoding: viaRun.stdout, as: UTF8.self).hasSuffix("argv[1] = \"y\"\n/proc/self/exe ends in \"binfmt_probe\"\nAT_EXECFN = \"\(Self.probe)\"\nAT_SECURE = 0\n"))
        }
    }

    @Test("a file with riscv64 magic that is not a loadable program: the same error as trapeze run")
    func badInput() throws {
        var bytes: [UInt8] = BinfmtMisc.magic
        bytes[16] = 2
        for tail in [[UInt8](), Array("not an ELF program".utf8)] {
            // A new file each time: rewriting one just executed can meet ETXTBSY while the
            // kernel still holds it for the previous run.
            let truncated = NSTemporaryDirectory() + "trapeze-binfmt-\(UUID().uuidString)"
            defer { unlink(truncated) }
            try Data(bytes + tail).write(to: URL(fileURLWithPath: truncated))
            chmod(truncated, 0o755)
            let expected = try runProcess(Paths.trapeze, ["run", truncated])
            try TestRegistration.with { _ in
                let r = try runProcess(truncated, [])
                #expect(r.status == 126 && r.status == expected.status)
                #expect(r.stderrText == expected.stderrText && r.stderrText.hasPrefix("trapeze: \(truncated): "), "\(r.stderrText)")
            }
        }
    }

    @Test("a riscv64 chroot without Trapeze or /proc in it: dynamic programs and execve chains run")
    func chroot() throws {
        guard Tools.hasSysroot, let chroot = Paths.which("chroot") ?? ["/usr/sbin/chroot"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let root = NSTemporaryDirectory() + "trapeze-chroot-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/lib", withIntermediateDirectories: true)
        for lib in ["ld-linux-riscv64-lp64d.so.1", "libc.so.6", "libm.so.6"] {
            try fm.copyItem(atPath: "\(Tools.sysroot)/lib/\(lib)", toPath: "\(root)/lib/\(lib)")
        }
        for program in ["dynamic_hello", "binfmt_probe"] {
            try fm.copyItem(atPath: Paths.fixtures.appendingPathComponent("bin/\(program)").path, toPath: "\(root)/\(program)")
        }
        try TestRegistration.with { _ in
            let hello = try runProcess(chroot, [root, "/dynamic_hello"])
            let expected = FixtureRun.all.first { $0.name == "dynamic_hello" }!
            #expect(hello.stdout == expected.expectedStdout && hello.status == 0, "\(hello.stderrText)")
            let chain = try runProcess(chroot, [root, "/binfmt_probe", "exec", "/binfmt_probe", "y"])
            #expect(chain.status == 2 && String(decoding: chain.stdout, as: UTF8.self).hasSuffix(
                "argv[0] = \"/binfmt_probe\"\nargv[1] = \"y\"\n/proc/self/exe ends in \"binfmt_probe\"\nAT_EXECFN = \"/binfmt_probe\"\nAT_SECURE = 0\n"),
                "\(chain.stderrText)")
        }
    }

    @Test("C flag: a setuid program gets its credentials and AT_SECURE, and TRAPEZE_* variables do not count")
    func credentials() throws {
        guard let setpriv = Paths.which("setpriv") ?? ["/usr/bin/setpriv"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let dir = NSTemporaryDirectory() + "trapeze-setuid-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var fs = statvfs()
        guard statvfs(dir, &fs) == 0, fs.f_flag & UInt(ST_NOSUID) == 0 else { return }  // setuid bits ignored there
        let program = dir + "/probe"
        try FileManager.default.copyItem(atPath: Paths.fixtures.appendingPathComponent("bin/binfmt_probe").path, toPath: program)
        chmod(program, 0o4755)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", program]
        try TestRegistration.with(["--credentials"]) { _ in
            let r = try runProcess(setpriv, asNobody, environment: ["TRAPEZE_BINFMT_FLAGS": "--bogus"])
            #expect(r.status == 1 && String(decoding: r.stdout, as: UTF8.self).hasSuffix("AT_SECURE = 1\n"), "\(r.stderrText)")
        }
        try TestRegistration.with { _ in
            let r = try runProcess(setpriv, asNobody)
            #expect(r.status == 1 && String(decoding: r.stdout, as: UTF8.self).hasSuffix("AT_SECURE = 0\n"), "\(r.stderrText)")
        }
    }

    @Test("install asks for --replace when another riscv64 handler exists; --replace disables it")
    func replace() throws {
        TestRegistration.sweep()
        let kernel = TestRegistration.kernel
        let other = TestRegistration.newName(), ours = TestRegistration.newName()
        let before = kernel.entries().filter { $0.enabled && $0.handlesRISCV64 }
        defer {
            for name in [other, ours] where kernel.entry(name) != nil { try? kernel.control(name, "-1") }
            for o in before where kernel.entry(o.name)?.enabled == false { try? kernel.control(o.name, "1") }
        }
        try kernel.register(BinfmtMisc.registration(name: other, interpreter: "/bin/true", flags: ""))
        let refused = try runProcess(Paths.trapeze, ["binfmt", "install", "--name", ours])
        #expect(refused.status == 1 && refused.stderrText.contains("--replace") && refused.stderrText.contains(other), "\(refused.stderrText)")
        #expect(kernel.entry(ours) == nil && kernel.entry(other)?.enabled == true)

        let replaced = try runProcess(Paths.trapeze, ["binfmt", "install", "--replace", "--name", ours])
        #expect(replaced.status == 0, "\(replaced.stderrText)")
        #expect(kernel.entry(ours)?.enabled == true && kernel.entry(other)?.enabled == false)
        let status = try runProcess(Paths.trapeze, ["binfmt", "status", "--name", ours])
        let shown = String(decoding: status.stdout, as: UTF8.self)
        #expect(status.status == 0 && shown.contains("\(ours) (Trapeze): enabled") && shown.contains("\(other): disabled"), "\(shown)")
    }

    @Test("uninstall removes Trapeze's entry and nothing else; status then says it is gone")
    func uninstall() throws {
        TestRegistration.sweep()
        let kernel = TestRegistration.kernel
        let before = kernel.entries().filter { !$0.name.hasPrefix(TestRegistration.prefix) }
        var name = ""
        try TestRegistration.with(["--preserve-argv0"]) { n in
            name = n
            #expect(kernel.entry(n)?.flags == "PF")
            let r = try runProcess(Paths.trapeze, ["binfmt", "uninstall", "--name", n])
            #expect(r.status == 0 && String(decoding: r.stdout, as: UTF8.self).hasPrefix("removed \(n)"))
        }
        #expect(kernel.entry(name) == nil)
        #expect(kernel.entries().filter { !$0.name.hasPrefix(TestRegistration.prefix) } == before)
        let status = try runProcess(Paths.trapeze, ["binfmt", "status", "--name", name])
        #expect(status.status == 1)
        let again = try runProcess(Paths.trapeze, ["binfmt", "uninstall", "--name", name])
        #expect(again.status == 0 && String(decoding: again.stdout, as: UTF8.self) == "\(name) is not registered\n")
    }
}
