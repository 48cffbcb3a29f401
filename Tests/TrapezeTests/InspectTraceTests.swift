import Foundation
import Guest
import Testing
import TestSupport
import Trapeze

/// `run --trace`: one line per retired instruction, the same under both engines.
@Suite struct InspectTraceTests {
    /// Fixtures/src/asm_hello.S, by hand: gp = 0x1010c + 0x2000 - 1982; a1 = 0x10116 + 28; the
    /// write returns 28 bytes in a0; the exit ecall ends the guest.
    static let asmHello = """
        core   0: 0x000000000001010c (0x00002197) auipc   gp,0x2               <_start>                        x3  0x000000000001210c
        core   0: 0x0000000000010110 (0x84218193) add     gp,gp,-1982          <_start+0x4>                    x3  0x000000000001194e
        core   0: 0x0000000000010114 (0x4505)     li      a0,1                 <_start+0x8>                    x10 0x0000000000000001
        core   0: 0x0000000000010116 (0x00000597) auipc   a1,0x0               <_start+0xa>                    x11 0x0000000000010116
        core   0: 0x000000000001011a (0x01c58593) add     a1,a1,28             <_start+0xe>                    x11 0x0000000000010132
        core   0: 0x000000000001011e (0x4671)     li      a2,28                <_start+0x12>                   x12 0x000000000000001c
        core   0: 0x0000000000010120 (0x04000893) li      a7,64                <_start+0x14>                   x17 0x0000000000000040
        core   0: 0x0000000000010124 (0x00000073) ecall                        <_start+0x18>                   x10 0x000000000000001c
        core   0: 0x0000000000010128 (0x4501)     li      a0,0                 <_start+0x1c>                   x10 0x0000000000000000
        core   0: 0x000000000001012a (0x05d00893) li      a7,93                <_start+0x1e>                   x17 0x000000000000005d
        core   0: 0x000000000001012e (0x00000073) ecall                        <_start+0x22>
        """

    func trace(_ name: String, _ engine: EngineKind, max: UInt64? = nil) throws -> (Guest.ExitStatus, [String], UInt64) {
        let guest = try loadFixture(name, engine: engine)
        var lines: [String] = []
        let status = Tracer(guest, emit: { lines.append($0) }).run(maxInstructions: max)
        return (status, lines, guest.hart.state.instret)
    }

    @Test("asm_hello golden, under both engines", arguments: EngineKind.allCases)
    func golden(_ engine: EngineKind) throws {
        let (status, lines, _) = try trace("asm_hello", engine)
        #expect(status == .exited(0))
        #expect(lines == InspectTraceTests.asmHello.split(separator: "\n").map(String.init))
    }

    @Test("hello: symbols, stores, loads; one line per retired instruction; both engines alike")
    func hello() throws {
        let (s1, jit, count) = try trace("hello", .jit)
        let (s2, interp, _) = try trace("hello", .interp)
        #expect(s1 == .exited(0) && s2 == .exited(0))
        // The same instructions in the same order. (Values may differ between two runs: glibc
        // derives its stack guard from AT_RANDOM, which is fresh for every process.)
        #expect(jit.map { $0.prefix(70) } == interp.map { $0.prefix(70) })
        #expect(UInt64(jit.count) == count)
        #expect(jit.contains { $0.contains("<main>") })
        #expect(jit.contains { $0.contains(" sd ") && $0.contains("  mem 0x") })
        #expect(jit.contains { $0.contains(" ld ") && $0.contains("  mem 0x") })
    }

    @Test("a fault gets a trap line and the guest dies of the signal")
    func trapLine() throws {
        let (status, lines, _) = try trace("asm_segv", .jit)
        #expect(status == .signaled(11))
        #expect(lines.last?.contains("trap: store/AMO access fault") == true || lines.last?.contains("trap: load access fault") == true)
    }

    @Test("trapeze run --trace-file writes the same lines; --max-insns bounds it")
    func command() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trapeze-trace-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let asm = Paths.fixtures.appendingPathComponent("bin/asm_hello").path
        let r = try runProcess(Paths.trapeze, ["run", "--trace-file", file, asm])
        #expect(r.status == 0)
        #expect(String(decoding: r.stdout, as: UTF8.self) == "Hello from RISC-V assembly!\n")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text == InspectTraceTests.asmHello + "\n")
        let bounded = try runProcess(Paths.trapeze, ["run", "--trace", "--max-insns", "3", asm])
        #expect(bounded.status == 124)
        #expect(bounded.stderrText.split(separator: "\n").filter { $0.hasPrefix("core   0: ") }.count == 3)
    }
}
