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
    /// Instructions per slice when several threads share one `--max-insns` budget: the most the
    /// guest as a whole can overshoot it by, per other running thread.
    public static let sharedSlice: UInt64 = 1 << 16
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
    /// `used`, if given, is what the whole guest (all threads) has retired: the limit is on that.
    public static func run(_ engine: any Engine, _ hart: Hart, maxInstructions: UInt64?, seconds: Double,
                           used: (() -> UInt64)? = nil) -> Outcome {
        let start = Hart.hostNanoseconds()
        let budget = seconds > 0 ? UInt64(min(seconds, 1e9) * 1e9) : 0
        deadline = start &+ budget
        defer { deadline = nil }
        let watchdog = Watchdog(hart: hart, seconds: seconds)
        defer { watchdog.cancel() }
        var remaining = maxInstructions
        while true {
            if Hart.hostNanoseconds() &- start >= budget { return .timedOut }
            if let used, let max = maxInstructions {
                let u = used()
                if u >= max { return .finished(.instructionLimit) }
                remaining = max - u
            }
            let n = min(remaining ?? slice, used == nil ? slice : sharedSlice)
            let before = hart.state.instret
            let status = engine.run(hart, maxInstructions: n)
            // A guest still there at the deadline timed out, even if it ended before the
            // watchdog came (its children killed by their timers let a wait return, say).
            guard status == .instructionLimit else { return Hart.hostNanoseconds() &- start >= budget ? .timedOut : .finished(status) }
            // System mode charges a trap to the budget as one step though nothing retires
            // (both engines): a slice that ends at its limit spent all of it, even when a guest
            // trapping forever left instret where it was.
            let done = hart.platform != nil ? n : hart.state.instret &- before
            // Shared budget: a slice that retired nothing was stopped from outside (another
            // thread ended the process at the limit), as in `EngineRun.run`.
            if used != nil, done == 0 { return .finished(.instructionLimit) }
            if let r = remaining {
                remaining = r > done ? r - done : 0
                if remaining == 0 { return .finished(.instructionLimit) }
            }
        }
    }

    /// When the running guest's time is up (`Hart.hostNanoseconds`), for the processes it starts.
    nonisolated(unsafe) static var deadline: UInt64?

    /// In a child just forked: the watchdog thread did not survive fork, so a kernel timer ends
    /// the child (SIGKILL) if it is still alive, blocked or not, when the grace after the
    /// deadline is over. (A child that keeps running guest code stops at the deadline itself.)
    static func restartWatchdogAfterFork() {
        guard let deadline else { return }
        let end = deadline &+ UInt64(watchdogGrace * 1e9)
        var event = sigevent()
        event.sigev_notify = Int32(SIGEV_SIGNAL)
        event.sigev_signo = SIGKILL
        var timer: timer_t? = nil
        guard timer_create(CLOCK_MONOTONIC, &event, &timer) == 0 else { return }
        var when = itimerspec()
        when.it_value.tv_sec = Int(end / 1_000_000_000)
        when.it_value.tv_nsec = Int(end % 1_000_000_000)
        timer_settime(timer, TIMER_ABSTIME, &when, nil)
    }

    /// Before execve of a host program: the time left, as a SIGALRM it inherits (a POSIX timer
    /// would not survive the exec; the real-time interval timer does).
    static func armForHostExec() {
        guard let deadline else { return }
        let now = Hart.hostNanoseconds()
        let left = deadline > now ? deadline - now : 1_000
        var value = itimerval()
        value.it_value.tv_sec = Int(left / 1_000_000_000)
        value.it_value.tv_usec = Int(max(1, (left % 1_000_000_000) / 1_000))
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &value, nil)
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
