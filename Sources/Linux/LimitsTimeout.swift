#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Guest
import RISCV
import Synchronization

/// `--timeout`: runs an engine against a wall-clock deadline.
///
/// The engine runs in slices of `slice` instructions and the clock is read between slices, so
/// the check costs nothing measurable and needs nothing from the engines. A guest blocked in a
/// host system call never returns to the slice loop; a watchdog thread ends the process shortly
/// after the deadline in that case.
public enum TimedRun {
    /// Instructions per slice: a few milliseconds of guest time on either engine.
    public static let slice: UInt64 = 1 << 18
    /// How long past the deadline the watchdog waits for the slice loop before ending the process.
    static let watchdogGrace: Double = 1.0
    /// The status `timeout(1)` uses, and Trapeze for `--max-insns`.
    public static let status: Int32 = 124

    public enum Outcome: Equatable, Sendable {
        /// The guest stopped by itself (or `maxInstructions` ran out).
        case finished(ExitStatus)
        /// The deadline passed; the hart's pc is where the guest was.
        case timedOut
    }

    /// Runs `hart` on `engine` until the guest stops, `maxInstructions` retire, or `seconds` pass.
    public static func run(_ engine: any Engine, _ hart: Hart, maxInstructions: UInt64?, seconds: Double) -> Outcome {
        let start = Hart.hostNanoseconds()
        let budget = seconds > 0 ? UInt64(min(seconds, 1e9) * 1e9) : 0
        let watchdog = Watchdog(hart: hart, seconds: seconds)
        defer { watchdog.cancel() }
        var remaining = maxInstructions
        while true {
            if Hart.hostNanoseconds() &- start >= budget { return .timedOut }
            let n = min(remaining ?? slice, slice)
            let before = hart.state.instret
            let status = engine.run(hart, maxInstructions: n)
            guard status == .instructionLimit else { return .finished(status) }
            if let r = remaining {
                let done = hart.state.instret &- before
                remaining = r > done ? r - done : 0
                if remaining == 0 { return .finished(.instructionLimit) }
            }
        }
    }

    /// The one-line report (after `trapeze: `) for a run that timed out.
    public static func message(seconds: Double, _ hart: Hart) -> String {
        "timeout after \(format(seconds)) s at \(GuestLocation.describe(hart))"
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? String(Int64(seconds)) : String(seconds)
    }

    /// Ends the process if the slice loop does not notice the deadline in time (the guest sits in
    /// a blocking system call: read on a terminal, pause, a long sleep).
    final class Watchdog: Sendable {
        let done = Atomic<Bool>(false)

        init(hart: Hart, seconds: Double) {
            let delay = min(seconds, 1e9) + TimedRun.watchdogGrace
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in
                guard !done.load(ordering: .acquiring) else { return }
                let line = "trapeze: \(TimedRun.message(seconds: seconds, hart)) (in a system call)\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
                _exit(TimedRun.status)
            }
        }

        func cancel() { done.store(true, ordering: .releasing) }
    }
}

/// Where a guest is, for error messages: its pc and, when that is readable code, the instruction.
public enum GuestLocation {
    /// `guest pc 0x10078 (addi a0,a0,1)`, or just `guest pc 0x10078` when there is no instruction.
    public static func describe(_ hart: Hart) -> String {
        let pc = hart.state.pc
        let text = "guest pc 0x" + String(pc, radix: 16)
        guard let word = try? hart.memory.fetchInstruction(pc) else { return text }
        guard let inst = decode(word) else { return text + " (illegal instruction 0x\(String(word, radix: 16)))" }
        return text + " (" + disassemble(inst, pc: pc).replacingTabs() + ")"
    }
}

private extension String {
    func replacingTabs() -> String { String(map { $0 == "\t" ? " " : $0 }) }
}
