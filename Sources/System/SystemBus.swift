import Guest

/// The machine's physical address space: boot ROM and RAM reached by host pointer, devices by
/// register, HTIF's words as RAM seen through the register path, and nothing elsewhere.
public final class SystemBus: PhysicalBus {
    public let ram: HostRegion
    public let rom: HostRegion
    public private(set) var devices: [DeviceMapping] = []
    var htif: HTIF?

    init(ram: HostRegion, rom: HostRegion) {
        self.ram = ram
        self.rom = rom
    }

    /// Adds a device; windows must not overlap each other, RAM or ROM.
    func map(_ mapping: DeviceMapping) {
        precondition(!ram.contains(mapping.base, 1) && !rom.contains(mapping.base, 1)
                     && !devices.contains { $0.base < mapping.base + mapping.size && mapping.base < $0.base + $0.size },
                     "device \(mapping.name) overlaps another mapping")
        devices.append(mapping)
    }

    public func ram(_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer? {
        if ram.contains(address, length) {
            if let htif, htif.overlaps(address, length) { return nil }
            return ram.host(address)
        }
        return rom.contains(address, length) ? rom.host(address) : nil
    }

    public func ramWritable(_ address: UInt64, _ length: UInt64) -> Bool { !rom.contains(address, 1) }

    /// RAM written other than by the hart's stores (`HostRegion.writes`; the boot ROM is never
    /// written once the machine runs).
    public var writeLog: RAMWriteLog? { ram.writes }

    public func read(_ address: UInt64, width: Int) -> UInt64? {
        guard Self.validWidth(width) else { return nil }
        let length = UInt64(width)
        if ram.contains(address, length) { return ram.load(address, width: width) }
        if rom.contains(address, length) { return rom.load(address, width: width) }
        guard let (mapping, offset) = device(at: address, width: width) else { return nil }
        return mapping.device.read(offset, width: width)
    }

    public func write(_ address: UInt64, width: Int, value: UInt64) -> Bool {
        guard Self.validWidth(width) else { return false }
        if ram.contains(address, UInt64(width)) {
            ram.storeValue(value, at: address, width: width)
            htif?.stored(address, width: width)
            return true
        }
        guard let (mapping, offset) = device(at: address, width: width) else { return false }
        return mapping.device.write(offset, width: width, value: value)
    }

    static func validWidth(_ width: Int) -> Bool { width == 1 || width == 2 || width == 4 || width == 8 }

    /// The device answering a naturally aligned access at `address`, and the register offset.
    private func device(at address: UInt64, width: Int) -> (DeviceMapping, UInt64)? {
        guard address % UInt64(width) == 0, let m = devices.first(where: { $0.contains(address) }) else { return nil }
        let offset = address - m.base
        return offset + UInt64(width) <= m.size ? (m, offset) : nil
    }
}
