#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `--sandbox` against a guest trying every way out (Fixtures/src/hostile_sandbox.c).
@Suite struct HostileSandboxTests {
    let hostile = HostileTests()

    /// A fresh read-write directory and a read-only one holding `data`.
    func directories() throws -> (rw: String, ro: String) {
        let base = NSTemporaryDirectory() + "trapeze-sandbox-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: base + "/rw", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/ro", withIntermediateDirectories: true)
        try Data("data\n".utf8).write(to: URL(fileURLWithPath: base + "/ro/data"))
        return (base + "/rw", base + "/ro")
    }

    @Test("the sandbox refuses what lies outside it, under every engine", arguments: HostileTests.engines)
    func escapesAreRefused(engine: String) throws {
        let (rw, ro) = try directories()
        defer { try? FileManager.default.removeItem(atPath: (rw as NSString).deletingLastPathComponent) }
        let r = try hostile.trapeze(engine, ["--sandbox", "--allow-path", rw, "--allow-path", ro + ":ro"], "hostile_sandbox", [rw, ro])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            read /etc/passwd                   EACCES
            create in the rw directory         allowed
            read it back                       allowed
            symlink to /etc/passwd             allowed
            open through the symlink           EACCES
            openat dirfd ../../../etc/passwd   EACCES
            read in the ro directory           allowed
            write in the ro directory          EACCES
            create in the ro directory         EACCES
            unlink in the ro directory         EACCES
            mkdir in /tmp                      EACCES
            /proc/self/maps                    allowed
            /proc/self/status                  allowed
            /proc/cpuinfo                      EACCES
            /proc/1/cmdline                    EACCES
            /proc/self/cgroup                  EACCES
            kill the parent                    EPERM
            kill every process                 EPERM
            socket                             EPERM
            execve /bin/true                   EACCES
            still running

            """, "[\(engine)]")
        hostile.expectNoHostCrash(r, "sandbox [\(engine)]")
    }

    @Test("with --strace, each refusal says why")
    func straceSaysWhy() throws {
        let (rw, ro) = try directories()
        defer { try? FileManager.default.removeItem(atPath: (rw as NSString).deletingLastPathComponent) }
        let r = try hostile.trapeze("--engine interp", ["--sandbox", "--strace", "--allow-path", rw], "hostile_sandbox", [rw, ro])
        #expect(r.stderrText.contains("trapeze: sandbox refused openat of /etc/passwd: outside the sandbox's paths"), "\(r.stderrText)")
        #expect(r.stderrText.contains("trapeze: sandbox refused execve of "), "\(r.stderrText)")
    }

    @Test("sandbox options without --sandbox are usage errors")
    func optionsNeedSandbox() throws {
        let r = try hostile.trapeze("--engine interp", ["--allow-path", "/tmp"], "hostile_spin")
        #expect(r.status == 64)
    }
}
