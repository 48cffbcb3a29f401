#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import System

/// The virtio-mmio transport and its devices against a driver written here: queues laid out in a
/// HostRegion as guest RAM, requests made available by hand, the used ring and the PLIC line
/// checked after each notify.
@Suite struct VirtioTests {
    static let ramBase: UInt64 = 0x8000_0000
    let ram = HostRegion(base: VirtioTests.ramBase, size: 1 << 20)!
    let plic = PLIC()
    static let irq = 1
    // Guest-physical layout of the test driver's queue and buffers.
    static let descriptors: UInt64 = ramBase + 0x1000, avail: UInt64 = ramBase + 0x2000, used: UInt64 = ramBase + 0x3000
    static let indirectTable: UInt64 = ramBase + 0x4000, header: UInt64 = ramBase + 0x5000
    static let data: UInt64 = ramBase + 0x6000, status: UInt64 = ramBase + 0x8000
    static let queueSize: UInt32 = 8

    var memory: VirtioQueue.Memory { { [ram] a, n in ram.contains(a, n) ? ram.host(a) : nil } }

    /// A transport in DRIVER_OK with queue 0 set up as the constants above say.
    func device(_ backend: any VirtioBackend) -> VirtioMMIO {
        let d = VirtioMMIO(backend, memory: memory, plic: plic, irq: Self.irq)
        _ = plic.write(4 * UInt64(Self.irq), width: 4, value: 1)  // priority 1
        _ = plic.write(PLIC.enableBase, width: 4, value: 1 << UInt64(Self.irq))  // context 0
        #expect(d.write(VirtioMMIO.status, width: 4, value: 3))
        #expect(d.write(VirtioMMIO.driverFeaturesSelect, width: 4, value: 1))
        #expect(d.write(VirtioMMIO.driverFeaturesRegister, width: 4, value: 1))  // VERSION_1
        #expect(d.write(VirtioMMIO.status, width: 4, value: 11))
        #expect(d.read(VirtioMMIO.status, width: 4) == 11)
        _ = d.write(VirtioMMIO.queueSelect, width: 4, value: 0)
        _ = d.write(VirtioMMIO.queueSize, width: 4, value: UInt64(Self.queueSize))
        for (low, value) in [(VirtioMMIO.queueDescriptorLow, Self.descriptors), (VirtioMMIO.queueDriverLow, Self.avail),
                             (VirtioMMIO.queueDeviceLow, Self.used)] {
            _ = d.write(low, width: 4, value: value & 0xffff_ffff)
            _ = d.write(low + 4, width: 4, value: value >> 32)
        }
        _ = d.write(VirtioMMIO.queueReady, width: 4, value: 1)
        _ = d.write(VirtioMMIO.status, width: 4, value: 15)
        return d
    }

    func descriptor(_ table: UInt64, _ i: Int, _ address: UInt64, _ length: UInt32, _ flags: UInt16, next: UInt16 = 0) {
        let a = table + 16 * UInt64(i)
        ram.storeValue(address, at: a, width: 8)
        ram.storeValue(UInt64(length), at: a + 8, width: 4)
        ram.storeValue(UInt64(flags), at: a + 12, width: 2)
        ram.storeValue(UInt64(next), at: a + 14, width: 2)
    }

    /// Makes descriptor `head` available and notifies queue 0.
    func submit(_ d: VirtioMMIO, head: UInt16) {
        let index = ram.load(Self.avail + 2, width: 2)
        ram.storeValue(UInt64(head), at: Self.avail + 4 + 2 * (index % UInt64(Self.queueSize)), width: 2)
        ram.storeValue(index + 1, at: Self.avail + 2, width: 2)
        _ = d.write(VirtioMMIO.queueNotify, width: 4, value: 0)
    }

    func blockRequest(_ type: UInt32, sector: UInt64, length: UInt32, deviceWrites: Bool) {
        ram.storeValue(UInt64(type), at: Self.header, width: 4)
        ram.storeValue(0, at: Self.header + 4, width: 4)
        ram.storeValue(sector, at: Self.header + 8, width: 8)
        ram.storeValue(0xff, at: Self.status, width: 1)
        descriptor(Self.descriptors, 0, Self.header, 16, VirtioQueue.next, next: 1)
        descriptor(Self.descriptors, 1, Self.data, length, VirtioQueue.next | (deviceWrites ? VirtioQueue.write : 0), next: 2)
        descriptor(Self.descriptors, 2, Self.status, 1, VirtioQueue.write)
    }

    var usedIndex: UInt64 { ram.load(Self.used + 2, width: 2) }
    func usedElement(_ i: Int) -> (id: UInt64, length: UInt64) {
        (ram.load(Self.used + 4 + 8 * UInt64(i), width: 4), ram.load(Self.used + 8 + 8 * UInt64(i), width: 4))
    }
    var requestStatus: UInt64 { ram.load(Self.status, width: 1) }

    /// A disk image file of `sectors` sectors, sector i filled with byte i.
    static func diskFile(_ sectors: Int = 16) throws -> String {
        let path = NSTemporaryDirectory() + "trapeze-virtio-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img"
        var bytes: [UInt8] = []
        for i in 0..<sectors { bytes += [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 512) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func sector(_ path: String, _ n: Int) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path))[(512 * n)..<(512 * n + 512)])
    }

    @Test("the transport's identity, features and FEATURES_OK rule, queue limits, reset")
    func transport() throws {
        let path = try Self.diskFile()
        defer { unlink(path) }
        let d = VirtioMMIO(VirtioBlock(try DiskImage(path: path, readOnly: false, snapshot: false)), memory: memory, plic: plic, irq: 1)
        #expect(d.read(VirtioMMIO.magic, width: 4) == 0x7472_6976 && d.read(VirtioMMIO.version, width: 4) == 2)
        #expect(d.read(VirtioMMIO.deviceIDRegister, width: 4) == 2 && d.read(VirtioMMIO.vendorID, width: 4) == 0x554d_4551)
        #expect(d.read(VirtioMMIO.magic, width: 2) == nil && !d.write(VirtioMMIO.status, width: 1, value: 1))
        #expect(d.read(VirtioMMIO.deviceFeaturesRegister, width: 4) == UInt64(1 << 28 | 1 << 9))  // INDIRECT_DESC, FLUSH
        _ = d.write(VirtioMMIO.deviceFeaturesSelect, width: 4, value: 1)
        #expect(d.read(VirtioMMIO.deviceFeaturesRegister, width: 4) == 1)  // VERSION_1
        _ = d.write(VirtioMMIO.queueSelect, width: 4, value: 0)
        #expect(d.read(VirtioMMIO.queueSizeMax, width: 4) == 256)
        _ = d.write(VirtioMMIO.queueSelect, width: 4, value: 1)
        #expect(d.read(VirtioMMIO.queueSizeMax, width: 4) == 0)  // one queue only
        // Without VERSION_1 (a legacy driver) FEATURES_OK does not stick.
        _ = d.write(VirtioMMIO.status, width: 4, value: 3)
        _ = d.write(VirtioMMIO.status, width: 4, value: 11)
        #expect(d.read(VirtioMMIO.status, width: 4) == 3)
        // Nor with a feature that was not offered.
        _ = d.write(VirtioMMIO.driverFeaturesSelect, width: 4, value: 1)
        _ = d.write(VirtioMMIO.driverFeaturesRegister, width: 4, value: 1)
        _ = d.write(VirtioMMIO.driverFeaturesSelect, width: 4, value: 0)
        _ = d.write(VirtioMMIO.driverFeaturesRegister, width: 4, value: 1 << 5)
        _ = d.write(VirtioMMIO.status, width: 4, value: 11)
        #expect(d.read(VirtioMMIO.status, width: 4) == 3)
        _ = d.write(VirtioMMIO.driverFeaturesRegister, width: 4, value: 1 << 9)
        _ = d.write(VirtioMMIO.status, width: 4, value: 11)
        #expect(d.read(VirtioMMIO.status, width: 4) == 11)
        _ = d.write(VirtioMMIO.status, width: 4, value: 0)
        #expect(d.read(VirtioMMIO.status, width: 4) == 0 && d.driverFeatures == 0)
    }

    @Test("configuration space: capacity at any width")
    func configuration() throws {
        let path = try Self.diskFile(0x1_0003)
        defer { unlink(path) }
        let d = VirtioMMIO(VirtioBlock(try DiskImage(path: path, readOnly: true, snapshot: false)), memory: memory, plic: plic, irq: 1)
        #expect(d.read(0x100, width: 8) == 0x1_0003)
        #expect(d.read(0x100, width: 4) == 0x1_0003 && d.read(0x104, width: 4) == 0)
        #expect(d.read(0x102, width: 1) == 1 && d.read(0x100, width: 2) == 3)
        #expect(d.read(VirtioMMIO.deviceFeaturesRegister, width: 4) == UInt64(1 << 28 | 1 << 5))  // read-only
    }

    @Test("virtio-blk reads: header, data, status in three descriptors; used ring; interrupt through the PLIC; ACK lowers it")
    func read() throws {
        let path = try Self.diskFile()
        defer { unlink(path) }
        let d = device(VirtioBlock(try DiskImage(path: path, readOnly: false, snapshot: false)))
        blockRequest(0, sector: 3, length: 1024, deviceWrites: true)
        submit(d, head: 0)
        #expect(requestStatus == 0 && usedIndex == 1)
        #expect(usedElement(0).id == 0 && usedElement(0).length == 1025)
        #expect(ram.bytes(Self.data, 512) == [UInt8](repeating: 3, count: 512) && ram.bytes(Self.data + 512, 512) == [UInt8](repeating: 4, count: 512))
        #expect(d.read(VirtioMMIO.interruptStatus, width: 4) == 1 && plic.interruptPending(context: 0))
        _ = d.write(VirtioMMIO.interruptAcknowledge, width: 4, value: 1)
        #expect(d.read(VirtioMMIO.interruptStatus, width: 4) == 0 && !plic.interruptPending(context: 0))
        // Past the end, and a length that is not whole sectors: IOERR.
        blockRequest(0, sector: 15, length: 1024, deviceWrites: true)
        submit(d, head: 0)
        #expect(requestStatus == 1 && usedIndex == 2)
        blockRequest(0, sector: 0, length: 100, deviceWrites: true)
        submit(d, head: 0)
        #expect(requestStatus == 1)
        // --stats: three reads, only the good one's bytes; each notification timed.
        let block = d.backend as! VirtioBlock
        #expect(block.reads == 3 && block.bytesRead == 1024 && block.writes == 0 && d.requests == 3 && d.notifications == 3)
        #expect(block.summary == "3 reads (1024 bytes), 0 writes (0 bytes), 0 flushes, 0 other")
    }

    @Test("virtio-blk writes go to the file; --snapshot keeps them in memory; a read-only disk refuses them")
    func write() throws {
        for (readOnly, snapshot) in [(false, false), (false, true), (true, false)] {
            let path = try Self.diskFile()
            defer { unlink(path) }
            let d = device(VirtioBlock(try DiskImage(path: path, readOnly: readOnly, snapshot: snapshot)))
            ram.store([UInt8](repeating: 0xab, count: 512), at: Self.data)
            blockRequest(1, sector: 5, length: 512, deviceWrites: false)
            submit(d, head: 0)
            #expect(requestStatus == (readOnly ? 1 : 0), "\(readOnly) \(snapshot)")
            #expect(usedElement(0).length == 1)
            #expect(try Self.sector(path, 5) == [UInt8](repeating: snapshot || readOnly ? 5 : 0xab, count: 512), "\(readOnly) \(snapshot)")
            ram.store([UInt8](repeating: 0, count: 512), at: Self.data)
            blockRequest(0, sector: 5, length: 512, deviceWrites: true)
            submit(d, head: 0)
            #expect(ram.bytes(Self.data, 512) == [UInt8](repeating: readOnly ? 5 : 0xab, count: 512), "\(readOnly) \(snapshot)")
            blockRequest(4, sector: 0, length: 0, deviceWrites: false)
            descriptor(Self.descriptors, 0, Self.header, 16, VirtioQueue.next, next: 2)
            submit(d, head: 0)
            #expect(requestStatus == 0)  // flush
            // --stats (the first round only: later rounds' devices also serve the requests still
            // in the shared ring from before)
            let block = d.backend as! VirtioBlock
            if !readOnly && !snapshot {
                #expect(block.writes == 1 && block.bytesWritten == 512 && block.reads == 1 && block.bytesRead == 512 && block.flushes == 1)
            }
        }
    }

    @Test("an indirect descriptor table carries the whole request; GET_ID and an unknown type")
    func indirect() throws {
        let path = try Self.diskFile()
        defer { unlink(path) }
        let d = device(VirtioBlock(try DiskImage(path: path, readOnly: false, snapshot: false)))
        ram.storeValue(0, at: Self.header, width: 4)
        ram.storeValue(7, at: Self.header + 8, width: 8)
        descriptor(Self.indirectTable, 0, Self.header, 16, VirtioQueue.next, next: 1)
        descriptor(Self.indirectTable, 1, Self.data, 512, VirtioQueue.next | VirtioQueue.write, next: 2)
        descriptor(Self.indirectTable, 2, Self.status, 1, VirtioQueue.write)
        descriptor(Self.descriptors, 5, Self.indirectTable, 48, VirtioQueue.indirect)
        submit(d, head: 5)
        #expect(requestStatus == 0 && usedElement(0).id == 5 && usedElement(0).length == 513)
        #expect(ram.bytes(Self.data, 512) == [UInt8](repeating: 7, count: 512))
        blockRequest(8, sector: 0, length: 20, deviceWrites: true)
        submit(d, head: 0)
        #expect(requestStatus == 0 && usedElement(1).length == 21)
        #expect(String(decoding: ram.bytes(Self.data, 20).prefix { $0 != 0 }, as: UTF8.self) == "trapeze-vda")
        blockRequest(99, sector: 0, length: 512, deviceWrites: true)
        submit(d, head: 0)
        #expect(requestStatus == 2)  // UNSUPP
    }

    @Test("a broken queue (a looping chain, a buffer outside RAM, a head past the table) sets DEVICE_NEEDS_RESET, no crash")
    func faults() throws {
        let path = try Self.diskFile()
        defer { unlink(path) }
        for breakage in 0..<4 {
            let d = device(VirtioBlock(try DiskImage(path: path, readOnly: false, snapshot: false)))
            ram.storeValue(0, at: Self.avail + 2, width: 2)
            ram.storeValue(0, at: Self.used + 2, width: 2)
            blockRequest(0, sector: 0, length: 512, deviceWrites: true)
            switch breakage {
            case 0: descriptor(Self.descriptors, 2, Self.status, 1, VirtioQueue.write | VirtioQueue.next, next: 0)
            case 1: descriptor(Self.descriptors, 1, 0x1000, 512, VirtioQueue.next | VirtioQueue.write, next: 2)
            case 2: descriptor(Self.descriptors, 1, Self.ramBase + (1 << 20) - 100, 512, VirtioQueue.next | VirtioQueue.write, next: 2)
            default: descriptor(Self.descriptors, 0, Self.header, 16, VirtioQueue.next, next: 200)
            }
            submit(d, head: 0)
            #expect(d.read(VirtioMMIO.status, width: 4)! & 0x40 != 0, "breakage \(breakage)")
            #expect(d.fault != nil && usedIndex == 0, "breakage \(breakage)")
            #expect(d.read(VirtioMMIO.interruptStatus, width: 4) == 2)  // configuration change
            _ = d.write(VirtioMMIO.status, width: 4, value: 0)
            #expect(d.read(VirtioMMIO.status, width: 4) == 0 && d.fault == nil)
        }
    }

    @Test("VRING_AVAIL_F_NO_INTERRUPT suppresses the used-buffer interrupt")
    func suppressed() throws {
        let d = device(VirtioEntropy())
        ram.storeValue(1, at: Self.avail, width: 2)
        descriptor(Self.descriptors, 0, Self.data, 64, VirtioQueue.write)
        submit(d, head: 0)
        #expect(usedIndex == 1 && d.read(VirtioMMIO.interruptStatus, width: 4) == 0)
        ram.storeValue(0, at: Self.avail, width: 2)
    }

    @Test("virtio-rng fills the buffers it is given with random bytes")
    func entropy() throws {
        let d = device(VirtioEntropy())
        #expect(d.read(VirtioMMIO.deviceIDRegister, width: 4) == 4)
        ram.store([UInt8](repeating: 0, count: 256), at: Self.data)
        descriptor(Self.descriptors, 0, Self.data, 100, VirtioQueue.write | VirtioQueue.next, next: 1)
        descriptor(Self.descriptors, 1, Self.data + 100, 156, VirtioQueue.write)
        submit(d, head: 0)
        #expect(usedIndex == 1 && usedElement(0).length == 256)
        #expect(Set(ram.bytes(Self.data, 256)).count > 16)
        #expect((d.backend as! VirtioEntropy).bytesGiven == 256)
    }

    @Test("disk images: a missing file is 127, a directory or an empty file 126")
    func diskErrors() throws {
        #expect(throws: SystemError.self) { try DiskImage(path: "/nonexistent/disk.img", readOnly: false, snapshot: false) }
        do {
            _ = try DiskImage(path: "/nonexistent/disk.img", readOnly: false, snapshot: false)
        } catch {
            #expect(error.status == 127 && error.message == "disk /nonexistent/disk.img: no such file or directory")
        }
        do {
            _ = try DiskImage(path: "/tmp", readOnly: true, snapshot: false)
        } catch {
            #expect(error.status == 126 && error.message.contains("is a directory"))
        }
    }
}
