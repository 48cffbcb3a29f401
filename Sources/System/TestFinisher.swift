/// SiFive's test finisher (`sifive,test0`): a 32-bit write of 0x5555 powers off with status 0,
/// `(code << 16) | 0x3333` with status `code`, 0x7777 resets. Reads give 0, as QEMU's do. The
/// device tree's poweroff and reboot syscon nodes write these same values.
public final class TestFinisher: Device {
    public static let pass: UInt64 = 0x5555, fail: UInt64 = 0x3333, reset: UInt64 = 0x7777

    private let stops: StopLatch

    public init(stops: StopLatch) { self.stops = stops }

    public func read(_ offset: UInt64, width: Int) -> UInt64? { width == 2 || width == 4 ? 0 : nil }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        guard width == 2 || width == 4 else { return false }
        guard offset == 0 else { return true }
        switch value & 0xffff {
        case Self.pass: stops.request(.exit(0))
        case Self.fail: stops.request(.exit(Int32(truncatingIfNeeded: value >> 16 & 0xffff)))
        case Self.reset: stops.request(.reset)
        default: break  // other values do nothing
        }
        return true
    }
}
