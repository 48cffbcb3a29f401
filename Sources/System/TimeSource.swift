#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Where `mtime` comes from: ticks at `Hart.timebaseFrequency` (10 MHz). The host's monotonic
/// clock now; an instruction count (deterministic runs, `--icount`) is the other kind planned.
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
