import Foundation
import Testing
#if canImport(TestSupport)
import TestSupport  // Paths, once the shared test-support target is merged
#endif

/// `trapeze system` as a user meets it: option errors, image errors, --dump-dtb, limits.
@Suite struct SystemCommandTests {
    func lines(_ r: ProcessResult) -> [Substring] { r.stderrText.split(separator: "\n") }

    /// A bare-metal ELF: one 4-byte segment at the start of RAM.
    static func bareELF() -> Data {
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        var b: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        b += le(2, 2) + le(243, 2) + le(1, 4) + le(0x8000_0000, 8) + le(64, 8) + le(0, 8)
        b += le(0, 4) + le(64, 2) + le(56, 2) + le(1, 2) + le(64, 2) + le(0, 2) + le(0, 2)
        b += le(1, 4) + le(5, 4) + le(120, 8) + le(0x8000_0000, 8) + le(0x8000_0000, 8) + le(4, 8) + le(4, 8) + le(4, 8)
        return Data(b + [0x73, 0, 0, 0])
    }

    func temporary(_ data: Data, _ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "trapeze-system-\(getpid())-\(name)"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("bad options are one trapeze: line and status 64")
    func usage() throws {
        for args in [["system"], ["system", "--memory", "lots", "x"], ["system", "--memory", "0", "--dump-dtb", "/dev/null"],
                     ["system", "--bios", "none", "--kernel", "k"], ["system", "--initrd", "i", "x"], ["system", "--bogus"],
                     ["system", "--engine", "quantum", "x"], ["system", "--bios", "fw", "x"]] {
            let r = try runProcess(Paths.trapeze, args)
            #expect(r.status == 64, "\(args): status \(r.status)")
            #expect(!lines(r).isEmpty && lines(r).allSatisfy { $0.hasPrefix("trapeze: ") }, "\(args): \(r.stderrText)")
        }
    }

    @Test("images that cannot load: one trapeze: line, 127 or 126")
    func badImages() throws {
        let text = try temporary(Data("not an image\n".utf8), "text")
        defer { unlink(text) }
        for (args, status, words) in [(["system", "/nonexistent/elf"], Int32(127), "no such file"),
                                      (["system", text], 126, "not an ELF"),
                                      (["system", "--bios", text, "--kernel", text], 126, "RISC-V Linux Image"),
                                      (["system", Paths.fixtures.appendingPathComponent("bin/hello").path], 126, "does not fit RAM")] {
            let r = try runProcess(Paths.trapeze, args)
            #expect(r.status == status, "\(args): status \(r.status)")
            #expect(lines(r).count == 1 && r.stderrText.hasPrefix("trapeze: ") && r.stderrText.contains(words), "\(args): \(r.stderrText)")
        }
    }

    @Test("--dump-dtb writes the machine's device tree and exits 0")
    func dumpDTB() throws {
        let path = NSTemporaryDirectory() + "trapeze-system-\(getpid()).dtb"
        defer { unlink(path) }
        let r = try runProcess(Paths.trapeze, ["system", "--memory", "256M", "--append", "quiet", "--bios", "none", "--dump-dtb", path])
        #expect(r.status == 64)  // --append needs a kernel
        let ok = try runProcess(Paths.trapeze, ["system", "--memory", "256M", "--dump-dtb", path])
        #expect(ok.status == 0 && ok.stderr.isEmpty && ok.stdout.isEmpty, "\(ok.stderrText)")
        let blob = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(blob.prefix(4)) == [0xd0, 0x0d, 0xfe, 0xed])
        #expect(blob.range(of: Data("ns16550a".utf8)) != nil && blob.range(of: Data("riscv,sv57".utf8)) != nil)
    }

    @Test("a guest looping in its own trap handler stops at --max-insns or --timeout: 124 and its last traps")
    func trapLoop() throws {
        // ecall in M-mode with mtvec = 0: the trap goes to 0, where nothing answers a fetch, and
        // so on for ever.
        let elf = try temporary(Self.bareELF(), "elf")
        defer { unlink(elf) }
        for limit in [["--max-insns", "1000"], ["--timeout", "0.2"]] {
            let r = try runProcess(Paths.trapeze, ["system", "--engine", "interp", "--memory", "64M"] + limit + [elf])
            #expect(r.status == 124, "\(limit): \(r.stderrText)")
            let text = r.stderrText
            #expect(lines(r).allSatisfy { $0.hasPrefix("trapeze: ") }, "\(text)")
            #expect(text.contains("trapeze: the machine was stopped after"), "\(text)")
            #expect(text.contains("instruction access fault from M-mode at pc 0x0, tval 0x0"), "\(text)")
        }
    }

    @Test("--engine jit runs system mode; a trap loop still stops at --max-insns as on the interpreter")
    func jitTrapLoop() throws {
        let elf = try temporary(Self.bareELF(), "jit-elf")  // its own file: tests run in parallel
        defer { unlink(elf) }
        let jit = try runProcess(Paths.trapeze, ["system", "--engine", "jit", "--max-insns", "10", elf])
        let interp = try runProcess(Paths.trapeze, ["system", "--engine", "interp", "--max-insns", "10", elf])
        #expect(jit.status == 124)
        #expect(lines(jit).first?.hasPrefix("trapeze: the machine was stopped after") == true, "\(jit.stderrText)")
        #expect(jit.stderrText == interp.stderrText)
    }

    /// A device access makes translated code leave only when it let an event in (JIT.deviceExit):
    /// the runner's console, a UART polled through its line-status register and written a byte
    /// at a time, left twice per byte. The output and the instructions retired stay the same.
    @Test("system --stats: a polled UART's output does not leave translated code at every byte")
    func quietDevices() throws {
        let runner = Paths.fixtures.appendingPathComponent("system/bin/runner_hello").path
        func run(_ environment: [String: String]) throws -> (exits: Int, retired: Int, output: Data, status: Int32) {
            let r = try runProcess(Paths.trapeze, ["system", "--stats", "--icount", "--memory", "128M", runner],
                                   environment: environment, timeout: 120)
            let stats = r.stderrText.split(separator: "\n")
            // "trapeze: jit: exits  N" and "trapeze: guest instructions retired N in T s (...)".
            let exits = stats.first { $0.contains("jit: exits") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
            let words = stats.first { $0.contains("guest instructions retired") }?.split(separator: " ") ?? []
            let retired = words.firstIndex(of: "retired").flatMap { $0 + 1 < words.count ? Int(words[$0 + 1]) : nil } ?? -1
            return (exits, retired, r.stdout, r.status)
        }
        // The polling quantum fixed (PollingQuantum follows host time, so its exits would
        // differ between the two runs by more than the bytes written).
        let fixed = ["TRAPEZE_JIT_QUANTUM": "65536"]
        let quiet = try run(fixed), loud = try run(fixed.merging(["TRAPEZE_JIT_DEVICE_EXITS": "1"]) { $1 })
        #expect(quiet.status == 0 && loud.status == 0)
        #expect(quiet.output == loud.output && quiet.output.count > 10)
        #expect(quiet.retired > 0 && quiet.retired == loud.retired)
        #expect(quiet.exits >= 0 && quiet.exits + quiet.output.count < loud.exits, "exits \(quiet.exits) vs \(loud.exits)")
    }
}
