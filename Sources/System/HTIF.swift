/// The Berkeley host-target interface as spike and QEMU have it: two 64-bit words in RAM,
/// `tohost` and `fromhost`, found by symbol in a bare-metal ELF. The guest writes a command to
/// `tohost` (device in bits 63:56, command in 55:48, payload in 47:0); the machine acts on it and
/// clears `tohost`. Device 0 with payload bit 0 set exits with status `payload >> 1` (riscv-tests
/// write 1 for a pass); device 1 command 1 prints the payload's low byte and answers in
/// `fromhost`. Other commands are cleared without effect.
///
/// The words stay ordinary RAM, but the bus keeps them off the direct-pointer path so that every
/// store to them comes through `stored`.
public final class HTIF {
    public let tohost: UInt64
    public let fromhost: UInt64?
    private let ram: HostRegion
    private let console: any Console
    private let stops: StopLatch

    init(tohost: UInt64, fromhost: UInt64?, ram: HostRegion, console: any Console, stops: StopLatch) {
        self.tohost = tohost
        self.fromhost = fromhost
        self.ram = ram
        self.console = console
        self.stops = stops
    }

    /// Whether `[address, address + length)` touches either word.
    func overlaps(_ address: UInt64, _ length: UInt64) -> Bool {
        [tohost, fromhost].contains { word in
            guard let word else { return false }
            return address < word &+ 8 && word < address &+ length
        }
    }

    /// The guest stored `width` bytes at `address` (already in RAM). A command is complete once
    /// its top half is written: 32-bit code writes the low word first, then the high one.
    func stored(_ address: UInt64, width: Int) {
        guard address < tohost + 8, tohost + 4 < address + UInt64(width) else { return }
        let command = ram.load(tohost, width: 8)
        guard command != 0 else { return }
        let device = command >> 56, code = command >> 48 & 0xff, payload = command & 0xffff_ffff_ffff
        switch (device, code) {
        case (0, _) where payload & 1 != 0:
            stops.request(.exit(Int32(truncatingIfNeeded: payload >> 1)))
        case (1, 1):
            console.transmit(UInt8(truncatingIfNeeded: payload))
            if let fromhost { ram.storeValue((command >> 48) << 48 | 0x100 | payload & 0xff, at: fromhost, width: 8) }
        default:
            break
        }
        ram.storeValue(0, at: tohost, width: 8)
    }
}
