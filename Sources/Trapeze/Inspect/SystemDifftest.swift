#if canImport(Glibc)
import Glibc
#endif
import Guest
import Interpreter
import JIT
import RISCV
import System

/// Options for `trapeze difftest --system`.
public struct SystemDifftestOptions: Sendable {
    /// A deliberate bug in the JIT's lowering (tests and demonstrations).
    public var fault: FaultInjection?
    /// Compare the two machines every this many instructions.
    public var interval: UInt64
    /// Stop (without a verdict against the guest) after this many instructions.
    public var maxInstructions: UInt64?
    /// Every this many comparisons, also compare all of RAM (0: only at the end).
    public var memoryCheckInterval: Int

    public init(fault: FaultInjection? = nil, interval: UInt64 = 10_000, maxInstructions: UInt64? = nil,
                memoryCheckInterval: Int = 64) {
        self.fault = fault
        self.interval = max(1, interval)
        self.maxInstructions = maxInstructions
        self.memoryCheckInterval = max(0, memoryCheckInterval)
    }
}

/// The first point at which the JIT's machine and the interpreter's machine disagree.
public struct SystemDivergence: Sendable {
    /// Instructions retired (both sides) when the states were last seen equal, and when first unequal.
    public var agreedAt: UInt64
    public var differsAt: UInt64
    /// The instructions the interpreter ran between those two points (the last few, oldest
    /// first), each with the privilege it ran at.
    public var instructions: [(mode: PrivilegeMode, line: BlockInstruction)]
    /// Whether the culprit was narrowed to one instruction (the JIT translating one instruction
    /// per block agreed up to it), or only to the window of a comparison interval.
    public var exact: Bool
    public var differences: [Difference]

    public var report: [String] {
        let first = instructions.last
        var out = ["difftest --system: divergence after instruction \(differsAt)"
                   + (first.map { " at \(Hex.pad($0.line.pc, 16)) in \($0.mode.letter)-mode" } ?? "")
                   + " (states agreed after \(agreedAt))"]
        if exact, let first {
            out.append("first differing instruction: \(first.mode.letter) " + first.line.text)
        } else {
            out.append("first differing instruction: not narrowed to one (it is among these, or the JIT's block as a whole differs)")
        }
        if !instructions.isEmpty {
            out.append("instructions (interpreter), oldest first:")
            for (i, entry) in instructions.enumerated() {
                out.append((exact && i == instructions.count - 1 ? "  => " : "     ") + "\(entry.mode.letter) " + entry.line.text)
            }
        }
        out.append("differences (interpreter / jit):")
        let width = differences.map(\.location.count).max() ?? 0
        for d in differences {
            out.append("  " + d.location + String(repeating: " ", count: width - d.location.count) + "  \(d.expected) / \(d.actual)")
        }
        return out
    }
}

public struct SystemDifftestResult: Sendable {
    /// How the machine stopped (nil at a divergence).
    public var status: ExitStatus?
    public var divergence: SystemDivergence?
    public var comparisons: Int
    public var instructions: UInt64
    /// What the guest printed (the interpreter's console).
    public var output: [UInt8]
}

/// `trapeze difftest --system`: the same machine twice, one on the interpreter and one on the JIT,
/// both with time counted in instructions (`--icount`) and the same fixed wall clock, advanced
/// in lockstep by `interval` instructions and compared after every step: pc, privilege, every x
/// and f register, fcsr, instret, the M and S CSRs, the console output so far, the stop status,
/// and every `memoryCheckInterval` steps all of RAM.
///
/// At the first disagreement both machines are built again and replayed to the last agreement
/// (the runs are deterministic); then the interpreter steps one instruction at a time, recording
/// its state, and a JIT that translates one instruction per block does the same, so the first
/// instruction after which they differ is named. If the one-instruction JIT agrees throughout
/// (the bug needs a longer block), the report names the window instead.
public final class SystemDifftest {
    let configuration: SystemConfiguration
    let options: SystemDifftestOptions
    /// Guest output as it is produced (the interpreter's console).
    let echo: ((UInt8) -> Void)?

    public init(_ configuration: SystemConfiguration, options: SystemDifftestOptions, echo: ((UInt8) -> Void)? = nil) {
        var c = configuration
        c.snapshot = !c.drives.isEmpty // two machines must not both write the disk files
        self.configuration = c
        self.options = options
        self.echo = echo
    }

    /// A console that keeps what the guest prints and never has input.
    final class Capture: Console {
        var bytes: [UInt8] = []
        let echo: ((UInt8) -> Void)?
        init(echo: ((UInt8) -> Void)?) { self.echo = echo }
        func transmit(_ byte: UInt8) { bytes.append(byte); echo?(byte) }
        func receive() -> UInt8? { nil }
        var inputDescriptor: Int32? { nil }
    }

    /// One machine and the engine running it.
    final class Lane {
        let run: SystemRun
        let console: Capture
        let machine: Machine

        init(_ configuration: SystemConfiguration, engine: any Engine, echo: ((UInt8) -> Void)?) throws(SystemError) {
            console = Capture(echo: echo)
            // The same instant on both machines' RTC: the guest must not see the host's clock move.
            machine = try Machine(configuration, console: console, clock: InstructionClock(), wallClock: { 1_767_225_600_000_000_000 })
            run = SystemRun(machine, settings: EngineSettings(kind: engine is JIT ? .jit : .interp), engine: engine, emit: { _ in })
            self.engine = engine
        }

        /// Runs the machine; replaceable between steps (the JIT that translates one instruction
        /// per block takes over where the ordinary one stopped).
        var engine: any Engine

        var hart: Hart { run.hart }
        func advance(_ n: UInt64) -> ExitStatus { engine.run(run.hart, maxInstructions: n) }
    }

    func interpreterLane(echo: Bool) throws(SystemError) -> Lane {
        try Lane(configuration, engine: Interpreter(), echo: echo ? self.echo : nil)
    }

    func jitLane() throws(SystemError) -> Lane {
        try Lane(configuration, engine: jit(singleInstructionBlocks: false), echo: nil)
    }

    func jit(singleInstructionBlocks: Bool) -> any Engine {
        var jit = EngineSettings(kind: .jit).jitOptions
        jit.cacheSize = max(jit.cacheSize, JITOptions.systemCacheSize)
        if singleInstructionBlocks { jit.maxBlockInstructions = 1 }
        return EngineKind.jit.make(jit: jit, fault: options.fault)
    }

    public func run() throws(SystemError) -> SystemDifftestResult {
        let reference = try interpreterLane(echo: true)
        let checked = try jitLane()
        var steps: [UInt64] = []
        var comparisons = 0
        // How many steps had run when all of RAM last agreed (it did at the start).
        var memoryAgreed = 0
        // Units of the instruction budget spent: instructions retired plus traps taken (both
        // engines charge a trap to the budget, so a guest trapping forever, e.g. a fetch fault at
        // its own trap vector, still reaches the limit although instret stands still).
        var done: UInt64 = 0
        while true {
            var n = options.interval
            if let max = options.maxInstructions {
                if done >= max {
                    return SystemDifftestResult(status: .instructionLimit, comparisons: comparisons, instructions: reference.hart.state.instret, output: reference.console.bytes)
                }
                n = min(n, max - done)
            }
            let expected = reference.advance(n)
            let actual = checked.advance(n)
            done &+= n
            comparisons += 1
            let memory = options.memoryCheckInterval > 0 && comparisons % options.memoryCheckInterval == 0
                || expected != .instructionLimit || actual != .instructionLimit
            let differences = Self.compare(reference, checked, expected, actual, memory: memory)
            if !differences.isEmpty {
                // A RAM difference may be older than this step: look from the last RAM agreement,
                // watching the page of the first differing byte.
                let watch = Self.firstRAMDifference(reference.machine, checked.machine).map { $0.0 }
                let from = watch != nil ? memoryAgreed : steps.count
                let window = steps[from...].reduce(n, +)
                let divergence = try locate(after: Array(steps[..<from]), window: window, watch: watch, differences: differences)
                return SystemDifftestResult(divergence: divergence, comparisons: comparisons, instructions: reference.hart.state.instret,
                                            output: reference.console.bytes)
            }
            steps.append(n)
            if memory { memoryAgreed = steps.count }
            if expected != .instructionLimit {
                return SystemDifftestResult(status: expected, comparisons: comparisons, instructions: reference.hart.state.instret,
                                            output: reference.console.bytes)
            }
        }
    }

    /// Builds both machines again, replays `steps`, and narrows the divergence in the next
    /// `window` instructions down to one instruction where it can; `watch` is a RAM address whose
    /// page is compared after every instruction.
    func locate(after steps: [UInt64], window: UInt64, watch: UInt64?, differences: [Difference]) throws(SystemError) -> SystemDivergence {
        let reference = try interpreterLane(echo: false)
        let checked = try jitLane()
        for n in steps {
            _ = reference.advance(n)
            _ = checked.advance(n)
        }
        // From here a JIT that translates every instruction as a block of its own: a budget of
        // one then runs translated code, not the interpreter's finishing steps.
        checked.engine = jit(singleInstructionBlocks: true)
        let agreed = reference.hart.state.instret
        // The last instructions the interpreter ran, with the privilege each ran at.
        var recent: [(mode: PrivilegeMode, line: BlockInstruction)] = []
        func note(_ lane: Lane) {
            let state = lane.hart.state
            guard let inst = try? lane.hart.fetchInstruction(state.pc) else { return }
            recent.append((lane.hart.privilege, BlockInstruction(pc: state.pc, instruction: inst, symbol: nil)))
            if recent.count > 16 { recent.removeFirst() }
        }
        var spent: UInt64 = 0
        while spent < window {
            note(reference)
            let expected = reference.advance(1)
            let actual = checked.advance(1)
            spent += 1
            var found = Self.compare(reference, checked, expected, actual, memory: expected != .instructionLimit)
            if found.isEmpty, let watch, let (address, x, y) = Self.pageDifference(reference.machine, checked.machine, around: watch) {
                found.append(Difference(location: "mem[\(Hex.pad(address, 0))]", expected: Hex.pad(UInt64(x), 2), actual: Hex.pad(UInt64(y), 2)))
            }
            if !found.isEmpty {
                return SystemDivergence(agreedAt: agreed, differsAt: reference.hart.state.instret, instructions: recent,
                                        exact: true, differences: found)
            }
            if expected != .instructionLimit { break }
        }
        return SystemDivergence(agreedAt: agreed, differsAt: agreed &+ window, instructions: recent, exact: false, differences: differences)
    }

    /// The privileged state compared besides what `StateSnapshot` covers: name and offset.
    static let csrs: [(String, Int)] = [
        ("mstatus", StateOffset.mstatus), ("medeleg", StateOffset.medeleg), ("mideleg", StateOffset.mideleg),
        ("mie", StateOffset.mie), ("mip (software bits)", StateOffset.mip), ("mtvec", StateOffset.mtvec),
        ("mscratch", StateOffset.mscratch), ("mepc", StateOffset.mepc), ("mcause", StateOffset.mcause),
        ("mtval", StateOffset.mtval), ("mcounteren", StateOffset.mcounteren), ("mcountinhibit", StateOffset.mcountinhibit),
        ("menvcfg", StateOffset.menvcfg), ("stvec", StateOffset.stvec), ("sscratch", StateOffset.sscratch),
        ("sepc", StateOffset.sepc), ("scause", StateOffset.scause), ("stval", StateOffset.stval),
        ("scounteren", StateOffset.scounteren), ("senvcfg", StateOffset.senvcfg), ("satp", StateOffset.satp),
        ("stimecmp", StateOffset.stimecmp), ("mcycle (offset)", StateOffset.mcycle), ("minstret (offset)", StateOffset.minstret),
        ("pmpcfg0", StateOffset.pmpcfg), ("pmpcfg2", StateOffset.pmpcfg + 8),
    ] + (0..<StateOffset.pmpCount).map { ("pmpaddr\($0)", StateOffset.pmpaddr + 8 * $0) }

    /// Everything that differs between the two machines, interpreter first.
    static func compare(_ reference: Lane, _ checked: Lane, _ expected: ExitStatus, _ actual: ExitStatus, memory: Bool) -> [Difference] {
        var out: [Difference] = []
        if expected != actual {
            out.append(Difference(location: "run", expected: "\(expected)", actual: "\(actual)"))
        }
        let e = reference.hart.state, a = checked.hart.state
        out += StateSnapshot(e).differences(StateSnapshot(a))
        if e.privilege != a.privilege {
            out.append(Difference(location: "privilege", expected: e.privilege.letter, actual: a.privilege.letter))
        }
        for (name, offset) in csrs {
            let x = e.raw.load(fromByteOffset: offset, as: UInt64.self), y = a.raw.load(fromByteOffset: offset, as: UInt64.self)
            if x != y { out.append(Difference(location: name, expected: Hex.pad(x, 16), actual: Hex.pad(y, 16))) }
        }
        let said = reference.console.bytes, heard = checked.console.bytes
        if said != heard {
            let k = zip(said, heard).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(said.count, heard.count)
            out.append(Difference(location: "console output from byte \(k)",
                                  expected: Self.quote(said[k...].prefix(24)), actual: Self.quote(heard[k...].prefix(24))))
        }
        if memory, let (address, x, y) = Self.firstRAMDifference(reference.machine, checked.machine) {
            out.append(Difference(location: "mem[\(Hex.pad(address, 0))]", expected: Hex.pad(UInt64(x), 2), actual: Hex.pad(UInt64(y), 2)))
        }
        return out
    }

    static func quote(_ bytes: ArraySlice<UInt8>) -> String {
        "\"" + bytes.map { $0 >= 0x20 && $0 < 0x7f ? String(UnicodeScalar($0)) : $0 == 10 ? "\\n" : "\\x" + String($0, radix: 16) }.joined() + "\""
    }

    /// The first byte that differs in the RAM page holding `address`.
    static func pageDifference(_ x: Machine, _ y: Machine, around address: UInt64) -> (UInt64, UInt8, UInt8)? {
        let r = x.systemBus.ram, s = y.systemBus.ram
        let page = Int((address &- r.base) & ~0xFFF)
        guard page >= 0, page + 4096 <= Int(min(r.size, s.size)), memcmp(r.pointer + page, s.pointer + page, 4096) != 0 else { return nil }
        var k = page
        while r.pointer.load(fromByteOffset: k, as: UInt8.self) == s.pointer.load(fromByteOffset: k, as: UInt8.self) { k += 1 }
        return (r.base &+ UInt64(k), r.pointer.load(fromByteOffset: k, as: UInt8.self), s.pointer.load(fromByteOffset: k, as: UInt8.self))
    }

    static func firstRAMDifference(_ x: Machine, _ y: Machine) -> (UInt64, UInt8, UInt8)? {
        let r = x.systemBus.ram, s = y.systemBus.ram
        let size = Int(min(r.size, s.size))
        guard memcmp(r.pointer, s.pointer, size) != 0 else { return nil }
        // Find the page, then the byte.
        var page = 0
        while page < size, memcmp(r.pointer + page, s.pointer + page, min(4096, size - page)) == 0 { page += 4096 }
        var k = page
        while k < size, r.pointer.load(fromByteOffset: k, as: UInt8.self) == s.pointer.load(fromByteOffset: k, as: UInt8.self) { k += 1 }
        guard k < size else { return nil }
        return (r.base &+ UInt64(k), r.pointer.load(fromByteOffset: k, as: UInt8.self), s.pointer.load(fromByteOffset: k, as: UInt8.self))
    }
}
