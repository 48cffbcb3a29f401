import Foundation
import Testing
import TestSupport
@testable import Trapeze

/// `trapeze fuzz --system`: random privileged programs, interpreter and JIT in lockstep.
@Suite struct SystemFuzzTests {
    @Test("fuzz --system: the engines agree on a fixed range of random privileged programs")
    func agree() throws {
        let r = try runProcess(Paths.trapeze, ["fuzz", "--system", "--seed", "1", "--count", "40"], timeout: 300)
        #expect(r.status == 0, "\(String(decoding: r.stdout, as: UTF8.self))\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("fuzz --system: jit and interp agree on 40 programs (seeds 1...40)"), "\(String(decoding: r.stdout, as: UTF8.self))")
    }

    /// Loop items (`--loops`): self-loops walking a base up, down or not at all across the data
    /// window's pages and permissions, which the JIT translates twice and checks against the page
    /// its probe hit last, on one side or not at all by how the base moves (SharedProbes.LoopMotion).
    @Test("fuzz --system --loops: the engines agree on random programs with loops over walking bases",
          arguments: [64, 7] as [UInt64])
    func loops(interval: UInt64) throws {
        let r = try runProcess(Paths.trapeze, ["fuzz", "--system", "--loops", "--seed", "1", "--count", "40",
                                               "--interval", "\(interval)"], timeout: 600)
        #expect(r.status == 0, "\(String(decoding: r.stdout, as: UTF8.self))\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("agree on 40 programs"), "\(String(decoding: r.stdout, as: UTF8.self))")
        // Loop items change the programs: the seeds without them are kept as they were.
        #expect(SystemFuzzProgram(seed: 5, length: 64, loops: true).image != SystemFuzzProgram(seed: 5, length: 64).image)
    }

    /// Runs that stop after every instruction: an interrupt due (--icount) exactly where a run
    /// must stop anyway is taken before the run returns on both engines. Seed 1951's S-mode timer
    /// falls due at the end of one such run; the JIT used to look for events only when the
    /// interrupt fell strictly before the run's end, and let it wait.
    @Test("fuzz --system: an interrupt due exactly at the end of a run is taken there by both engines",
          arguments: [1951, 1, 2, 3] as [UInt64])
    func interruptAtRunEnd(seed: UInt64) {
        var fuzz = SystemFuzzer(length: 64)
        fuzz.interval = 1
        let report = fuzz.check(seed: seed)
        #expect(report == nil, "\(report?.joined(separator: "\n") ?? "")")
    }

    /// Seed 1951 runs `sll` and then an illegal instruction, and its S-mode timer falls due
    /// right after the `sll`: the interrupt comes first. The interpreter raised the block's
    /// closing trap without looking for events when a run went on past that point, so its
    /// choice depended on where a difftest step ended (1: right; 3, 7, 16, 64: wrong).
    @Test("fuzz --system: an interrupt due before a block's closing trap is taken first, whatever the step",
          arguments: [3, 7, 16, 64] as [UInt64])
    func interruptBeforeClosingTrap(interval: UInt64) {
        var fuzz = SystemFuzzer(length: 64)
        fuzz.interval = interval
        let report = fuzz.check(seed: 1951)
        #expect(report == nil, "\(report?.joined(separator: "\n") ?? "")")
    }

    @Test("fuzz --system reports an injected JIT bug with the seed, the instruction and the state that differs")
    func injected() throws {
        let r = try runProcess(Paths.trapeze, ["fuzz", "--system", "--seed", "7", "--count", "5", "--inject-fault", "xor"], timeout: 300)
        #expect(r.status == 1, "\(String(decoding: r.stdout, as: UTF8.self))\(r.stderrText)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(text.hasPrefix("fuzz --system: interp and jit disagree on seed "), "\(text)")
        #expect(text.contains("(reproduce with --system --seed "), "\(text)")
        let culprit = text.split(separator: "\n").first { $0.hasPrefix("first differing instruction: ") }
        #expect(culprit?.contains("xor") == true, "\(text)")
        #expect(text.contains("differences (interpreter / jit):"), "\(text)")
        #expect(text.contains("program (the random part"), "\(text)")
    }

    @Test("a seed names one program: the same bytes every time, different seeds differ")
    func deterministic() {
        let a = SystemFuzzProgram(seed: 42, length: 64), b = SystemFuzzProgram(seed: 42, length: 64)
        #expect(a.image == b.image)
        #expect(SystemFuzzProgram(seed: 43, length: 64).image != a.image)
        #expect(a.listing().count == Int(a.streamEnd - a.streamStart) / 4)
    }

    @Test("fuzz --system refuses options that do not apply")
    func badOptions() throws {
        let r = try runProcess(Paths.trapeze, ["fuzz", "--system", "--engines", "jit,jit"])
        #expect(r.status != 0)
        #expect(r.stderrText.contains("--engines does not apply"), "\(r.stderrText)")
        let zero = try runProcess(Paths.trapeze, ["fuzz", "--system", "--interval", "0"])
        #expect(zero.status != 0)
        #expect(zero.stderrText.contains("--interval: expected a positive"), "\(zero.stderrText)")
        let user = try runProcess(Paths.trapeze, ["fuzz", "--interval", "8"])
        #expect(user.status != 0)
        #expect(user.stderrText.contains("--interval applies with --system only"), "\(user.stderrText)")
        let loops = try runProcess(Paths.trapeze, ["fuzz", "--loops"])
        #expect(loops.status != 0)
        #expect(loops.stderrText.contains("--loops applies with --system only"), "\(loops.stderrText)")
    }

    @Test("fuzz --system --interval N compares every N instructions and reports agreement")
    func intervalOption() throws {
        let r = try runProcess(Paths.trapeze, ["fuzz", "--system", "--seed", "1951", "--count", "2", "--interval", "5"], timeout: 300)
        #expect(r.status == 0, "\(String(decoding: r.stdout, as: UTF8.self))\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("jit and interp agree on 2 programs (seeds 1951...1952)"))
    }
}
