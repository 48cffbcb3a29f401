import Foundation
import Testing
import TestSupport

/// sbi_codewrite (Fixtures/system/sbi/codewrite.c) under OpenSBI on both engines: code written
/// by stores and by a virtio-blk device runs after fence.i, and remapped pages (4 KiB and a
/// megapage) are seen after `sfence.vma addr`. The JIT must do it without flushing its code
/// cache: fence.i drops only what was written, sfence.vma only one leaf's mappings.
@Suite struct SystemCodeWriteTests {
    static let hasOpenSBI = SystemBootTests.hasOpenSBI

    /// A 1 MiB disk: sector 0 holds `li a0, 7; ret`, sector 1 `li a0, 9; ret`.
    static func disk() throws -> String {
        let path = NSTemporaryDirectory() + "trapeze-codewrite-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img"
        func code(_ k: UInt32) -> [UInt8] {
            let words: [UInt32] = [k << 20 | 10 << 7 | 0x13, 0x0000_8067]
            return words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } } + [UInt8](repeating: 0, count: 504)
        }
        let bytes = code(7) + code(9) + [UInt8](repeating: 0, count: (1 << 20) - 1024)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// sbi_codewrite on `engine` with a fresh disk (removed afterwards), plus `extra` options.
    static func run(_ engine: String, _ extra: [String] = []) throws -> ProcessResult {
        let disk = try disk()
        defer { unlink(disk) }
        return try SystemBootTests.trapeze(["--engine", engine] + extra + ["--kernel", SystemBootTests.binary("sbi_codewrite"), "--drive", disk, "--snapshot"])
    }

    @Test("both engines print what QEMU printed, every check passing", .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"),
          arguments: ["jit", "interp"])
    func engines(_ engine: String) throws {
        let r = try Self.run(engine)
        let text = SystemBootTests.payloadOutput(r.stdout)
        #expect(r.status == 0, "\(text)\n\(r.stderrText)")
        #expect(text == (try SystemBootTests.expected("sbi_codewrite")), "\(text)")
    }

    @Test("the JIT runs all of it on one code cache: fence.i and sfence.vma flush nothing whole",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func noWholeFlushes() throws {
        let r = try Self.run("jit", ["--stats"])
        #expect(r.status == 0, "\(r.stderrText)")
        func number(after label: String) -> Int? {
            guard let range = r.stderrText.range(of: label) else { return nil }
            return Int(r.stderrText[range.upperBound...].prefix { $0 == " " || $0.isNumber }.trimmingCharacters(in: .whitespaces))
        }
        // One flush empties the cache when the engine starts in system mode; there are none after.
        #expect(number(after: "jit: cache flushes") == 1, "\(r.stderrText)")
        #expect((number(after: "fence.i") ?? 0) >= 70, "\(r.stderrText)")
        #expect((number(after: "pages written behind the hart dropped at fence.i") ?? 0) >= 2, "the two sectors read over code: \(r.stderrText)")
        #expect((number(after: "sfence.vma:") ?? 0) >= 4, "one-leaf sfence.vma: \(r.stderrText)")
    }

    @Test("the interpreter's fence.i drops only the blocks on pages a device wrote, not all it predecoded",
          .enabled(if: hasOpenSBI, "Debian's opensbi is not installed"))
    func interpreterFence() throws {
        let r = try Self.run("interp", ["--stats"])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(!r.stderrText.contains("FAIL"), "\(r.stderrText)")
        let label = "by fence.i after writes behind the hart "
        let dropped = r.stderrText.range(of: label).flatMap { Int(r.stderrText[$0.upperBound...].prefix { $0.isNumber }) }
        // The two sectors read over code that had run: each drops that page's blocks (a few),
        // where flushing at every one of the payload's ~70 fence.i would drop thousands.
        #expect((dropped ?? 0) >= 2 && (dropped ?? 0) < 64, "\(r.stderrText)")
    }

    @Test("the same payload under qemu-system-riscv64 prints the same",
          .enabled(if: hasOpenSBI && SystemBootTests.qemuSystem != nil, "opensbi or qemu-system-riscv64 not installed"))
    func sameAsQEMU() throws {
        let disk = try Self.disk()
        defer { unlink(disk) }
        let command = "timeout 30 '\(SystemBootTests.qemuSystem ?? "")' -M virt -bios '\(SystemBootTests.openSBI)' -nographic -monitor none -serial stdio "
            + "-global virtio-mmio.force-legacy=false -drive file='\(disk)',format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 "
            + "-kernel '\(SystemBootTests.binary("sbi_codewrite"))' </dev/null"
        let q = try runProcess("/bin/sh", ["-c", command], environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        #expect(SystemBootTests.payloadOutput(q.stdout) == (try SystemBootTests.expected("sbi_codewrite")))
    }
}
