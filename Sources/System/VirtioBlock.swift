#if canImport(Glibc)
import Glibc
#endif

/// A raw disk image file behind a virtio-blk device: read and written in place, read-only, or
/// with writes kept in memory and dropped at exit (`--snapshot`).
public final class DiskImage {
    public static let sectorSize = 512
    public let path: String
    public let readOnly: Bool
    public let snapshot: Bool
    /// Whole 512-byte sectors (a partial last sector is not reachable, as in QEMU).
    public let sectors: UInt64
    private let fd: Int32
    /// `--snapshot`: sectors written since start, by number.
    private var overlay: [UInt64: [UInt8]] = [:]

    /// Opens `path`; errors are one line (127 for a missing file, 126 for one that cannot be used).
    public init(path: String, readOnly: Bool, snapshot: Bool) throws(SystemError) {
        func fail(_ problem: String, _ status: Int32 = SystemError.unloadable) -> SystemError {
            SystemError("disk \(path): \(problem)", status: status)
        }
        self.path = path
        self.readOnly = readOnly
        self.snapshot = snapshot
        let writable = !readOnly && !snapshot
        let fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw fail("no such file or directory", SystemError.missing) }
            if writable && (e == EACCES || e == EROFS || e == EPERM) {
                throw fail("cannot be opened for writing (\(String(cString: strerror(e)).lowercased())): add ,readonly or pass --snapshot")
            }
            throw fail(String(cString: strerror(e)).lowercased())
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw fail(String(cString: strerror(errno)).lowercased()) }
        var size = UInt64(max(0, st.st_size))
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFBLK:
            let end = lseek(fd, 0, SEEK_END)
            size = UInt64(max(0, end))
        case S_IFDIR: close(fd); throw fail("is a directory")
        default: close(fd); throw fail("not a regular file or block device")
        }
        guard size >= UInt64(Self.sectorSize) else { close(fd); throw fail("is smaller than one 512-byte sector") }
        self.fd = fd
        sectors = size / UInt64(Self.sectorSize)
    }

    deinit { close(fd) }

    /// Whether `count` bytes from `sector` lie on the disk, in whole sectors.
    func covers(_ sector: UInt64, _ count: Int) -> Bool {
        count % Self.sectorSize == 0 && sector <= sectors && UInt64(count / Self.sectorSize) <= sectors - sector
    }

    /// Reads sectors into host memory; false on a host error.
    func read(_ sector: UInt64, into pointer: UnsafeMutableRawPointer, count: Int) -> Bool {
        if snapshot && !overlay.isEmpty {
            for i in 0..<count / Self.sectorSize {
                let p = pointer + i * Self.sectorSize
                if let saved = overlay[sector + UInt64(i)] {
                    saved.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: Self.sectorSize) }
                } else if !pread(all: p, Self.sectorSize, at: (sector + UInt64(i)) * UInt64(Self.sectorSize)) {
                    return false
                }
            }
            return true
        }
        return pread(all: pointer, count, at: sector * UInt64(Self.sectorSize))
    }

    /// Writes sectors from host memory; false on a host error or a read-only disk.
    func write(_ sector: UInt64, from pointer: UnsafeRawPointer, count: Int) -> Bool {
        guard !readOnly else { return false }
        if snapshot {
            for i in 0..<count / Self.sectorSize {
                overlay[sector + UInt64(i)] = Array(UnsafeRawBufferPointer(start: pointer + i * Self.sectorSize, count: Self.sectorSize))
            }
            return true
        }
        var done = 0
        while done < count {
            let n = pwrite(fd, pointer + done, count - done, off_t(sector * UInt64(Self.sectorSize)) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    func flush() -> Bool { readOnly || snapshot || fdatasync(fd) == 0 }

    private func pread(all pointer: UnsafeMutableRawPointer, _ count: Int, at offset: UInt64) -> Bool {
        var done = 0
        while done < count {
            let n = Glibc.pread(fd, pointer + done, count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }
}

/// virtio-blk (virtio 1.x, 5.2): one request queue; reads, writes, flushes and the device ID.
public final class VirtioBlock: VirtioBackend {
    public static let featureReadOnly: UInt64 = 1 << 5, featureFlush: UInt64 = 1 << 9
    /// Request types and status values.
    static let typeIn: UInt32 = 0, typeOut: UInt32 = 1, typeFlush: UInt32 = 4, typeGetID: UInt32 = 8
    static let ok: UInt8 = 0, ioError: UInt8 = 1, unsupported: UInt8 = 2
    static let headerSize = 16, idSize = 20

    public let disk: DiskImage
    public let index: Int
    /// Requests by type and the bytes they moved, for `--stats`.
    public private(set) var reads: UInt64 = 0, writes: UInt64 = 0, flushes: UInt64 = 0, others: UInt64 = 0
    public private(set) var bytesRead: UInt64 = 0, bytesWritten: UInt64 = 0
    public var summary: String {
        "\(reads) reads (\(bytesRead) bytes), \(writes) writes (\(bytesWritten) bytes), \(flushes) flushes, \(others) other"
    }

    public init(_ disk: DiskImage, index: Int = 0) {
        self.disk = disk
        self.index = index
    }

    public var deviceID: UInt32 { 2 }
    public var queueCount: Int { 1 }
    public var name: String { "virtio-blk \(index) (\(disk.path))" }
    public var deviceFeatures: UInt64 { disk.readOnly ? Self.featureReadOnly : Self.featureFlush }

    /// `capacity` (sectors), the one field the offered features make valid.
    public var configuration: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: disk.sectors >> (8 * UInt64($0))) } }

    public func serve(queue: Int, _ chain: VirtioQueue.Chain) -> UInt32 {
        let writableCount = chain.writableCount
        guard writableCount >= 1 else { return 0 }  // nowhere to put the status: nothing to report
        let status = handle(chain, dataIn: writableCount - 1)
        chain.write(writableCount - 1, [status.code])
        return UInt32(status.written + 1)
    }

    private func handle(_ chain: VirtioQueue.Chain, dataIn: Int) -> (code: UInt8, written: Int) {
        guard chain.readableCount >= Self.headerSize else { return (Self.ioError, 0) }
        let header = chain.read(0, Self.headerSize)
        let type = header[0..<4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        let sector = header[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        switch type {
        case Self.typeIn:
            reads &+= 1
            guard disk.covers(sector, dataIn) else { return (Self.ioError, 0) }
            var at = sector, ok = true
            VirtioQueue.Chain.walk(chain.writable, 0, dataIn) { p, n in
                // Buffers split sectors only at 512-byte boundaries in practice; a split one is
                // read through a bounce buffer.
                if ok { ok = readPiece(p, n, &at) }
            }
            if ok { bytesRead &+= UInt64(dataIn) }
            return (ok ? Self.ok : Self.ioError, ok ? dataIn : 0)
        case Self.typeOut:
            writes &+= 1
            let dataOut = chain.readableCount - Self.headerSize
            guard !disk.readOnly else { return (Self.ioError, 0) }
            guard disk.covers(sector, dataOut) else { return (Self.ioError, 0) }
            let bytes = chain.read(Self.headerSize, dataOut)
            let ok = bytes.withUnsafeBytes { disk.write(sector, from: $0.baseAddress!, count: dataOut) }
            if ok { bytesWritten &+= UInt64(dataOut) }
            return (ok ? Self.ok : Self.ioError, 0)
        case Self.typeFlush:
            flushes &+= 1
            return (disk.flush() ? Self.ok : Self.ioError, 0)
        case Self.typeGetID:
            others &+= 1
            var id = Array("trapeze-vd\(Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(min(index, 25)))))".utf8)
            id += [UInt8](repeating: 0, count: Self.idSize - id.count)
            let n = min(dataIn, Self.idSize)
            chain.write(0, Array(id[0..<n]))
            return (Self.ok, n)
        default:
            others &+= 1
            return (Self.unsupported, 0)
        }
    }

    /// Reads `count` bytes at sector `at` (advanced past them) into one host piece.
    private func readPiece(_ p: UnsafeMutableRawPointer, _ count: Int, _ at: inout UInt64) -> Bool {
        let whole = count / DiskImage.sectorSize * DiskImage.sectorSize
        guard whole == count else { return false }  // a piece that splits a sector: refused (IOERR)
        guard disk.read(at, into: p, count: count) else { return false }
        at += UInt64(count / DiskImage.sectorSize)
        return true
    }
}

/// virtio-rng (virtio 1.x, 5.4): every writable buffer the driver offers comes back full of
/// the host's random bytes (at most 64 KiB a request).
public final class VirtioEntropy: VirtioBackend {
    static let largestRequest = 65536
    /// Random bytes handed to the guest, for `--stats`.
    public private(set) var bytesGiven: UInt64 = 0
    public var summary: String { "\(bytesGiven) random bytes" }
    public init() {}
    public var deviceID: UInt32 { 4 }
    public var queueCount: Int { 1 }
    public var name: String { "virtio-rng" }
    public var deviceFeatures: UInt64 { 0 }
    public var configuration: [UInt8] { [] }

    public func serve(queue: Int, _ chain: VirtioQueue.Chain) -> UInt32 {
        let count = min(chain.writableCount, Self.largestRequest)
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        for i in stride(from: 0, to: count, by: 8) {
            let r = generator.next()
            for j in 0..<min(8, count - i) { bytes[i + j] = UInt8(truncatingIfNeeded: r >> (8 * UInt64(j))) }
        }
        chain.write(0, bytes)
        bytesGiven &+= UInt64(count)
        return UInt32(count)
    }
}
