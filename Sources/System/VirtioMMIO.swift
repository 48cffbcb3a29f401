#if canImport(Glibc)
import Glibc
#endif
/// What a virtio device does behind its transport: its type, features, configuration space and
/// how it serves a request.
public protocol VirtioBackend: AnyObject {
    /// The virtio device ID (2 block, 4 entropy source).
    var deviceID: UInt32 { get }
    /// Device-specific feature bits (the transport adds VERSION_1 and INDIRECT_DESC).
    var deviceFeatures: UInt64 { get }
    var queueCount: Int { get }
    /// The configuration space, little-endian, read at any width.
    var configuration: [UInt8] { get }
    /// Serves one request; returns the bytes written into the chain's writable buffers.
    func serve(queue: Int, _ chain: VirtioQueue.Chain) -> UInt32
    /// Name for errors and `--stats`.
    var name: String { get }
    /// What the device did, for `--stats`.
    var summary: String { get }
}

extension VirtioBackend {
    public var summary: String { "" }
}

/// The virtio-mmio transport, version 2 (virtio 1.x, 4.2), as QEMU's `virt` board places it:
/// 0x1000 bytes of registers per device from 0x1000_1000, the configuration space at 0x100,
/// PLIC sources 1 to 8. Requests are served when the driver notifies a queue, synchronously,
/// and the used-buffer interrupt goes up at once unless the driver suppressed it. Legacy
/// (version 1) devices are not offered.
public final class VirtioMMIO: Device {
    // Registers (4.2.2).
    static let magic: UInt64 = 0x000, version: UInt64 = 0x004, deviceIDRegister: UInt64 = 0x008, vendorID: UInt64 = 0x00c
    static let deviceFeaturesRegister: UInt64 = 0x010, deviceFeaturesSelect: UInt64 = 0x014
    static let driverFeaturesRegister: UInt64 = 0x020, driverFeaturesSelect: UInt64 = 0x024
    static let queueSelect: UInt64 = 0x030, queueSizeMax: UInt64 = 0x034, queueSize: UInt64 = 0x038
    static let queueReady: UInt64 = 0x044, queueNotify: UInt64 = 0x050
    static let interruptStatus: UInt64 = 0x060, interruptAcknowledge: UInt64 = 0x064, status: UInt64 = 0x070
    static let queueDescriptorLow: UInt64 = 0x080, queueDescriptorHigh: UInt64 = 0x084
    static let queueDriverLow: UInt64 = 0x090, queueDriverHigh: UInt64 = 0x094
    static let queueDeviceLow: UInt64 = 0x0a0, queueDeviceHigh: UInt64 = 0x0a4
    static let configGeneration: UInt64 = 0x0fc, configBase: UInt64 = 0x100

    static let magicValue: UInt64 = 0x7472_6976  // "virt"
    static let vendorValue: UInt64 = 0x554d_4551  // "QEMU", as QEMU's devices report
    /// Transport feature bits.
    public static let indirectDescriptors: UInt64 = 1 << 28, version1: UInt64 = 1 << 32
    /// Device status bits (2.1).
    public static let acknowledge: UInt32 = 1, driver: UInt32 = 2, driverOK: UInt32 = 4, featuresOK: UInt32 = 8
    public static let needsReset: UInt32 = 0x40, failed: UInt32 = 0x80
    /// InterruptStatus bits.
    static let usedBuffer: UInt32 = 1, configurationChange: UInt32 = 2

    public let backend: any VirtioBackend
    private let memory: VirtioQueue.Memory
    private let plic: PLIC
    private let irq: Int
    public private(set) var queues: [VirtioQueue]
    public private(set) var deviceStatus: UInt32 = 0
    public private(set) var driverFeatures: UInt64 = 0
    public private(set) var interrupts: UInt32 = 0
    /// Why the device stopped serving its queues, when the driver broke the protocol.
    public private(set) var fault: String?
    /// Requests served, and the host time spent serving them (notifications), for `--stats`.
    public private(set) var requests: UInt64 = 0
    public private(set) var notifications: UInt64 = 0, serviceNanoseconds: UInt64 = 0
    private var featuresSelect: UInt32 = 0, driverSelect: UInt32 = 0, selected: UInt32 = 0

    public var offeredFeatures: UInt64 { backend.deviceFeatures | Self.version1 | Self.indirectDescriptors }

    /// `memory` gives host pointers to guest RAM (nil outside it).
    public init(_ backend: any VirtioBackend, memory: @escaping VirtioQueue.Memory, plic: PLIC, irq: Int) {
        self.backend = backend
        self.memory = memory
        self.plic = plic
        self.irq = irq
        queues = Array(repeating: VirtioQueue(), count: backend.queueCount)
    }

    private var queue: VirtioQueue? { Int(selected) < queues.count ? queues[Int(selected)] : nil }

    private func updateQueue(_ body: (inout VirtioQueue) -> Void) {
        guard Int(selected) < queues.count else { return }
        body(&queues[Int(selected)])
    }

    private func updateLine() { plic.setLevel(irq, interrupts != 0) }

    private func reset() {
        queues = Array(repeating: VirtioQueue(), count: backend.queueCount)
        deviceStatus = 0
        driverFeatures = 0
        interrupts = 0
        fault = nil
        featuresSelect = 0
        driverSelect = 0
        selected = 0
        updateLine()
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        if offset >= Self.configBase {
            let config = backend.configuration
            let start = Int(offset - Self.configBase)
            guard width <= 8 else { return nil }
            var v: UInt64 = 0
            for i in 0..<width where start + i < config.count { v |= UInt64(config[start + i]) << (8 * UInt64(i)) }
            return v
        }
        guard width == 4 else { return nil }
        switch offset {
        case Self.magic: return Self.magicValue
        case Self.version: return 2
        case Self.deviceIDRegister: return UInt64(backend.deviceID)
        case Self.vendorID: return Self.vendorValue
        case Self.deviceFeaturesRegister:
            return featuresSelect < 2 ? offeredFeatures >> (32 * UInt64(featuresSelect)) & 0xffff_ffff : 0
        case Self.queueSizeMax: return queue == nil ? 0 : UInt64(VirtioQueue.maximumSize)
        case Self.queueSize: return UInt64(queue?.size ?? 0)
        case Self.queueReady: return queue?.ready == true ? 1 : 0
        case Self.interruptStatus: return UInt64(interrupts)
        case Self.status: return UInt64(deviceStatus)
        case Self.configGeneration: return 0
        case Self.queueDescriptorLow: return (queue?.descriptors ?? 0) & 0xffff_ffff
        case Self.queueDescriptorHigh: return (queue?.descriptors ?? 0) >> 32
        case Self.queueDriverLow: return (queue?.driverArea ?? 0) & 0xffff_ffff
        case Self.queueDriverHigh: return (queue?.driverArea ?? 0) >> 32
        case Self.queueDeviceLow: return (queue?.deviceArea ?? 0) & 0xffff_ffff
        case Self.queueDeviceHigh: return (queue?.deviceArea ?? 0) >> 32
        default: return 0
        }
    }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        if offset >= Self.configBase { return width <= 8 }  // nothing writable in the configurations offered
        guard width == 4 else { return false }
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case Self.deviceFeaturesSelect: featuresSelect = v
        case Self.driverFeaturesSelect: driverSelect = v
        case Self.driverFeaturesRegister:
            guard driverSelect < 2, deviceStatus & Self.featuresOK == 0 else { break }
            let shift = 32 * UInt64(driverSelect)
            driverFeatures = driverFeatures & ~(0xffff_ffff << shift) | UInt64(v) << shift
        case Self.queueSelect: selected = v
        case Self.queueSize:
            updateQueue { $0.size = v <= VirtioQueue.maximumSize && v.nonzeroBitCount == 1 ? v : 0 }
        case Self.queueReady: updateQueue { $0.ready = v & 1 != 0 }
        case Self.queueDescriptorLow: updateQueue { $0.descriptors = Halves.replacing($0.descriptors, low: UInt64(v)) }
        case Self.queueDescriptorHigh: updateQueue { $0.descriptors = Halves.replacing($0.descriptors, high: UInt64(v)) }
        case Self.queueDriverLow: updateQueue { $0.driverArea = Halves.replacing($0.driverArea, low: UInt64(v)) }
        case Self.queueDriverHigh: updateQueue { $0.driverArea = Halves.replacing($0.driverArea, high: UInt64(v)) }
        case Self.queueDeviceLow: updateQueue { $0.deviceArea = Halves.replacing($0.deviceArea, low: UInt64(v)) }
        case Self.queueDeviceHigh: updateQueue { $0.deviceArea = Halves.replacing($0.deviceArea, high: UInt64(v)) }
        case Self.queueNotify: notify(Int(v))
        case Self.interruptAcknowledge:
            interrupts &= ~v
            updateLine()
        case Self.status:
            if v == 0 { reset(); break }
            var status = v
            // FEATURES_OK stands only for a subset of what was offered that includes VERSION_1.
            if status & Self.featuresOK != 0, deviceStatus & Self.featuresOK == 0,
               driverFeatures & ~offeredFeatures != 0 || driverFeatures & Self.version1 == 0 {
                status &= ~Self.featuresOK
            }
            deviceStatus = status | deviceStatus & Self.needsReset
        default: break
        }
        return true
    }

    /// Serves every request the driver made available on queue `index`.
    func notify(_ index: Int) {
        guard index >= 0, index < queues.count, deviceStatus & Self.driverOK != 0, fault == nil else { return }
        let started = Self.nanoseconds()
        defer { notifications &+= 1; serviceNanoseconds &+= Self.nanoseconds() &- started }
        var served = false
        do throws(VirtioQueue.Fault) {
            while let head = try queues[index].nextAvailable(memory) {
                let chain = try queues[index].chain(head, memory)
                let written = backend.serve(queue: index, chain)
                try queues[index].pushUsed(head, written: written, memory)
                requests &+= 1
                served = true
            }
        } catch {
            fault = "\(backend.name) queue \(index): \(error.reason)"
            deviceStatus |= Self.needsReset
            interrupts |= Self.configurationChange
            updateLine()
            return
        }
        if served && !queues[index].interruptSuppressed(memory) {
            interrupts |= Self.usedBuffer
            updateLine()
        }
    }

    private static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
