#if canImport(Glibc)
import Glibc
#endif
import RISCV

/// The persistent translation cache (`--jit-cache-dir DIR`): blocks translated by one run of a
/// program, saved in one file per program and configuration, and reused by the next run and by
/// every other process that runs the same program, instead of being translated again.
///
/// Trust: a file is used only if it lies in a directory owned by this user and not writable by
/// others, is itself owned by this user and writable only by them (as ccache requires), carries
/// exactly this run's key (the program file's contents, Trapeze's own, and every option that
/// shapes code) and a checksum over its contents that matches; every block in it is checked
/// structurally when read (offsets inside the code, valid exit reasons and relocations), and
/// before a block's code is used the decoder must find exactly its guest instructions (pc,
/// encoding, length) in guest memory. Anything else is ignored: the block is translated afresh.
///
/// Writes go to a temporary file renamed over the old one, so readers see a whole file or the
/// previous one; concurrent writers each merge what is on disk with their own new blocks, and
/// the last rename wins (blocks lost that way are translated again next time).
///
/// One store serves all engines (threads) of a process.
public final class TranslationStore: @unchecked Sendable {
    public let directory: String
    /// The cache file's path.
    public let path: String
    let key: String
    /// The file's records by guest pc: byte range within `data`, start << 32 | end (a plain
    /// integer: a tuple-valued dictionary costs a runtime type instantiation at start-up).
    /// `data` is the file mapped read-only (private: a rename over it leaves this copy alone),
    /// so a start costs no copy of the file into fresh memory. Writers never truncate a file in
    /// place (they rename a new one over it).
    private var data = CacheFileMapping.empty
    private var index: [UInt64: UInt64] = [:]
    /// Blocks translated in this process since it started (or forked), by guest pc.
    private var fresh: [UInt64: [UInt8]] = [:]
    private var freshBytes = 0
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Why the file on disk was not used, when it exists but was not (one line).
    public private(set) var note: String?

    /// Records read from the file, and the cap on what a file holds.
    public var loadedBlocks: Int { index.count }
    static let maxFileBytes = 256 << 20

    static let magic: [UInt8] = Array("TRPZJIT3".utf8)
    /// `save()` rewrites a file only for new blocks of at least 1/`growthToSave` of its size.
    static let growthToSave = 16

    /// A store for `key` in `directory` (created, mode 0700, if missing); nil with a reason when
    /// the directory cannot be used.
    public static func open(directory: String, key: String) -> Result<TranslationStore, StoreRefusal> {
        if let refusal = checkDirectory(directory) { return .failure(refusal) }
        return .success(TranslationStore(directory: directory, key: key))
    }

    private init(directory: String, key: String) {
        self.directory = directory
        self.key = key
        var hex = String(storeNameHash(key), radix: 16)
        hex = String(repeating: "0", count: 16 - hex.count) + hex
        path = directory + "/" + hex + ".tjc"
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        switch TranslationStore.read(path, key: key) {
        case .success(let (mapping, records)):
            data = mapping
            index = records
        case .failure(let reason):
            note = reason.message
        }
    }

    /// The JIT's part of a cache key: Trapeze's own executable (device, inode, size, mtime: a
    /// rebuilt Trapeze never reads an older one's code), the addresses and layouts saved code
    /// depends on, and every option that changes the code emitted. Nil when Trapeze cannot see
    /// its own executable (no /proc): then nothing is cached.
    public static func engineKey(_ o: JITOptions) -> String? {
        var st = stat()
        guard stat("/proc/self/exe", &st) == 0 else { return nil }
        // The raw bytes of the feature set (plain flags): every flag counts, whatever is added.
        // Built by appending, not `joined(separator:)`: that generic's first use costs every
        // warm start a runtime associated-type lookup (2% of a warm hello).
        var features = o.hostFeatures
        var featureBytes = ""
        withUnsafeBytes(of: &features) {
            for (i, byte) in $0.enumerated() { featureBytes += (i == 0 ? "" : ".") + String(byte, radix: 16) }
        }
        var helpers = ""
        for (i, helper) in Relocation.helpers.enumerated() { helpers += (i == 0 ? "" : ",") + String(helper, radix: 16) }
        return "trapeze-jit-cache 3\n"
            + "trapeze \(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n"
            + "helpers \(helpers) instruction \(MemoryLayout<Instruction>.size)\n"
            + "chain \(o.chaining) block-registers \(o.blockRegisters) block \(o.maxBlockInstructions) count-indirect \(o.countIndirectHits)\n"
            + "host \(featureBytes)"
    }

    /// A file's contents as a cache key: its size and a 64-bit hash of every byte (read through a
    /// private read-only mapping). The same program in another chroot, a copy, or a reinstall of
    /// the same package finds the same cache file; any change to the file gives another. Nil when
    /// the file cannot be read.
    public static func contentKey(ofFile path: String) -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(st.st_size)
        guard size > 0 else { return "0:0" }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else { return nil }
        defer { munmap(base, size) }
        return contentKey(of: UnsafeRawBufferPointer(start: base, count: size))
    }

    /// `contentKey(ofFile:)` of a file whose whole contents are already mapped (the program the
    /// loader just mapped: hashing that mapping saves opening and mapping the file again).
    public static func contentKey(of contents: UnsafeRawBufferPointer) -> String {
        guard !contents.isEmpty else { return "0:0" }
        return "\(contents.count):\(String(storeChecksum(contents), radix: 16))"
    }

    // MARK: Directory and file trust

    public struct StoreRefusal: Error, Sendable {
        public let message: String
    }

    /// Refuses a directory that is not one, is owned by another user, or is writable by others.
    static func checkDirectory(_ directory: String) -> StoreRefusal? {
        var st = stat()
        if stat(directory, &st) != 0 {
            guard errno == ENOENT, mkdir(directory, 0o700) == 0 || errno == EEXIST, stat(directory, &st) == 0 else {
                return StoreRefusal(message: "\(directory): cannot create the JIT cache directory (\(String(cString: strerror(errno))))")
            }
        }
        guard st.st_mode & S_IFMT == S_IFDIR else { return StoreRefusal(message: "\(directory): not a directory") }
        guard st.st_uid == geteuid() else {
            return StoreRefusal(message: "\(directory): JIT cache directory owned by another user; not used")
        }
        guard st.st_mode & 0o022 == 0 else {
            return StoreRefusal(message: "\(directory): JIT cache directory writable by others; not used")
        }
        return nil
    }

    /// Maps and checks a cache file; its records indexed by guest pc.
    static func read(_ path: String, key: String) -> Result<(CacheFileMapping, [UInt64: UInt64]), StoreRefusal> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return .failure(StoreRefusal(message: "")) }
            return .failure(StoreRefusal(message: "\(path): unreadable"))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return .failure(StoreRefusal(message: "\(path): not a regular file")) }
        guard st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
            return .failure(StoreRefusal(message: "\(path): owned by another user or writable by others; ignored"))
        }
        guard st.st_size > 0, st.st_size <= maxFileBytes else { return .failure(StoreRefusal(message: "\(path): bad size; ignored")) }
        guard let mapping = CacheFileMapping(fd, size: Int(st.st_size)) else { return .failure(StoreRefusal(message: "\(path): unreadable")) }
        guard let records = parse(mapping.bytes, key: key) else {
            return .failure(StoreRefusal(message: "\(path): not a valid cache file for this program and Trapeze; ignored"))
        }
        return .success((mapping, records))
    }

    /// Header: magic, key length and key, record count, payload length, payload checksum; then
    /// the records, each a length and a `SavedBlock`.
    static func parse(_ raw: UnsafeRawBufferPointer, key: String) -> [UInt64: UInt64]? {
        var r = StoreReader(raw)
        guard let m = r.take(magic.count), magic.indices.allSatisfy({ raw[m + $0] == magic[$0] }) else { return nil }
        let keyBytes = Array(key.utf8)
        guard let kn = r.u32(), Int(kn) == keyBytes.count, let k = r.take(keyBytes.count),
              keyBytes.indices.allSatisfy({ raw[k + $0] == keyBytes[$0] }) else { return nil }
        guard let count = r.u32(), let length = r.u64(), let checksum = r.u64(), length == UInt64(r.remaining) else { return nil }
        let payloadStart = r.at
        guard storeChecksum(UnsafeRawBufferPointer(rebasing: raw[payloadStart...])) == checksum else { return nil }
        guard raw.count < 1 << 32 else { return nil }
        var records: [UInt64: UInt64] = [:]
        records.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let n = r.u32(), let at = r.take(Int(n)), n >= 8 else { return nil }
            let pc = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
            records[pc] = UInt64(at) << 32 | UInt64(at + Int(n))
        }
        guard r.remaining == 0 else { return nil }
        return records
    }

    // MARK: Blocks

    /// What the file has for a pc: nothing, a block saved from other code or malformed
    /// (`.stale`), or the block, read back whole.
    enum Lookup { case none, stale, block(SavedBlock) }

    /// The block saved for guest pc `pc`, read back whole (its instructions still to be compared
    /// with guest memory: `SavedBlock.matches`).
    func lookup(_ pc: UInt64) -> Lookup {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let range = index[pc] else { return .none }
        var r = StoreReader(data.bytes, from: Int(range >> 32), to: Int(range & 0xFFFF_FFFF))
        guard let block = SavedBlock(&r, start: pc), r.remaining == 0 else { return .stale }
        return .block(block)
    }

    /// Keeps a block translated in this process for `save()`.
    func add(_ block: SavedBlock) {
        var w = StoreWriter()
        block.write(to: &w)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard freshBytes + w.bytes.count < TranslationStore.maxFileBytes / 2 else { return }
        freshBytes += w.bytes.count
        fresh[block.start] = w.bytes
    }

    /// Blocks waiting for `save()`.
    public var unsaved: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return fresh.count
    }

    /// In the child of a host fork: the parent saves what it translated before the fork.
    public func forgetUnsaved() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        fresh.removeAll()
        freshBytes = 0
    }

    /// Writes the file: what is on disk now (another process may have saved since this one read
    /// it) plus this process's new blocks, through a temporary file and a rename. Does nothing
    /// when there is nothing new, or too little to be worth rewriting the file for: the new blocks
    /// must add at least a sixteenth of its size (a long-lived cache of a big program, perl's is
    /// tens of MB, is not rewritten by every short process that translated a few blocks of its
    /// own, and the bytes written over a cache's life stay within a small multiple of its size).
    /// Failures are silent: the cache is only an optimisation.
    public func save() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard !fresh.isEmpty, freshBytes >= data.bytes.count / TranslationStore.growthToSave else { return }
        var base = data, records = index
        if case .success(let (mapping, r)) = TranslationStore.read(path, key: key) { base = mapping; records = r }
        guard freshBytes >= base.bytes.count / TranslationStore.growthToSave else { return }
        var payload = StoreWriter()
        payload.bytes.reserveCapacity(base.bytes.count + freshBytes + 8 * fresh.count)
        var count = 0
        for (pc, range) in records where fresh[pc] == nil {
            let start = Int(range >> 32), end = Int(range & 0xFFFF_FFFF)
            guard payload.bytes.count + (end - start) < TranslationStore.maxFileBytes - (64 << 10) else { break }
            payload.count(end - start)
            payload.bytes += UnsafeRawBufferPointer(rebasing: base.bytes[start..<end])
            count += 1
        }
        for (_, record) in fresh {
            guard payload.bytes.count + record.count < TranslationStore.maxFileBytes - (64 << 10) else { break }
            payload.count(record.count)
            payload.bytes += record
            count += 1
        }
        var file = StoreWriter()
        file.bytes = TranslationStore.magic
        let keyBytes = Array(key.utf8)
        file.count(keyBytes.count)
        file.bytes += keyBytes
        file.count(count)
        file.u64(UInt64(payload.bytes.count))
        file.u64(payload.bytes.withUnsafeBytes { storeChecksum($0) })
        file.bytes += payload.bytes
        if TranslationStore.writeAtomically(file.bytes, to: path, in: directory) {
            fresh.removeAll()
            freshBytes = 0
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String, in directory: String) -> Bool {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let random = UInt64(bitPattern: Int64(ts.tv_nsec)) ^ UInt64(bitPattern: Int64(ts.tv_sec)) << 30
        let temporary = "\(directory)/.tmp-\(getpid())-\(String(random, radix: 16))"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        let closed = close(fd) == 0
        guard done == bytes.count, closed, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}

/// A cache file mapped read-only and private, for as long as the store keeps it.
final class CacheFileMapping: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    static let empty = CacheFileMapping()

    private init() { bytes = UnsafeRawBufferPointer(start: nil, count: 0) }

    /// Maps `size` bytes of `fd` (populated at once: a start uses most of its file), or nil.
    init?(_ fd: Int32, size: Int) {
        guard size > 0, let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
