import Foundation
import Testing
import TestSupport

/// `--cpu`: what `Fixtures/ext/cpuprobe` learns under each choice (AT_HWCAP, riscv_hwprobe's
/// IMA_EXT_0, /proc/cpuinfo's isa line, whether a Zbb instruction runs), on both engines; a
/// program built for Zbb dies of SIGILL under rv64gc; bad names are usage errors.
@Suite struct CPUChoiceTests {
    static let dir = Paths.fixtures.appendingPathComponent("ext")

    struct Expectation: Sendable {
        var cpu: String?
        var ext0: String
        var isa: String
        var zbb: String
    }

    static let cases: [Expectation] = [
        Expectation(cpu: nil, ext0: "0x81bc1d3800fffb", isa: "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicond_zicsr_zifencei_zihintntl_zihintpause_zihpm_zimop_zacas_zawrs_zfa_zfh_zfhmin_zcb_zcmop_zba_zbb_zbc_zbkb_zbkc_zbkx_zbs_zknd_zkne_zknh_zksed_zksh", zbb: "runs"),
        Expectation(cpu: "rv64gc", ext0: "0x280000000003", isa: "rv64imafdc_zicntr_zicsr_zifencei_zihpm", zbb: "SIGILL"),
        Expectation(cpu: "rva22", ext0: "0x8028101000007b", isa: "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zihintpause_zihpm_zfhmin_zba_zbb_zbs", zbb: "runs"),
        // Zfh implies Zfhmin (hwprobe bits 27 and 28).
        Expectation(cpu: "rv64gc_zfh", ext0: "0x280018000003", isa: "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zfh_zfhmin",
                    zbb: "SIGILL"),
        Expectation(cpu: "rv64gc_zbkb_zbs", ext0: "0x280000000123", isa: "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zbkb_zbs",
                    zbb: "SIGILL"),
    ]

    @Test(arguments: ["jit", "interp"])
    func cpuprobeSeesTheChoice(engine: String) throws {
        for c in Self.cases {
            let cpu = c.cpu.map { ["--cpu", $0] } ?? []
            let r = try runProcess(Paths.trapeze, ["run", "--engine", engine] + cpu + [Self.dir.appendingPathComponent("cpuprobe").path])
            let out = String(decoding: r.stdout, as: UTF8.self)
            #expect(r.status == 0, "\(c.cpu ?? "default"): \(r.stderrText)")
            #expect(out.hasPrefix("hwcap 0x112d a c d f i m\nhwprobe 0\n"), "\(out)")
            #expect(out.contains("  key 3 = 0x1\n  key 4 = \(c.ext0)\n  key 5 = 0x2\n"), "\(c.cpu ?? "default"): \(out)")
            #expect(out.contains("cpuinfo isa \(c.isa)\n"), "\(c.cpu ?? "default"): \(out)")
            #expect(out.hasSuffix("zbb \(c.zbb)\n"), "\(c.cpu ?? "default"): \(out)")
        }
    }

    @Test(arguments: ["jit", "interp"])
    func zbbProgramDiesOfSIGILLUnderRV64GC(engine: String) throws {
        let program = Self.dir.appendingPathComponent("bitmanip").path
        let r = try runProcess(Paths.trapeze, ["run", "--engine", engine, "--cpu", "rv64gc", program])
        #expect(r.status == 128 + 4, "\(r.stderrText)")
        #expect(r.stderrText.contains("illegal instruction"), "\(r.stderrText)")
        let ok = try runProcess(Paths.trapeze, ["run", "--engine", engine, "--cpu", "rv64gc_zba_zbb_zbc_zbs_zicond", program])
        #expect(ok.status == 0, "\(ok.stderrText)")
    }

    @Test func difftestAgreesUnderAChoice() throws {
        let r = try runProcess(Paths.trapeze, ["difftest", "--cpu", "rva22", Self.dir.appendingPathComponent("cpuprobe").path])
        #expect(r.status == 0 && r.stderrText.contains("agree"), "\(r.stderrText)")
    }

    @Test func unknownNamesAreUsageErrors() throws {
        for command in [["run"], ["difftest"], ["dump"]] {
            let r = try runProcess(Paths.trapeze, command + ["--cpu", "rv64gc_zbq", Self.dir.appendingPathComponent("cpuprobe").path])
            #expect(r.status == 64, "\(command): \(r.stderrText)")
            #expect(r.stderrText.contains("unknown extension 'zbq'") && r.stderrText.contains("valid: rv64gc, rva20"), "\(r.stderrText)")
        }
        let s = try runProcess(Paths.trapeze, ["system", "--cpu", "rv32gc", "--dump-dtb", "/dev/null"])
        #expect(s.status == 64, "\(s.stderrText)")
    }

    @Test func systemDeviceTreeFollowsTheChoice() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cpu-\(getpid()).dtb").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runProcess(Paths.trapeze, ["system", "--cpu", "rv64gc_zba", "--dump-dtb", path,
                                               Paths.fixtures.appendingPathComponent("system/bin/priv_csr").path])
        #expect(r.status == 0, "\(r.stderrText)")
        let blob = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = String(decoding: blob, as: UTF8.self)
        #expect(text.contains("rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_sstc"))
        #expect(!text.contains("zbb"))
    }
}
