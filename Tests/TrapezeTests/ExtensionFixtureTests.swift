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

    // The crypto group (fpcrypto): AES-128, SHA-256/512 and SM4-shaped rounds plus sweeps, as QEMU 7.2 prints them.
    static var cryptoExpected: String {
        (try? String(contentsOf: dir.appendingPathComponent("crypto.expected"), encoding: .utf8)) ?? "missing"
    }

    @Test(arguments: [("jit", "0"), ("jit", "1"), ("interp", "0")])
    func cryptoPrintsQEMUsOutput(engine: String, baseline: String) throws {
        let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, Self.dir.appendingPathComponent("crypto").path],
                               environment: ["TRAPEZE_JIT_BASELINE": baseline])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == Self.cryptoExpected, "crypto under \(engine), baseline \(baseline)")
        // FIPS 197 C.1 and FIPS 180-4's "abc" digests, independently of QEMU.
        #expect(Self.cryptoExpected.contains("aes128 69c4e0d86a7b0430d8cdb78070b4c55a\n"))
        #expect(Self.cryptoExpected.contains("sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"))
    }

    @Test func cryptoDifftest() throws {
        let r = try runProcess(Paths.trapeze, ["difftest", Self.dir.appendingPathComponent("crypto").path])
        #expect(r.status == 0 && r.stderrText.contains("jit and interp agree"), "\(r.stderrText)")
    }

    @Test(.enabled(if: Tools.qemu != nil, "qemu-riscv64 not installed"))
    func cryptoQEMUStillAgrees() throws {
        let qemu = try #require(Tools.qemu)
        let r = try runProcess(qemu, ["-cpu", "rv64,zkne=true,zknd=true,zknh=true,zksh=true,zksed=true",
                                      Self.dir.appendingPathComponent("crypto").path])
        #expect(r.status == 0 && String(decoding: r.stdout, as: UTF8.self) == Self.cryptoExpected)
    }
}
