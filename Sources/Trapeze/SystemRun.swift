import Guest
import Interpreter
import JIT
import Linux
import RISCV
import System

/// `trapeze system`: hart 0 of a `Machine` run from the reset vector until the test finisher or
/// HTIF stops it, the instruction budget runs out or the time does, on the interpreter or the
/// JIT (whose loads and stores go through its inline TLB, SystemTLB.swift). `--trace` steps
/// the interpreter whichever engine was asked for.
public final class SystemRun {
    public let machine: Machine
    public let hart: Hart
    public let environment: MachineEnvironment
    public let settings: EngineSettings
    let interpreter = Interpreter()
    /// The engine that runs the machine: `interpreter`, or a JIT.
    let engine: any Engine
    /// Where `--trace` lines and the end-of-run report go (stderr).
    let emit: (String) -> Void

    /// `engine`, when given, runs the machine instead of one made from `settings` (difftest's
    /// fault-injected JIT).
    /// With `settings.perfMap`, the JIT's code is named in /tmp/perf-PID.map by `symbols`.
    public init(_ machine: Machine, settings: EngineSettings, engine: (any Engine)? = nil,
                symbols: GuestSymbols = GuestSymbols(tables: []),
                emit: @escaping (String) -> Void = { HostIO.error($0 + "\n") }) {
        self.machine = machine
        self.settings = settings
        var options = settings.jitOptions
        options.cacheSize = max(options.cacheSize, JITOptions.systemCacheSize)
        self.engine = engine ?? (settings.kind == .jit ? JIT(options: options) : interpreter)
        self.emit = emit
        if settings.perfMap { PerfMap.attach(to: self.engine, symbols: symbols) }
        // The hart's own GuestMemory is not used in system mode (all access goes through the
        // bus); a small one keeps fence.i's code generation and a debugger's fetch patches.
        hart = Hart(memory: GuestMemory(limit: 1 << 16))
        hart.cpu = machine.configuration.cpu
        environment = MachineEnvironment(machine: machine)
        environment.attach(hart)
    }

    /// Runs the machine; `trace` prints each instruction with the privilege it ran at.
    public func run(trace: Bool = false) -> ExitStatus {
        let start = Hart.hostNanoseconds()
        var timedOut = false
        let status: ExitStatus
        if trace {
            (status, timedOut) = traced()
        } else if let seconds = settings.timeout {
            switch TimedRun.run(engine, hart, maxInstructions: settings.maxInstructions, seconds: seconds) {
            case .finished(let s): status = s
            case .timedOut: status = .instructionLimit; timedOut = true
            }
        } else {
            status = engine.run(hart, maxInstructions: settings.maxInstructions)
        }
        if status == .instructionLimit {
            emit(timedOut ? "trapeze: the machine was stopped after \(HostIO.fixed(settings.timeout ?? 0, digits: 1)) s (--timeout) at pc 0x\(String(hart.state.pc, radix: 16)) in \(hart.privilege.letter)-mode"
                          : "trapeze: the machine was stopped after \(hart.state.instret) instructions (--max-insns) at pc 0x\(String(hart.state.pc, radix: 16)) in \(hart.privilege.letter)-mode")
            let records = environment.recent.records
            if !records.isEmpty {
                emit("trapeze: the last \(records.count) traps, oldest first:")
                for record in records { emit("trapeze:   \(record)") }
            }
        }
        if settings.stats { report(status, since: start) }
        return status
    }

    /// One instruction at a time, each traced before it runs; traps as they are taken.
    private func traced() -> (ExitStatus, Bool) {
        let state = hart.state
        environment.onTrap = { [emit] record in emit("trap  \(record)") }
        interpreter.stopAfterTrap = true
        defer { environment.onTrap = nil; interpreter.stopAfterTrap = false }
        let deadline = settings.timeout.map { Hart.hostNanoseconds() &+ UInt64(max(0, min($0, 1e9)) * 1e9) }
        // One unit of --max-insns per step: an instruction retired or a trap taken (as the
        // engines charge it), so a guest that traps forever still stops.
        var steps: UInt64 = 0
        while true {
            if let max = settings.maxInstructions, steps >= max { return (.instructionLimit, false) }
            steps &+= 1
            if let deadline, Hart.hostNanoseconds() >= deadline { return (.instructionLimit, true) }
            let pc = state.pc
            let mode = hart.privilege.letter
            if let inst = try? hart.fetchInstruction(pc) {
                let bits = inst.length == 2 ? String(format4(UInt64(inst.raw & 0xFFFF))) : String(format8(UInt64(inst.raw)))
                emit("\(mode) 0x\(String(pc, radix: 16)): \(bits)  \(disassemble(inst, pc: pc))")
            }
            let status = interpreter.run(hart, maxInstructions: 1)
            if status != .instructionLimit { return (status, false) }
        }
    }

    private func format4(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: max(0, 4 - s.count)) + s + "    " }
    private func format8(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: max(0, 8 - s.count)) + s }

    private func report(_ status: ExitStatus, since start: UInt64) {
        let seconds = Double(Hart.hostNanoseconds() - start) / 1e9
        let retired = hart.state.instret
        emit("trapeze: engine \(engine is JIT ? "jit" : "interp") (system mode), exit \(status)")
        emit("trapeze: guest instructions retired \(retired) in \(HostIO.fixed(seconds, digits: 3)) s (\(HostIO.fixed(Double(retired) / max(seconds, 1e-9) / 1e6, digits: 1)) MIPS)")
        func causes(_ counts: [UInt64: UInt64], interrupt: Bool) -> String {
            counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }
                .map { "\(TrapRecord.name($0.key, interrupt: interrupt)) \($0.value)" }.joined(separator: ", ")
        }
        emit("trapeze: exceptions: \(causes(environment.exceptions, interrupt: false))")
        emit("trapeze: interrupts: \(causes(environment.interrupts, interrupt: true))")
        let tlb = hart.tlb
        if let jit = engine as? JIT {
            emit("trapeze: TLB: \(tlb.hits) hits, \(tlb.fills) fills (page walks), \(tlb.flushes) flushes; \(jit.systemMemorySummary)")
            for line in jit.stats.description.split(separator: "\n") { emit("trapeze: " + line) }
        } else {
            emit("trapeze: TLB: \(tlb.hits) hits, \(tlb.fills) fills (page walks), \(tlb.flushes) flushes; data TLB fills \(interpreter.systemDataTLBFills), fetch TLB fills \(interpreter.systemFetchTLBFills); blocks dropped by stores to code \(interpreter.systemCodeStores), by fence.i after writes behind the hart \(interpreter.systemFenceDrops)")
        }
        for device in machine.virtio {
            let ms = HostIO.fixed(Double(device.serviceNanoseconds) / 1e6, digits: 1)
            let what = device.backend.summary
            emit("trapeze: \(device.backend.name): \(device.requests) requests\(what.isEmpty ? "" : ": " + what); \(device.notifications) notifications, \(ms) ms serving them")
        }
    }

    /// The JIT running the machine, if it is one (`trapeze dump --system` lists its blocks).
    public var jit: JIT? { engine as? JIT }

    /// The exit status Trapeze ends with.
    public static func processStatus(_ status: ExitStatus) -> Int32 { status.processStatus }
}
