import Foundation
import Testing

/// The system-call fuzzer inside a guest (Fixtures/src/hostile_syscalls.c): random pointers,
/// lengths and flags to the emulated calls, a forked batch at a time; no batch may be killed,
/// which only a Trapeze crash would do (the guest's fault signals end a batch with status 99).
@Suite struct HostileFuzzTests {
    let hostile = HostileTests()

    @Test("random system calls from inside the guest never bring Trapeze down", arguments: HostileTests.engines)
    func fuzzFromInside(engine: String) throws {
        for seed in ["1", "7"] {
            let r = try hostile.trapeze(engine, [], "hostile_syscalls", [seed, "12"], timeout: 300)
            let out = String(decoding: r.stdout, as: UTF8.self)
            #expect(r.status == 0, "seed \(seed) [\(engine)]: \(out) \(r.stderrText)")
            #expect(out.hasSuffix(", 0 killed\n"), "seed \(seed) [\(engine)]: \(out)")
            hostile.expectNoHostCrash(r, "fuzz seed \(seed) [\(engine)]")
        }
    }
}
