import Foundation
import Testing
import TestSupport

/// Debian's OpenSBI (`fw_dynamic`) on the interpreter: it probes the hart's CSRs, prints its
/// banner through the UART, and starts our S-mode payload (Fixtures/system/sbi/hello.S), which
/// calls the SBI base and console extensions and powers off through SRST. QEMU's `virt` machine
/// prints the same payload line and exits 0 too.
@Suite struct SystemFirmwareTests {
    static let firmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
    static let installed = FileManager.default.fileExists(atPath: firmware)

    @Test("OpenSBI's fw_dynamic boots an S-mode payload that prints through SBI and shuts down through SRST",
          .enabled(if: SystemFirmwareTests.installed))
    func openSBIBootsThePayload() throws {
        let payload = Paths.fixtures.appendingPathComponent("system/bin/sbi_hello").path
        let r = try runProcess(Paths.trapeze, ["system", "--timeout", "60", "--bios", Self.firmware, "--kernel", payload], timeout: 90)
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(out.contains("OpenSBI v"), "\(out)")
        #expect(out.contains("Domain0 Next Address      : 0x0000000080200000"), "\(out)")
        #expect(out.contains("Domain0 Next Mode         : S-mode"), "\(out)")
        // OpenSBI's console turns "\n" into "\r\n".
        #expect(out.hasSuffix("sbi_hello: S-mode payload running under SBI firmware\r\n"), "\(out)")
    }
}
