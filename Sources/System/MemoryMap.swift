/// Where things are in the machine's physical address space: QEMU's `virt` board layout, so
/// firmware and kernels built for that board run unchanged (see NOTES.md, "System mode").
public enum MemoryMap {
    public static let bootROM: UInt64 = 0x1000
    /// QEMU's mask ROM spans 0x1000-0x10000; reads past the reset vector see zeros.
    public static let bootROMSize: UInt64 = 0xf000
    public static let testFinisher: UInt64 = 0x10_0000, testFinisherSize: UInt64 = 0x1000
    public static let rtc: UInt64 = 0x10_1000, rtcSize: UInt64 = 0x1000
    public static let clint: UInt64 = 0x200_0000, clintSize: UInt64 = 0x1_0000
    public static let plic: UInt64 = 0xc00_0000, plicSize: UInt64 = 0x60_0000
    public static let uart: UInt64 = 0x1000_0000, uartSize: UInt64 = 0x100
    public static let dram: UInt64 = 0x8000_0000
    /// Where a raw firmware image goes (the start of RAM) and a raw kernel `Image` (2 MiB above,
    /// as OpenSBI's fw_dynamic expects by default).
    public static let firmwareLoad: UInt64 = dram
    public static let kernelLoad: UInt64 = dram + 0x20_0000

    /// PLIC interrupt sources.
    public static let uartIRQ = 10, rtcIRQ = 11

    /// virtio-mmio transports: QEMU's eight slots, 0x1000 apart, on PLIC sources 1 to 8. Trapeze
    /// fills them from the bottom (QEMU from the top; drivers find devices through the DTB).
    public static let virtio: UInt64 = 0x1000_1000, virtioSize: UInt64 = 0x1000, virtioSlots = 8
    public static func virtioBase(_ slot: Int) -> UInt64 { virtio + UInt64(slot) * virtioSize }
    public static func virtioIRQ(_ slot: Int) -> Int { 1 + slot }
}
