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
        var configuration = SystemConfiguration()
        configuration.program = directory.appendingPathComponent("bin/\(name)").path
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

    @Test("--icount: two runs on one engine take the same traps at the same instructions", arguments: ["kernel", "priv_irq"])
    func repeatable(_ name: String) throws {
        let first = try Self.run(name, .jit)
        let second = try Self.run(name, .jit)
        #expect(first == second, "\(name)")
        #expect(first.traps.contains { $0.interrupt }, "\(name) takes timer interrupts")
    }
}
