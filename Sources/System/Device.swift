/// A memory-mapped device: registers reached by offset from the device's base address.
///
/// The bus has already checked that the access is 1, 2, 4 or 8 bytes wide, naturally aligned and
/// inside the device's window; the device refuses widths its registers do not have (the hart
/// then raises an access fault, as QEMU does for a device's invalid access sizes).
public protocol Device: AnyObject {
    /// `read`: nil for an access the device does not answer.
    func read(_ offset: UInt64, width: Int) -> UInt64?
    /// `write`: false for an access the device does not answer.
    func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool
}

/// Where a device sits on the bus.
public struct DeviceMapping {
    public let name: String
    public let base: UInt64
    public let size: UInt64
    public let device: any Device

    public init(name: String, base: UInt64, size: UInt64, device: any Device) {
        self.name = name
        self.base = base
        self.size = size
        self.device = device
    }

    func contains(_ address: UInt64) -> Bool { address >= base && address - base < size }
}

/// Something that asks the run to end: the test finisher and HTIF.
public enum MachineStop: Equatable, Sendable {
    /// Power off with this exit status.
    case exit(Int32)
    /// Reset the machine (the test finisher's 0x7777, the reboot syscon).
    case reset
}

/// Where devices leave their request to end the run; the first request stands.
public final class StopLatch {
    public private(set) var stop: MachineStop?

    public init() {}

    public func request(_ stop: MachineStop) {
        if self.stop == nil { self.stop = stop }
    }
}

/// 64-bit registers that 32-bit software reads and writes one half at a time.
enum Halves {
    static func replacing(_ value: UInt64, low: UInt64) -> UInt64 { value & ~0xffff_ffff | low & 0xffff_ffff }
    static func replacing(_ value: UInt64, high: UInt64) -> UInt64 { value & 0xffff_ffff | high << 32 }
}
