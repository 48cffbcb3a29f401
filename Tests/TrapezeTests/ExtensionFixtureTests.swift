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

    // RVA22/RVA23 scalar extensions (ext): self-checking against the specifications' values.
    @Test(arguments: [("jit", "0"), ("jit", "1"), ("interp", "0")])
    func rva23ChecksPass(engine: String, baseline: String) throws {
        let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, Self.dir.appendingPathComponent("rva23").path],
                               environment: ["TRAPEZE_JIT_BASELINE": baseline])
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0 && out.hasSuffix("failures 0\n") && !out.contains("FAIL"), "\(engine): \(out)\(r.stderrText)")
        let expected = try String(contentsOf: Self.dir.appendingPathComponent("rva23.expected"), encoding: .utf8)
        #expect(out == expected)
    }

    @Test func rva23Difftest() throws {
        let r = try runProcess(Paths.trapeze, ["difftest", Self.dir.appendingPathComponent("rva23").path])
        #expect(r.status == 0 && r.stderrText.contains("jit and interp agree"), "\(r.stderrText)")
    }

    @Test func rva23NeedsItsExtensions() throws {
        // RVA23 leaves Zacas optional: the fixture's first amocas is illegal there; rv64gc stops at c.lbu.
        for (cpu, status) in [("rva23s", Int32(132)), ("rv64gc", 132), ("rva23s_zacas", 0)] {
            let r = try runProcess(Paths.trapeze, ["run", "--cpu", cpu, Self.dir.appendingPathComponent("rva23").path])
            #expect(r.status == status, "\(cpu): \(r.stderrText)")
        }
    }

    // TRAPEZE_HOST_FEATURES and --cpu on fuzz and disasm (ext).
    @Test(arguments: ["baseline", "-pclmul,-aes", "-popcnt,-lzcnt,-bmi1,-bmi2"])
    func fuzzAgreesUnderMaskedHostFeatures(mask: String) throws {
        let r = try runProcess(Paths.trapeze, ["fuzz", "--seed", "11", "--count", "400"], environment: ["TRAPEZE_HOST_FEATURES": mask])
        #expect(r.status == 0 && String(decoding: r.stdout, as: UTF8.self).contains("agree on 400"), "\(mask): \(r.stderrText)")
        let fixture = try runProcess(Paths.trapeze, ["run", Self.dir.appendingPathComponent("bitmanip").path],
                                     environment: ["TRAPEZE_HOST_FEATURES": mask])
        #expect(String(decoding: fixture.stdout, as: UTF8.self) == Self.expected, "\(mask)")
    }

    @Test func fuzzAndDisasmTakeTheCPU() throws {
        let fuzz = try runProcess(Paths.trapeze, ["fuzz", "--seed", "5", "--count", "300", "--cpu", "rva22"])
        #expect(fuzz.status == 0, "\(fuzz.stderrText)")
        let program = Self.dir.appendingPathComponent("rva23").path
        let all = String(decoding: try runProcess(Paths.trapeze, ["disasm", program]).stdout, as: UTF8.self)
        let gc = String(decoding: try runProcess(Paths.trapeze, ["disasm", "--cpu", "rv64gc", program]).stdout, as: UTF8.self)
        let rva23 = String(decoding: try runProcess(Paths.trapeze, ["disasm", "--cpu", "rva23s", program]).stdout, as: UTF8.self)
        #expect(all.contains("\tamocas.q\ta0,a2,(a4)") && all.contains("\tc.mop.1\n") && all.contains("\tpause\n"))
        #expect(!gc.contains("amocas") && gc.contains("\t.4byte\t0x28c7452f") && gc.contains("\t.2byte\t0x81e8")
                && gc.contains("\tfence\tw,unknown"))
        #expect(!rva23.contains("amocas") && rva23.contains("\tlbu\ta0,3(a1)") && rva23.contains("\tntl.all"))
        let bad = try runProcess(Paths.trapeze, ["disasm", "--cpu", "rv99", program])
        #expect(bad.status == 64)
    }
}
