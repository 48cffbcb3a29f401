import Foundation
import Guest
import System
import Testing
import TestSupport
import JIT
import Trapeze

/// The JIT against the interpreter in system mode, in process: every trap (cause, pc, tval,
/// privilege it came from, instruction count), the console output, the instructions retired
/// and the exit status must agree. Time counts instructions (`--icount`), so the fixtures whose
/// course depends on timer interrupts (the teaching kernel, priv_irq, perf_uloop) must match
/// trap for trap too: both engines stop exactly where a timer is due.
@Suite struct SystemEngineTests {
    static let directory = Paths.fixtures.appendingPathComponent("system")

    final class Capture: Console {
        var bytes: [UInt8] = []
        func transmit(_ byte: UInt8) { bytes.append(byte) }
        func receive() -> UInt8? { nil }
        var inputDescriptor: Int32? { nil }
    }

    struct Outcome: Equatable {
        var status: Guest.ExitStatus
        var traps: [TrapRecord]
        var output: [UInt8]
        var retired: UInt64
        /// The final architectural state: pc, x and f registers, fcsr, instret, privilege and the
        /// M and S CSRs (the state block without the engines' scratch words).
        var state: [UInt64]
    }

    /// The state block's architectural words: everything before the exit fields, and the
    /// privileged state after the scratch area, up to the JIT's loop probes.
    static func architectural(_ state: GuestState) -> [UInt64] {
        let words = { (range: Range<Int>) in range.map { state.raw.load(fromByteOffset: $0 * 8, as: UInt64.self) } }
        return words(0..<(StateOffset.exitReason / 8)) + words((StateOffset.privilege / 8)..<(StateOffset.loopProbes / 8))
    }

    static func run(_ name: String, _ kind: EngineKind, epochStart: UInt32 = 0, jit: ((JIT?) -> Void)? = nil) throws -> Outcome {
        try run(path: directory.appendingPathComponent("bin/\(name)").path, kind, epochStart: epochStart, jit: jit)
    }

    static func run(path: String, _ kind: EngineKind, epochStart: UInt32 = 0, jit: ((JIT?) -> Void)? = nil) throws -> Outcome {
        var configuration = SystemConfiguration()
        configuration.program = path
        let console = Capture()
        let machine = try Machine(configuration, console: console, clock: InstructionClock())
        var settings = EngineSettings(kind: kind, maxInstructions: 50_000_000)
        settings.systemEpochStart = epochStart
        let run = SystemRun(machine, settings: settings, emit: { _ in })
        defer { jit?(run.jit) }
        var traps: [TrapRecord] = []
        run.environment.onTrap = { traps.append($0) }
        let status = run.run()
        return Outcome(status: status, traps: traps, output: console.bytes, retired: run.hart.state.instret,
                       state: architectural(run.hart.state))
    }

    @Test("JIT and interpreter take the same traps at the same instructions", arguments: SystemFixtureTests.names)
    func sameTraps(_ name: String) throws {
        let interp = try Self.run(name, .interp)
        let jit = try Self.run(name, .jit)
        #expect(jit.status == interp.status, "\(name)")
        #expect(String(decoding: jit.output, as: UTF8.self) == String(decoding: interp.output, as: UTF8.self), "\(name)")
        #expect(jit.retired == interp.retired, "\(name)")
        #expect(jit.traps.count == interp.traps.count, "\(name)")
        #expect(jit.state == interp.state, "\(name): final states differ")
        if let k = zip(jit.traps, interp.traps).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name): trap \(k) differs: jit \(jit.traps[k]) vs interp \(interp.traps[k])")
        }
    }

    /// Cross-page chains check a 32-bit translation epoch (SystemEpochs.swift); one about to wrap
    /// empties the code cache instead, so no chain linked under an old value survives. Started
    /// a few moves short of the wrap, priv_chain (whose remaps move the epochs) must still run
    /// exactly as the interpreter does.
    @Test("translation epochs wrap around: the code cache is emptied and priv_chain runs as on the interpreter")
    func epochWrap() throws {
        var counts: (moves: UInt64, wraps: UInt64) = (0, 0)
        let jit = try Self.run("priv_chain", .jit, epochStart: UInt32.max - 3) { counts = $0?.systemEpochCounts ?? (0, 0) }
        let interp = try Self.run("priv_chain", .interp)
        #expect(counts.wraps >= 1, "epochs moved \(counts.moves) times, wrapped \(counts.wraps)")
        #expect(jit == interp)
        let expected = try String(contentsOf: Self.directory.appendingPathComponent("expected/priv_chain.out"), encoding: .utf8)
        #expect(String(decoding: jit.output, as: UTF8.self) == expected)
    }

    /// A bare-metal ELF: `code` at the start of RAM (entered in M-mode), `memorySize` bytes mapped.
    static func bareELF(_ code: [UInt32], memorySize: UInt64 = 0x2000) -> Data {
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        let bytes = code.flatMap { le(UInt64($0), 4) }
        var b: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        b += le(2, 2) + le(243, 2) + le(1, 4) + le(0x8000_0000, 8) + le(64, 8) + le(0, 8)
        b += le(0, 4) + le(64, 2) + le(56, 2) + le(1, 2) + le(64, 2) + le(0, 2) + le(0, 2)
        b += le(1, 4) + le(7, 4) + le(120, 8) + le(0x8000_0000, 8) + le(0x8000_0000, 8)
        b += le(UInt64(bytes.count), 8) + le(memorySize, 8) + le(4, 8)
        return Data(b + bytes)
    }

    /// amocas.q runs on the slow path through the shared helper thunk, which saves only the
    /// registers the instruction names: the second registers of its pairs (a1 and a3 here, a1
    /// cached in a caller-saved host register, a3 in a callee-saved one) must reach the state
    /// block before the call and a1 come back from it after. They did not: the compare used a
    /// stale a1 and failed, and a1 kept its old value.
    @Test("amocas.q on the system JIT's slow path reads and writes both registers of its pairs")
    func amocasPairs() throws {
        let code: [UInt32] = [
            RV.auipc(14, 1),              // a4 = 0x8000_1000
            RV.addi(10, 0, 1), RV.addi(11, 0, 2), RV.addi(12, 0, 5), RV.addi(13, 0, 6),
            RV.addi(5, 0, 9), RV.sd(10, 14, 0), RV.sd(11, 14, 8),
            0x28c7_452f,                  // amocas.q a0, a2, (a4): {1, 2} == {1, 2}: store {5, 6}
            RV.addi(11, 11, 40),          // a1 = the old high word + 40
            RV.ld(15, 14, 0), RV.ld(16, 14, 8),
            RV.lui(5, 0x100), RV.lui(6, 0x5), RV.addi(6, 6, 0x555), RV.sw(6, 5, 0), // finisher: pass
            RV.jal(0, 0),                 // as the fixtures do: nothing to fetch after the finisher
        ]
        let path = NSTemporaryDirectory() + "trapeze-amocas-\(getpid())"
        try Self.bareELF(code).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let interp = try Self.run(path: path, .interp)
        let jit = try Self.run(path: path, .jit)
        #expect(Array(interp.state[10...16]) == [1, 42, 5, 6, 0x8000_1000, 5, 6], "the interpreter swapped")
        #expect(jit == interp)
    }

    /// A store to the test finisher asks the machine to stop; when the same block then ends in an
    /// illegal instruction, the stop comes first on both engines (the interpreter raised the
    /// illegal-instruction trap first and stopped only in the handler).
    @Test("a device's stop request comes before the trap of the instruction after the store")
    func stopBeforeClosingTrap() throws {
        let code: [UInt32] = [
            RV.addi(10, 0, 7),
            RV.lui(5, 0x100), RV.lui(6, 0x5), RV.addi(6, 6, 0x555), RV.sw(6, 5, 0), // finisher: pass
            0x0000_0000,                  // illegal: the block's closing trap
        ]
        let path = NSTemporaryDirectory() + "trapeze-stoptrap-\(getpid())"
        try Self.bareELF(code).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let interp = try Self.run(path: path, .interp)
        let jit = try Self.run(path: path, .jit)
        #expect(interp.traps.isEmpty, "\(interp.traps)")
        #expect(interp.status == .exited(0))
        #expect(jit == interp)
    }

    @Test("--icount: two runs on one engine take the same traps at the same instructions", arguments: ["kernel", "priv_irq"])
    func repeatable(_ name: String) throws {
        let first = try Self.run(name, .jit)
        let second = try Self.run(name, .jit)
        #expect(first == second, "\(name)")
        #expect(first.traps.contains { $0.interrupt }, "\(name) takes timer interrupts")
    }
}
