/// The physical side of a whole machine (system mode), as the hart sees it.
///
/// In user mode there is no platform: guest addresses are Linux virtual addresses in one confined
/// `GuestMemory`. In system mode the hart's loads, stores and fetches (and its page-table walks)
/// are translated to physical addresses and land here: RAM is host memory reached by pointer, and
/// everything else is a device register read or written through the bus.
public protocol PhysicalBus: AnyObject {
    /// A host pointer to `[address, address + length)` when the whole range is ordinary RAM (or
    /// boot ROM, for reads), else nil: the access is a device register or an unmapped address.
    /// Engines use this for every access that hits memory, and page walks for page-table entries.
    func ram(_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer?
    /// A device (MMIO) read of `width` bytes (1, 2, 4 or 8) at a physical address that `ram`
    /// refused. Nil means nothing answers there: the hart raises an access fault.
    func read(_ address: UInt64, width: Int) -> UInt64?
    /// A device (MMIO) write; false means nothing answers there (an access fault).
    func write(_ address: UInt64, width: Int, value: UInt64) -> Bool
    /// Whether a store may go through `ram`'s pointer for this range (default below).
    func ramWritable(_ address: UInt64, _ length: UInt64) -> Bool
    /// Where writes to RAM that bypass the hart's stores are recorded (default below: none,
    /// and engines then drop all their translations at `fence.i`).
    var writeLog: RAMWriteLog? { get }
}

/// What a machine supplies to its hart besides the bus: time, interrupt lines and idling.
public protocol Platform: AnyObject {
    var bus: any PhysicalBus { get }
    /// `mtime`, in ticks of `Hart.timebaseFrequency` (10 MHz, as QEMU's virt board).
    var mtime: UInt64 { get }
    /// The `mip` bits the platform's devices drive right now for hart `hartID`: MSIP (bit 3) and
    /// MTIP (bit 7) from the CLINT, MEIP (bit 11) and SEIP (bit 9) from the PLIC. The hart ORs
    /// them with the bits software may set (SSIP, STIP without Sstc, and SEIP's writable copy).
    func interruptLines(hartID: Int) -> UInt64
    /// The hart executed `wfi` with no interrupt pending: block the host thread until a device
    /// could have raised one (console input, a timer) or `mtime` reaches `deadline`, never spinning.
    func waitForInterrupt(hartID: Int, deadline: UInt64?)
    /// Whether a device asked the run to stop (default below).
    var stopRequested: Bool { get }
}

extension PhysicalBus {
    /// Whether a store may go through `ram`'s pointer for this range: false for boot ROM, whose
    /// stores must come to `write` (which refuses them). Buses without ROM keep this default.
    public func ramWritable(_ address: UInt64, _ length: UInt64) -> Bool { true }
    public var writeLog: RAMWriteLog? { nil }
}

extension Platform {
    /// A device (test finisher, HTIF) asked the run to end or the machine to reset: the engine
    /// returns to its caller at the next instruction boundary, which asks the machine why.
    public var stopRequested: Bool { false }
}
