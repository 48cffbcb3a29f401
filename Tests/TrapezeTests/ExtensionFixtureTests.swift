import Foundation
import Testing
import TestSupport

/// Fixtures built with extensions beyond RV64GC (`tools/build-ext-fixtures.sh`): the hash the
/// bit-manipulation program prints is QEMU 7.2's, under both engines, with the host's POPCNT/
/// LZCNT/BMI and without (`TRAPEZE_JIT_BASELINE=1`), and the JIT agrees with the interpreter
/// instruction by instruction.
@Suite struct ExtensionFixtureTests {
    static let dir = Paths.fixtures.appendingPathComponent("ext")
    static var expected: String {
        (try? String(contentsOf: dir.appendingPathComponent("bitmanip.expected"), encoding: .utf8)) ?? "missing"
    }

    @Test(arguments: [("jit", "0"), ("jit", "1"), ("interp", "0")])
    func bitmanipPrintsQEMUsHash(engine: String, baseline: String) throws {
        for name in ["bitmanip", "bitmanip-qemu"] {
            let program = Self.dir.appendingPathComponent(name).path
            let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, program],
                                   environment: ["TRAPEZE_JIT_BASELINE": baseline])
            #expect(r.status == 0, "\(name): \(r.stderrText)")
            #expect(String(decoding: r.stdout, as: UTF8.self) == Self.expected, "\(name) under \(engine), baseline \(baseline)")
        }
    }

    @Test func bitmanipDifftest() throws {
        let r = try runProcess(Paths.trapeze, ["difftest", Self.dir.appendingPathComponent("bitmanip").path])
        #expect(r.status == 0 && r.stderrText.contains("jit and interp agree"), "\(r.stderrText)")
    }

    @Test(.enabled(if: Tools.qemu != nil, "qemu-riscv64 not installed"))
    func qemuStillAgrees() throws {
        let qemu = try #require(Tools.qemu)
        let r = try runProcess(qemu, ["-cpu", "rv64,zba=true,zbb=true,zbc=true,zbs=true",
                                      Self.dir.appendingPathComponent("bitmanip-qemu").path])
        #expect(r.status == 0 && String(decoding: r.stdout, as: UTF8.self) == Self.expected)
    }
}
