import Guest
import JIT
import Linux

/// One engine running one hart as `EngineSettings` say (instruction limit, wall-clock timeout,
/// statistics, perf map), whatever environment the hart traps to: the part of a run that a Linux
/// process (`GuestRun`) and a whole machine share.
public final class EngineRun {
    public let settings: EngineSettings
    public let engine: any Engine
    /// The run ended because `settings.timeout` expired (`run` then returns `.instructionLimit`).
    public private(set) var timedOut = false
    /// Instructions retired by the whole guest, for `--stats` (a Linux process sums its threads);
    /// by default the hart's own count.
    public var retiredInstructions: ((Hart) -> UInt64)?
    /// Instructions the whole guest has retired against `--max-insns` (a Linux process: all its
    /// threads). When set, the hart runs in slices and stops once the guest as a whole reached
    /// the limit; nil: the limit is the hart's own count.
    public var sharedBudget: (() -> UInt64)?

    /// Builds the engine; `symbols` name guest code in the perf map.
    public init(_ settings: EngineSettings, symbols: GuestSymbols, store: TranslationStore? = nil) {
        self.settings = settings
        engine = settings.makeEngine(store: store)
        if settings.perfMap { PerfMap.attach(to: engine, symbols: symbols) }
    }

    /// Runs `hart` until the guest stops, the instructions run out or the time does.
    public func run(_ hart: Hart) -> ExitStatus {
        let start = Hart.hostNanoseconds()
        let status: ExitStatus
        if let seconds = settings.timeout {
            switch TimedRun.run(engine, hart, maxInstructions: settings.maxInstructions, seconds: seconds, used: sharedBudget) {
            case .finished(let s): status = s
            case .timedOut:
                timedOut = true
                status = .instructionLimit
            }
        } else if let limit = settings.maxInstructions, let used = sharedBudget {
            status = EngineRun.run(engine, hart, limit: limit, used: used)
        } else {
            status = engine.run(hart, maxInstructions: settings.maxInstructions)
        }
        if settings.stats { report(status, hart, since: start) }
        return status
    }

    /// Runs `hart` in slices until the guest stops or `used()` (the guest's total) reaches `limit`.
    /// Alone, the hart stops exactly at the limit.
    public static func run(_ engine: any Engine, _ hart: Hart, limit: UInt64, used: () -> UInt64) -> ExitStatus {
        while true {
            let done = used()
            if done >= limit { return .instructionLimit }
            let before = hart.state.instret
            let status = engine.run(hart, maxInstructions: min(limit - done, TimedRun.sharedSlice))
            if status != .instructionLimit { return status }
            // A slice that retired nothing was stopped from outside: another thread ended the
            // process at the limit, and the engine hands back that status at once; asking again
            // would spin forever.
            if hart.state.instret == before { return .instructionLimit }
        }
    }

    private func report(_ status: ExitStatus, _ hart: Hart, since start: UInt64) {
        let seconds = Double(Hart.hostNanoseconds() - start) / 1e9
        let retired = retiredInstructions?(hart) ?? hart.state.instret
        var lines = ["trapeze: engine \(settings.kind.rawValue), exit \(status)",
                     "trapeze: guest instructions retired \(retired) in \(HostIO.fixed(seconds, digits: 3)) s (\(HostIO.fixed(Double(retired) / max(seconds, 1e-9) / 1e6, digits: 1)) MIPS)"]
        if let jit = engine as? JIT { lines.append(jit.stats.description) }
        HostIO.error(lines.joined(separator: "\n") + "\n")
    }
}
