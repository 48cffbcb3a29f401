import Guest

/// System mode's polling quantum: how many instructions translated code may run chained before
/// the dispatcher looks for interrupts (a timer that fell due in host time, console input, a
/// stop request) when nothing else made it leave. What bounds how late an interrupt is taken is
/// host time, not instructions, so the quantum follows the guest's speed: it doubles while the
/// quantum's runs take less than `fast` nanoseconds of host time (measured between two exits at
/// the quantum, so whatever ran between them counts), up to `most` (user mode's quantum), and
/// halves while they take more than `slow`, down to `least` (what it was fixed at before).
/// Each exit at the quantum costs about 0.45 µs (leaving, looking for events, stepping to a
/// block, entering again): `fib` as a U-mode process left 29,500 times at 64Ki instructions.
/// Where translated code stops for polling changes nothing the guest sees under `--icount`
/// (timers fall due at exact instruction counts, which bound the budget themselves).
public struct PollingQuantum: Sendable {
    public static let least: UInt64 = 1 << 16
    public static let most: UInt64 = 1 << 20
    /// 100 µs and 400 µs: the 250 Hz tick of a guest kernel is 4 ms.
    public static let fast: UInt64 = 100_000
    public static let slow: UInt64 = 400_000

    public private(set) var instructions: UInt64 = PollingQuantum.least
    /// Host time of the last exit at the quantum (0: none yet).
    private var last: UInt64 = 0

    public init() {}

    /// Translated code left because the quantum ran out, at host time `now` (nanoseconds).
    public mutating func ranOut(at now: UInt64 = Hart.hostNanoseconds()) {
        defer { last = now }
        guard last != 0 else { return }
        let elapsed = now &- last
        if elapsed < PollingQuantum.fast {
            instructions = min(instructions &* 2, PollingQuantum.most)
        } else if elapsed > PollingQuantum.slow {
            instructions = max(instructions / 2, PollingQuantum.least)
        }
    }
}
