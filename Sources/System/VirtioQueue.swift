/// One split virtqueue (virtio 1.x, 2.7): the descriptor table, the driver's available ring and
/// the device's used ring, all in guest RAM at the addresses the driver wrote to the transport.
/// Every access is checked against RAM: a queue that points elsewhere, a descriptor chain that
/// loops or runs past the table, or a buffer outside RAM is a `VirtioQueue.Fault`, which puts
/// the device in DEVICE_NEEDS_RESET, never a crash.
public struct VirtioQueue: Sendable {
    public static let maximumSize: UInt32 = 256
    /// Descriptor flags.
    static let next: UInt16 = 1, write: UInt16 = 2, indirect: UInt16 = 4
    /// The available ring's flag asking for no interrupt.
    static let noInterrupt: UInt16 = 1

    public var size: UInt32 = 0
    public var ready = false
    public var descriptors: UInt64 = 0, driverArea: UInt64 = 0, deviceArea: UInt64 = 0
    /// The next available-ring index the device will take.
    public var lastAvailable: UInt16 = 0

    public init() {}

    public struct Fault: Error, Equatable, Sendable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A buffer of a chain: host memory for `count` bytes of guest RAM at `address`.
    public struct Segment {
        public var address: UInt64
        public var pointer: UnsafeMutableRawPointer
        public var count: Int
        public var writable: Bool
    }

    /// The buffers of one request, in chain order (device-readable ones first, as the spec
    /// requires of drivers; the walk refuses a readable buffer after a writable one).
    public struct Chain {
        public var head: UInt16
        public var segments: [Segment]
        public var readable: [Segment] { segments.filter { !$0.writable } }
        public var writable: [Segment] { segments.filter(\.writable) }
        public var readableCount: Int { readable.reduce(0) { $0 + $1.count } }
        public var writableCount: Int { writable.reduce(0) { $0 + $1.count } }

        /// `count` bytes of the readable buffers from byte `offset` of their concatenation.
        public func read(_ offset: Int, _ count: Int) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(count)
            Self.walk(readable, offset, count) { p, n in out += UnsafeRawBufferPointer(start: p, count: n) }
            return out
        }

        /// Copies `bytes` into the writable buffers from byte `offset` of their concatenation.
        public func write(_ offset: Int, _ bytes: [UInt8]) {
            var done = 0
            bytes.withUnsafeBytes { src in
                Self.walk(writable, offset, bytes.count) { p, n in
                    p.copyMemory(from: src.baseAddress! + done, byteCount: n)
                    done += n
                }
            }
        }

        /// Calls `body` with each host piece of bytes `[offset, offset + count)` of `segments`.
        public static func walk(_ segments: [Segment], _ offset: Int, _ count: Int, _ body: (UnsafeMutableRawPointer, Int) -> Void) {
            var skip = offset, left = count
            for s in segments where left > 0 {
                if skip >= s.count { skip -= s.count; continue }
                let n = min(s.count - skip, left)
                body(s.pointer + skip, n)
                left -= n
                skip = 0
            }
        }
    }

    /// The guest RAM the queue lives in.
    public typealias Memory = (_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer?

    private func pointer(_ memory: Memory, _ address: UInt64, _ length: UInt64) throws(Fault) -> UnsafeMutableRawPointer {
        let (end, overflow) = address.addingReportingOverflow(length)
        guard !overflow, end > address || length == 0, let p = memory(address, length) else {
            throw Fault("0x\(String(address, radix: 16)) + \(length) is not in RAM")
        }
        return p
    }

    private func load16(_ memory: Memory, _ address: UInt64) throws(Fault) -> UInt16 {
        UInt16(littleEndian: try pointer(memory, address, 2).loadUnaligned(as: UInt16.self))
    }

    /// The head of the next request the driver made available, if any (advancing past it).
    public mutating func nextAvailable(_ memory: Memory) throws(Fault) -> UInt16? {
        guard ready, size > 0 else { return nil }
        let index = try load16(memory, driverArea + 2)
        guard index != lastAvailable else { return nil }
        let head = try load16(memory, driverArea + 4 + 2 * UInt64(UInt32(lastAvailable) % size))
        lastAvailable &+= 1
        guard UInt32(head) < size else { throw Fault("available head \(head) is past the queue's \(size) descriptors") }
        return head
    }

    /// Whether the driver asked not to be interrupted for used buffers.
    public func interruptSuppressed(_ memory: Memory) -> Bool {
        ((try? load16(memory, driverArea)) ?? 0) & Self.noInterrupt != 0
    }

    /// The buffers of the chain starting at descriptor `head`, following `next` links and one
    /// level of indirect table (VIRTIO_F_INDIRECT_DESC).
    public func chain(_ head: UInt16, _ memory: Memory) throws(Fault) -> Chain {
        var segments: [Segment] = []
        var table = descriptors, tableSize = size
        var index = UInt32(head)
        var steps: UInt32 = 0, inIndirect = false
        while true {
            guard index < tableSize else { throw Fault("descriptor \(index) is past its table of \(tableSize)") }
            steps += 1
            guard steps <= tableSize else { throw Fault("the descriptor chain loops") }
            let d = try pointer(memory, table + 16 * UInt64(index), 16)
            let address = UInt64(littleEndian: d.loadUnaligned(as: UInt64.self))
            let length = UInt32(littleEndian: d.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let flags = UInt16(littleEndian: d.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
            let next = UInt16(littleEndian: d.loadUnaligned(fromByteOffset: 14, as: UInt16.self))
            if flags & Self.indirect != 0 {
                guard !inIndirect else { throw Fault("an indirect descriptor inside an indirect table") }
                guard flags & Self.next == 0 else { throw Fault("an indirect descriptor with NEXT set") }
                guard length % 16 == 0, length >= 16, length / 16 <= 65536 else { throw Fault("an indirect table of \(length) bytes") }
                _ = try pointer(memory, address, UInt64(length))
                table = address
                tableSize = length / 16
                index = 0
                steps = 0
                inIndirect = true
                continue
            }
            let writable = flags & Self.write != 0
            if !writable, segments.contains(where: \.writable) { throw Fault("a device-readable buffer after a writable one") }
            if length > 0 {
                segments.append(Segment(address: address, pointer: try pointer(memory, address, UInt64(length)), count: Int(length), writable: writable))
            }
            guard flags & Self.next != 0 else { break }
            index = UInt32(next)
        }
        return Chain(head: head, segments: segments)
    }

    /// Puts a finished request on the used ring: its head and the bytes written to its buffers.
    public func pushUsed(_ head: UInt16, written: UInt32, _ memory: Memory) throws(Fault) {
        let index = try load16(memory, deviceArea + 2)
        let element = try pointer(memory, deviceArea + 4 + 8 * UInt64(UInt32(index) % size), 8)
        element.storeBytes(of: UInt32(head).littleEndian, as: UInt32.self)
        element.storeBytes(of: written.littleEndian, toByteOffset: 4, as: UInt32.self)
        try pointer(memory, deviceArea + 2, 2).storeBytes(of: (index &+ 1).littleEndian, as: UInt16.self)
    }
}
