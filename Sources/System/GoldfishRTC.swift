#if canImport(Glibc)
import Glibc
#endif

/// Google's goldfish real-time clock: nanoseconds since 1970 from the host's wall clock (reading
/// TIME_LOW latches TIME_HIGH, so a low-then-high read is consistent), settable by the guest,
/// with one alarm whose interrupt goes to a PLIC source. Registers are 32 bits wide.
public final class GoldfishRTC: Device {
    static let timeLow: UInt64 = 0x00, timeHigh: UInt64 = 0x04, alarmLow: UInt64 = 0x08, alarmHigh: UInt64 = 0x0c
    static let irqEnabled: UInt64 = 0x10, clearAlarm: UInt64 = 0x14, alarmStatus: UInt64 = 0x18, clearInterrupt: UInt64 = 0x1c

    private let plic: PLIC
    private let irq: Int
    private let wallClock: () -> UInt64
    private var timeOffset: UInt64 = 0
    private var latchedHigh: UInt32 = 0
    private var alarm: UInt64 = 0, alarmArmed = false
    private var interruptEnabled = false, interruptPending = false

    /// `wallClock` gives host nanoseconds since the epoch (tests pass their own).
    public init(plic: PLIC, irq: Int, wallClock: @escaping () -> UInt64 = GoldfishRTC.hostWallClock) {
        self.plic = plic
        self.irq = irq
        self.wallClock = wallClock
    }

    public static func hostWallClock() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(max(0, ts.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, ts.tv_nsec))
    }

    /// The guest-visible time now.
    public var now: UInt64 { wallClock() &+ timeOffset }

    /// The time an armed alarm would interrupt at, or nil.
    public var nextAlarm: UInt64? { alarmArmed && interruptEnabled ? alarm : nil }

    /// Fires the alarm once its time has come; the machine calls this before reading interrupt lines.
    public func update() {
        if alarmArmed && now >= alarm {
            alarmArmed = false
            interruptPending = true
        }
        plic.setLevel(irq, interruptPending && interruptEnabled)
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        guard width == 4 else { return nil }
        switch offset {
        case Self.timeLow:
            let t = now
            latchedHigh = UInt32(truncatingIfNeeded: t >> 32)
            return t & 0xffff_ffff
        case Self.timeHigh: return UInt64(latchedHigh)
        case Self.alarmLow: return alarm & 0xffff_ffff
        case Self.alarmHigh: return alarm >> 32
        case Self.irqEnabled: return interruptEnabled ? 1 : 0
        case Self.alarmStatus: return alarmArmed ? 1 : 0
        default: return 0
        }
    }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        guard width == 4 else { return false }
        let v = value & 0xffff_ffff
        switch offset {
        case Self.timeLow: setTime(Halves.replacing(now, low: v))
        case Self.timeHigh: setTime(Halves.replacing(now, high: v))
        case Self.alarmHigh: alarm = Halves.replacing(alarm, high: v)
        case Self.alarmLow:
            // Linux writes the high half first; the low half arms the alarm.
            alarm = Halves.replacing(alarm, low: v)
            alarmArmed = true
        case Self.irqEnabled: interruptEnabled = v & 1 != 0
        case Self.clearAlarm: alarmArmed = false
        case Self.clearInterrupt: interruptPending = false
        default: break
        }
        update()
        return true
    }

    private func setTime(_ time: UInt64) { timeOffset = time &- wallClock() }
}
