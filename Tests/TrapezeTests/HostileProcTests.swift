import Foundation
import Testing

/// A guest attacking Trapeze through /proc (Fixtures/src/hostile_proc.c): the files that describe
/// the process are the guest's own or refused, under every spelling, for itself and its family.
@Suite struct HostileProcTests {
    let hostile = HostileTests()

    @Test("/proc/self/mem and friends are refused however they are spelled", arguments: HostileTests.engines)
    func memIsRefused(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["mem"])
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 16, "[\(engine)] \(out)")
        for line in lines.dropLast() {
            let refused = line.hasSuffix(" EACCES") || line.hasPrefix("pagemap") && line.hasSuffix(" ENOENT")
            #expect(refused, "[\(engine)] \(line)")
        }
        #expect(lines.last == "still running")
        hostile.expectNoHostCrash(r, "proc mem [\(engine)]")
    }

    @Test("auxv, cmdline, stat, status, comm and exe describe the guest", arguments: HostileTests.engines)
    func selfFilesAreTheGuests(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["self"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            auxv matches getauxval (full)
            cmdline is the guest's argv
            stat name hostile_proc
            stat startstack is a guest address above sp
            stat startcode brackets guest code
            stat arg_start is argv[0]
            status Name:\thostile_proc
            comm hostile_proc
            exe ends in hostile_proc
            task exe ends in hostile_proc
            maps lists the guest stack
            still running

            """)
    }

    @Test("a guest cannot open its parent's or child's mem", arguments: HostileTests.engines)
    func familyIsRefused(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["family"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            child opens parent mem       EACCES
            parent opens child mem       EACCES
            parent opens child auxv      EACCES
            parent opens child cgroup    opened
            child exited 0
            still running

            """)
    }
}
