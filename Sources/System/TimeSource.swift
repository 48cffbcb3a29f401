#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Where `mtime` comes from: ticks at `Hart.timebaseFrequency` (10 MHz). The host's monotonic
/// clock, or the hart's retired instructions (`InstructionClock`, `--icount`).
public protocol TimeSource: AnyObject {
    /// Ticks since the machine started.
    var ticks: UInt64 { get }
    /// Nanoseconds the host should sleep for `ticks` to reach `deadline` (0 when it already has).
    /// A clock that does not advance while the hart sleeps (one counting instructions) moves
    /// itself to `deadline` and answers 0.
    func hostWait(until deadline: UInt64) -> UInt64
}

/// `mtime` from the host's monotonic clock, counted from the machine's start.
public final class HostClock: TimeSource {
    private let start: UInt64
    private static let nanosecondsPerTick = 1_000_000_000 / Hart.timebaseFrequency

    public init() { start = Hart.hostNanoseconds() }

    public var ticks: UInt64 { (Hart.hostNanoseconds() &- start) / HostClock.nanosecondsPerTick }

    public func hostWait(until deadline: UInt64) -> UInt64 {
        let now = ticks
        guard deadline > now else { return 0 }
        let (ns, overflow) = (deadline - now).multipliedReportingOverflow(by: HostClock.nanosecondsPerTick)
        return overflow ? .max : ns
    }
}

/// `mtime` from retired instructions (`--icount`): one tick per `instructionsPerTick`
/// instructions (a 100 MIPS hart at 10 MHz), and no host clock anywhere, so two runs, and two
/// engines, see every timer at the same instruction. While the hart sleeps in `wfi` the clock
/// jumps to the deadline it waits for.
public final class InstructionClock: TimeSource {
    public static let instructionsPerTick: UInt64 = 10
    /// Ticks added by `wfi` sleeps.
    private var skipped: UInt64 = 0
    /// The hart's retired-instruction count (set when the hart is attached).
    public var instructions: () -> UInt64 = { 0 }

    public init() {}

    public var ticks: UInt64 { skipped &+ instructions() / InstructionClock.instructionsPerTick }

    public func hostWait(until deadline: UInt64) -> UInt64 {
        let now = ticks
        if deadline > now { skipped &+= deadline - now }
        return 0
    }

    /// The retired-instruction count at which `ticks` reaches `tick`, if that is still ahead.
    public func instruction(atTick tick: UInt64) -> UInt64? {
        guard tick > ticks else { return nil }
        let (product, overflow) = (tick - skipped).multipliedReportingOverflow(by: InstructionClock.instructionsPerTick)
        return overflow ? nil : product
    }
}
