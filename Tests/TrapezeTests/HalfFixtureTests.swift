import Foundation
import Testing
import TestSupport

/// `Fixtures/ext/half` (every Zfh instruction over edge and random values in every rounding
/// mode, all 65536 halves through the unary ops and conversions, NaN boxing, flh/fsh) prints
/// what qemu-riscv64 -cpu rv64,Zfh=true printed (`tools/build-ext-fixtures.sh`), on both engines;
/// a --cpu without Zfh makes it die of SIGILL (Zfhmin alone too: it has no fadd.h).
@Suite struct HalfFixtureTests {
    static let program = Paths.fixtures.appendingPathComponent("ext/half").path

    @Test(arguments: ["jit", "interp"])
    func matchesQEMU(engine: String) throws {
        let expected = try String(contentsOfFile: Paths.fixtures.appendingPathComponent("ext/half.expected").path, encoding: .utf8)
        let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, Self.program])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == expected)
    }

    @Test(arguments: ["rv64gc", "rva22", "rv64gc_zfhmin"])
    func diesWithoutZfh(cpu: String) throws {
        let r = try runProcess(Paths.trapeze, ["run", "--cpu", cpu, Self.program])
        #expect(r.status == 128 + 4 && r.stderrText.contains("illegal instruction"), "\(cpu): \(r.stderrText)")
    }
}
