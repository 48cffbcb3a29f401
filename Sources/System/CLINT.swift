/// The core-local interruptor for hart 0 (SiFive CLINT layout): `msip` at +0x0 raises the machine
/// software interrupt, `mtimecmp` at +0x4000 the machine timer interrupt once `mtime` (at
/// +0xBFF8) reaches it. `mtime` is the time source's count plus what guest writes to it added.
public final class CLINT: Device {
    public static let msip: UInt64 = 0x0, mtimecmp: UInt64 = 0x4000, mtime: UInt64 = 0xbff8

    public let clock: any TimeSource
    public private(set) var softwareInterrupt = false
    /// Reset so that no timer interrupt is pending until software programs one (QEMU raises
    /// MTIP only on a write to `mtimecmp`).
    public private(set) var timerCompare = UInt64.max
    private var offset: UInt64 = 0

    public init(clock: any TimeSource) { self.clock = clock }

    public var time: UInt64 { clock.ticks &+ offset }
    public var timerInterrupt: Bool { time >= timerCompare }

    /// The clock's count at which `mtime` reaches `mtimecmp`; nil when it never will.
    public var timerDeadline: UInt64? { timerCompare == .max ? nil : clockTicks(at: timerCompare) }

    /// The clock count at which `mtime` shows `value` (mtime - offset, or now if already passed).
    func clockTicks(at value: UInt64) -> UInt64 { value >= offset ? value - offset : 0 }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        switch (offset, width) {
        case (Self.msip, 4): softwareInterrupt ? 1 : 0
        case (Self.mtimecmp, 4), (Self.mtimecmp, 8): Self.part(timerCompare, width: width)
        case (Self.mtimecmp + 4, 4): timerCompare >> 32
        case (Self.mtime, 4), (Self.mtime, 8): Self.part(time, width: width)
        case (Self.mtime + 4, 4): time >> 32
        default: nil
        }
    }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        switch (offset, width) {
        case (Self.msip, 4): softwareInterrupt = value & 1 != 0
        case (Self.mtimecmp, 8): timerCompare = value
        case (Self.mtimecmp, 4): timerCompare = Halves.replacing(timerCompare, low: value)
        case (Self.mtimecmp + 4, 4): timerCompare = Halves.replacing(timerCompare, high: value)
        case (Self.mtime, 8): setTime(value)
        case (Self.mtime, 4): setTime(Halves.replacing(time, low: value))
        case (Self.mtime + 4, 4): setTime(Halves.replacing(time, high: value))
        default: return false
        }
        return true
    }

    private func setTime(_ value: UInt64) { offset = value &- clock.ticks }

    static func part(_ value: UInt64, width: Int) -> UInt64 { width == 8 ? value : value & 0xffff_ffff }
}
