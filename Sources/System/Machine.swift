#if canImport(Glibc)
import Glibc
#endif
import Guest

/// The whole machine around hart 0, laid out like QEMU's `virt` board: boot ROM, RAM, CLINT,
/// PLIC, ns16550a UART, SiFive test finisher, goldfish RTC and (for a bare-metal ELF that has
/// `tohost`) HTIF, with the images loaded and the device tree in RAM. The hart starts at
/// `resetAddress` in M-mode.
public final class Machine: Platform {
    public let configuration: SystemConfiguration
    public let systemBus: SystemBus
    public let clint: CLINT
    public let plic: PLIC
    public let uart: UART16550
    public let rtc: GoldfishRTC
    public let finisher: TestFinisher
    public let htif: HTIF?
    /// The virtio-mmio transports, slot by slot: the disks, then the entropy device.
    public let virtio: [VirtioMMIO]
    public let stops: StopLatch
    /// The flattened device tree, and where it is in RAM (a1 at the reset vector).
    public let deviceTree: [UInt8]
    public let deviceTreeAddress: UInt64
    public let resetVector: ResetVector
    /// What went into RAM, by name, in load order (the device tree last).
    public let images: [(name: String, range: Range<UInt64>)]
    private let console: any Console
    private var lastInputPoll: UInt64 = 0

    /// Where the hart starts, in M-mode.
    public static let resetAddress = MemoryMap.bootROM
    /// The PLIC contexts hart 0's MEIP and SEIP follow.
    static let machineContext = 0, supervisorContext = 1
    /// How often, at most, `interruptLines` looks for console input, and the longest an idle hart
    /// sleeps before its engine gets control back (to notice a timeout or a stop).
    static let inputPollInterval: UInt64 = 1_000_000, longestIdle: UInt64 = 50_000_000

    public init(_ configuration: SystemConfiguration, console: any Console = HostConsole(), clock: any TimeSource = HostClock(),
                wallClock: @escaping () -> UInt64 = GoldfishRTC.hostWallClock) throws(SystemError) {
        try configuration.validate()
        self.configuration = configuration
        self.console = console
        guard let ram = HostRegion(base: MemoryMap.dram, size: configuration.memorySize) else {
            throw SystemError("cannot reserve \(configuration.memorySize) bytes of guest RAM (see --memory)", status: SystemError.host)
        }
        guard let rom = HostRegion(base: MemoryMap.bootROM, size: MemoryMap.bootROMSize) else {
            throw SystemError("cannot reserve the boot ROM", status: SystemError.host)
        }
        let boot = try BootImages(configuration, ram: ram)
        deviceTree = boot.deviceTree
        deviceTreeAddress = boot.deviceTreeAddress
        resetVector = ResetVector(entry: boot.entry, deviceTree: boot.deviceTreeAddress, nextAddress: boot.nextAddress)
        rom.store(resetVector.bytes, at: MemoryMap.bootROM)
        images = boot.images

        systemBus = SystemBus(ram: ram, rom: rom)
        plic = PLIC()
        clint = CLINT(clock: clock)
        uart = UART16550(console: console, plic: plic, irq: MemoryMap.uartIRQ)
        rtc = GoldfishRTC(plic: plic, irq: MemoryMap.rtcIRQ, wallClock: wallClock)
        systemBus.map(DeviceMapping(name: "rtc", base: MemoryMap.rtc, size: MemoryMap.rtcSize, device: rtc))
        systemBus.map(DeviceMapping(name: "clint", base: MemoryMap.clint, size: MemoryMap.clintSize, device: clint))
        systemBus.map(DeviceMapping(name: "plic", base: MemoryMap.plic, size: MemoryMap.plicSize, device: plic))
        systemBus.map(DeviceMapping(name: "serial", base: MemoryMap.uart, size: MemoryMap.uartSize, device: uart))
        var backends: [any VirtioBackend] = []
        for (i, drive) in configuration.drives.enumerated() {
            backends.append(VirtioBlock(try DiskImage(path: drive.path, readOnly: drive.readOnly, snapshot: configuration.snapshot), index: i))
        }
        if configuration.entropy { backends.append(VirtioEntropy()) }
        let memory: VirtioQueue.Memory = { [ram] address, length in ram.dma(address, length) }
        let plic = self.plic
        virtio = backends.enumerated().map { slot, backend in
            VirtioMMIO(backend, memory: memory, plic: plic, irq: MemoryMap.virtioIRQ(slot))
        }
        for (slot, device) in virtio.enumerated() {
            systemBus.map(DeviceMapping(name: "virtio_mmio", base: MemoryMap.virtioBase(slot), size: MemoryMap.virtioSize, device: device))
        }
        let stops = StopLatch()
        self.stops = stops
        console.connect(stops)
        finisher = TestFinisher(stops: stops)
        htif = boot.htif.map { HTIF(tohost: $0.tohost, fromhost: $0.fromhost, ram: ram, console: console, stops: stops) }
        systemBus.htif = htif
        systemBus.map(DeviceMapping(name: "test", base: MemoryMap.testFinisher, size: MemoryMap.testFinisherSize, device: finisher))
    }

    public var bus: any PhysicalBus { systemBus }
    public var mtime: UInt64 { clint.time }
    public var stopRequested: Bool { stops.stop != nil }
    /// Why the run should end, once a device asked.
    public var stop: MachineStop? { stops.stop }

    public func interruptLines(hartID: Int) -> UInt64 {
        guard hartID == 0 else { return 0 }
        let now = Hart.hostNanoseconds()
        if now &- lastInputPoll >= Self.inputPollInterval {
            lastInputPoll = now
            console.flush()
            console.collectInput()
            uart.pollInput(background: true)
            rtc.update()
        }
        var lines: UInt64 = 0
        if clint.softwareInterrupt { lines |= 1 << 3 }
        if clint.timerInterrupt { lines |= 1 << 7 }
        if plic.interruptPending(context: Self.supervisorContext) { lines |= 1 << 9 }
        if plic.interruptPending(context: Self.machineContext) { lines |= 1 << 11 }
        return lines
    }

    /// Sleeps in `poll` on console input until the earliest timer that has not fired yet (the
    /// CLINT's, the hart's `deadline` in mtime ticks, the RTC alarm), at most `longestIdle`. A
    /// timer already past wakes nothing: its interrupt is pending and the hart has masked it.
    public func waitForInterrupt(hartID: Int, deadline: UInt64?) {
        console.flush()
        var wait = Self.longestIdle
        let now = clint.time
        // The earliest only: a clock that jumps (`--icount`) must not pass it.
        if let tick = [clint.timerCompare, deadline].compactMap({ $0 }).filter({ $0 > now && $0 != .max }).min() {
            wait = min(wait, clint.clock.hostWait(until: clint.clockTicks(at: tick)))
        }
        if let alarm = rtc.nextAlarm {
            let wall = rtc.now
            wait = min(wait, alarm > wall ? alarm - wall : 0)
        }
        if let fd = console.inputDescriptor {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, Int32((wait + 999_999) / 1_000_000))
        } else if wait > 0 {
            var ts = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
            _ = nanosleep(&ts, nil)
        }
        lastInputPoll = 0  // look for input at once
    }

    /// Writes the device tree blob to `path` (`--dump-dtb`).
    public func writeDeviceTree(to path: String) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SystemError("--dump-dtb \(path): \(String(cString: strerror(errno)).lowercased())", status: SystemError.host) }
        defer { close(fd) }
        var done = 0
        while done < deviceTree.count {
            let n = deviceTree.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SystemError("--dump-dtb \(path): \(String(cString: strerror(errno)).lowercased())", status: SystemError.host) }
            done += n
        }
    }
}
