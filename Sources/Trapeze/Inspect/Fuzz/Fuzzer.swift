import Guest
import JIT
import RISCV

/// Runs random programs on two engines from identical states and reports the first program on
/// which they end differently, minimised.
public final class Fuzzer {
    let engines: (any Engine, any Engine)
    public let names: (String, String)
    let machine = FuzzMachine()
    /// The hart both engines run as (`--cpu`); programs draw from its instructions only.
    public var cpu: CPUModel = .all {
        didSet { machine.hart.cpu = cpu }
    }

    public init(_ a: any Engine, _ b: any Engine, names: (String, String)) {
        engines = (a, b)
        self.names = names
    }

    /// `a` against `b` as `EngineKind`s, with an optional fault injected into `b`.
    public convenience init(_ a: EngineKind, _ b: EngineKind, fault: FaultInjection? = nil) {
        let second = b.make(jit: JITOptions(), fault: fault)
        self.init(a.make(), second, names: (a.rawValue, b.rawValue + (fault.map { "+fault(\($0.opcode.info.mnemonic))" } ?? "")))
    }

    /// Case `i` of seed `s` uses seed `s + i`, so `--seed S+i --count 1` repeats it alone.
    public func run(seed: UInt64, count: Int, length: Int = 24) -> FuzzSummary {
        for i in 0..<max(0, count) {
            let caseSeed = seed &+ UInt64(i)
            var generator = FuzzGenerator(seed: caseSeed, cpu: cpu)
            let program = generator.program(length: max(1, length))
            let start = generator.initialState()
            if !differences(program, start).isEmpty {
                let minimal = minimise(program, start)
                return FuzzSummary(cases: i + 1, failure: report(seed: caseSeed, original: program, minimal: minimal, start: start))
            }
        }
        return FuzzSummary(cases: max(0, count), failure: nil)
    }

    /// Runs `program` on both engines from `start`; both runs and what differs between them.
    func compare(_ program: FuzzProgram, _ start: FuzzState) -> (FuzzMachine.Run, FuzzMachine.Run, [Difference]) {
        machine.load(program)
        let a = machine.run(engines.0, program, from: start)
        let b = machine.run(engines.1, program, from: start)
        var out: [Difference] = []
        if a.outcome != b.outcome {
            out.append(Difference(location: "outcome", expected: a.outcome.description, actual: b.outcome.description))
        }
        out += a.state.differences(b.state)
        for i in 0..<min(a.sandbox.count, b.sandbox.count) where a.sandbox[i] != b.sandbox[i] {
            out.append(Difference(location: "mem[\(Hex.pad(FuzzLayout.sandbox + UInt64(i), 0))]",
                                  expected: Hex.pad(UInt64(a.sandbox[i]), 2), actual: Hex.pad(UInt64(b.sandbox[i]), 2)))
        }
        return (a, b, out)
    }

    func differences(_ program: FuzzProgram, _ start: FuzzState) -> [Difference] { compare(program, start).2 }

    /// Delta debugging over items: drop ever smaller chunks while the engines still disagree.
    public func minimise(_ program: FuzzProgram, _ start: FuzzState) -> FuzzProgram {
        var items = program.items
        var chunk = max(1, items.count / 2)
        while true {
            var removedAny = false
            var i = 0
            while i < items.count && items.count > 1 {
                var candidate = items
                candidate.removeSubrange(i..<min(items.count, i + chunk))
                if !candidate.isEmpty, !differences(FuzzProgram(items: candidate), start).isEmpty {
                    items = candidate
                    removedAny = true
                } else {
                    i += chunk
                }
            }
            if chunk == 1 && !removedAny { break }
            if !removedAny { chunk = max(1, chunk / 2) }
        }
        return FuzzProgram(items: items)
    }

    func report(seed: UInt64, original: FuzzProgram, minimal: FuzzProgram, start: FuzzState) -> FuzzFailure {
        let (a, b, diffs) = compare(minimal, start)
        var lines = ["fuzz: \(names.0) and \(names.1) disagree on seed \(seed) (reproduce with --seed \(seed) --count 1)",
                     "minimal program (\(minimal.items.count) of \(original.items.count) instructions, then ebreak):"]
        lines += minimal.listing(at: FuzzLayout.code)
        // The registers the program names, at the start and after each engine.
        var xs = Set<Int>(), fs = Set<Int>()
        for (_, inst) in minimal.layout(at: FuzzLayout.code) {
            let spec = inst.opcode.info
            for (file, n) in [(spec.rd, inst.rd), (spec.rs1, inst.rs1), (spec.rs2, inst.rs2), (spec.rs3, inst.rs3)] {
                if file == .x && n != 0 { xs.insert(Int(n)) }
                if file == .f { fs.insert(Int(n)) }
            }
        }
        let w = max(18, names.0.count, names.1.count)
        func col(_ s: String) -> String { Hex.padRight(s, w) }
        lines.append("final state:")
        lines.append("  " + Hex.padRight("reg", 8) + col("initial") + " " + col(names.0) + " " + names.1)
        func row(_ name: String, _ s: UInt64, _ x: UInt64, _ y: UInt64) {
            lines.append("  " + Hex.padRight(name, 8) + col(Hex.pad(s, 16)) + " " + col(Hex.pad(x, 16))
                         + " " + Hex.pad(y, 16) + (x != y ? "  <-" : ""))
        }
        row("pc", FuzzLayout.code, a.state.pc, b.state.pc)
        for n in xs.sorted() { row("x\(n)", start.x[n], a.state.x(n), b.state.x(n)) }
        for n in fs.sorted() { row("f\(n)", start.f[n], a.state.f(n), b.state.f(n)) }
        row("fflags", UInt64(start.fflags), UInt64(a.state.fflags), UInt64(b.state.fflags))
        row("frm", UInt64(start.frm), UInt64(a.state.frm), UInt64(b.state.frm))
        row("instret", start.instret, a.state.instret, b.state.instret)
        lines.append("  outcome: \(names.0): \(a.outcome.description); \(names.1): \(b.outcome.description)")
        lines.append("differences (\(names.0) / \(names.1)):")
        for d in diffs { lines.append("  \(d.location)  \(d.expected) / \(d.actual)") }
        return FuzzFailure(seed: seed, original: original, minimal: minimal, start: start, differences: diffs, report: lines)
    }
}

public struct FuzzSummary: Sendable {
    /// Cases run (up to and including a failing one).
    public var cases: Int
    public var failure: FuzzFailure?
}

public struct FuzzFailure: Sendable {
    public var seed: UInt64
    public var original: FuzzProgram
    public var minimal: FuzzProgram
    public var start: FuzzState
    public var differences: [Difference]
    public var report: [String]
}
