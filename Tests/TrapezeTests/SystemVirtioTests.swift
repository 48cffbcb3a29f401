import Foundation
import Testing
import TestSupport

/// `--drive`, `--snapshot` and `--rng` as a user meets them: the project's S-mode payload
/// sbi_virtio driving a virtio-blk disk under Debian's OpenSBI (compared with QEMU where
/// installed), the device tree, and the errors.
@Suite struct SystemVirtioTests {
    static let openSBI = SystemBootTests.openSBI
    static let hasOpenSBI = SystemBootTests.hasOpenSBI

    /// A 1 MiB disk whose sector 0 starts with a line of text.
    static func disk() throws -> String {
        let path = NSTemporaryDirectory() + "trapeze-disk-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img"
        var bytes = [UInt8]("trapeze test disk, sector 0\n".utf8)
        bytes += [UInt8](repeating: 0, count: (1 << 20) - bytes.count)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func sector1(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))[512..<1024]
        return String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    }

    @Test("sbi_virtio reads and writes sectors of a --drive; the file changes", .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func readWrite() throws {
        let disk = try Self.disk()
        defer { unlink(disk) }
        let r = try SystemBootTests.trapeze(["--kernel", SystemBootTests.binary("sbi_virtio"), "--drive", disk])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(SystemBootTests.payloadOutput(r.stdout) == (try SystemBootTests.expected("sbi_virtio")), "\(String(decoding: r.stdout, as: UTF8.self))")
        #expect(try Self.sector1(disk) == "sector 1, written by sbi_virtio\n")
    }

    @Test("--snapshot: the guest sees its writes, the file does not change", .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func snapshot() throws {
        let disk = try Self.disk()
        defer { unlink(disk) }
        let r = try SystemBootTests.trapeze(["--kernel", SystemBootTests.binary("sbi_virtio"), "--drive", disk, "--snapshot"])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(SystemBootTests.payloadOutput(r.stdout) == (try SystemBootTests.expected("sbi_virtio")))
        #expect(try Self.sector1(disk) == "")
    }

    @Test("FILE,readonly: the device says read-only and refuses writes", .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func readOnly() throws {
        let disk = try Self.disk()
        defer { unlink(disk) }
        let r = try SystemBootTests.trapeze(["--kernel", SystemBootTests.binary("sbi_virtio"), "--drive", disk + ",readonly"])
        let text = SystemBootTests.payloadOutput(r.stdout)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(text.contains("read-only yes") && text.contains("write sector 1, status 1") && text.contains("different bytes"), "\(text)")
        #expect(try Self.sector1(disk) == "")
    }

    @Test("the same payload under qemu-system-riscv64 -M virt with a virtio-blk-device prints the same",
          .enabled(if: hasOpenSBI && SystemBootTests.qemuSystem != nil, "opensbi or qemu-system-riscv64 not installed"))
    func sameAsQEMU() throws {
        let disk = try Self.disk(), qemuDisk = try Self.disk()
        defer { unlink(disk); unlink(qemuDisk) }
        let command = "timeout 30 '\(SystemBootTests.qemuSystem ?? "")' -M virt -bios '\(Self.openSBI)' -nographic -monitor none -serial stdio "
            + "-global virtio-mmio.force-legacy=false -drive file='\(qemuDisk)',format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 "
            + "-kernel '\(SystemBootTests.binary("sbi_virtio"))' </dev/null"
        let q = try runProcess("/bin/sh", ["-c", command], environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        let t = try SystemBootTests.trapeze(["--kernel", SystemBootTests.binary("sbi_virtio"), "--drive", disk])
        #expect(q.status == t.status)
        #expect(!SystemBootTests.payloadOutput(q.stdout).isEmpty)
        #expect(SystemBootTests.payloadOutput(q.stdout) == SystemBootTests.payloadOutput(t.stdout))
        #expect(try Self.sector1(disk) == (try Self.sector1(qemuDisk)))
    }

    @Test("virtio-mmio nodes are in the device tree only when configured, in QEMU's shape")
    func deviceTree() throws {
        let disk = try Self.disk()
        let path = NSTemporaryDirectory() + "trapeze-virtio-\(getpid()).dtb"
        defer { unlink(disk); unlink(path) }
        let plain = try runProcess(Paths.trapeze, ["system", "--dump-dtb", path])
        #expect(plain.status == 0)
        #expect((try Data(contentsOf: URL(fileURLWithPath: path))).range(of: Data("virtio,mmio".utf8)) == nil)
        let r = try runProcess(Paths.trapeze, ["system", "--drive", disk, "--rng", "--dump-dtb", path])
        #expect(r.status == 0, "\(r.stderrText)")
        guard let dtc = Paths.which("dtc") else { return }
        let d = try runProcess(dtc, ["-I", "dtb", "-O", "dts", path])
        let text = String(decoding: d.stdout, as: UTF8.self)
        #expect(text.contains("virtio_mmio@10001000 {") && text.contains("virtio_mmio@10002000 {") && !text.contains("virtio_mmio@10003000"), "\(text)")
        #expect(text.contains("reg = <0x00 0x10001000 0x00 0x1000>;") && text.contains("compatible = \"virtio,mmio\";"), "\(text)")
        #expect(text.contains("interrupts = <0x01>;") && text.contains("interrupts = <0x02>;"), "\(text)")
    }

    @Test("disk errors: a missing file 127, a directory 126, bad --drive text and too many devices 64, each one trapeze: line",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func errors() throws {
        let kernel = SystemBootTests.binary("sbi_hello")
        for (args, status, words) in [(["--drive", "/nonexistent/disk.img"], Int32(127), "disk /nonexistent/disk.img: no such file or directory"),
                                      (["--drive", "/tmp"], 126, "is a directory"),
                                      (["--drive", ",readonly"], 64, "--drive"),
                                      (["--snapshot"], 64, "--snapshot needs --drive"),
                                      (Array(repeating: ["--drive", "/tmp/x"], count: 8).flatMap { $0 } + ["--rng"], 64, "at most 8 virtio devices")] {
            let r = try runProcess(Paths.trapeze, ["system", "--bios", Self.openSBI, "--kernel", kernel] + args)
            let lines = r.stderrText.split(separator: "\n")
            #expect(r.status == status, "\(args): \(r.stderrText)")
            // A bad option value also gets ArgumentParser's "see 'trapeze --help'" line.
            #expect((lines.count == 1 || status == 64) && lines.allSatisfy { $0.hasPrefix("trapeze: ") } && lines.first?.contains(words) == true,
                    "\(args): \(r.stderrText)")
        }
    }

    @Test("a file the user cannot write, given without readonly: one trapeze: line naming the way out",
          .enabled(if: getuid() != 0, "root can write any file"))
    func notWritable() throws {
        let disk = try Self.disk()
        defer { unlink(disk) }
        chmod(disk, 0o444)
        let r = try runProcess(Paths.trapeze, ["system", "--bios", Self.openSBI, "--kernel", SystemBootTests.binary("sbi_hello"), "--drive", disk])
        #expect(r.status == 126 && r.stderrText.contains("add ,readonly or pass --snapshot"), "\(r.stderrText)")
    }
}
