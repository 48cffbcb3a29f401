#if canImport(Glibc)
import Glibc
#endif
import Guest
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
    /// The side file counting blocks processes left unsaved (`owe`).
    let owedPath: String
    let key: String
    /// The file mapped read-only (private: a rename over it leaves this copy alone), so a start
    /// costs no copy of the file into fresh memory, and where its index and records lie in it
    /// (`parse`). Writers never truncate a file in place (they rename a new one over it).
    private var data = CacheFileMapping.empty
    private var layout = FileLayout.empty
    /// Blocks translated in this process since it started (or forked), by guest pc.
    private var fresh: [UInt64: [UInt8]] = [:]
    private var freshBytes = 0
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Why the file on disk was not used, when it exists but was not (one line).
    public private(set) var note: String?

    /// Records in the file, and the cap on what a file holds.
    public var loadedBlocks: Int { layout.count }
    static let maxFileBytes = 256 << 20

    static let magic: [UInt8] = Array("TRPZJIT4".utf8)
    /// `save()` rewrites a file only for new blocks of at least 1/`growthToSave` of its size,
    /// counting what earlier processes left unsaved (`owe`).
    static let growthToSave = 16
    /// The `.owed` file grows by a byte per this many bytes of blocks left unsaved.
    static let owedUnit = 64

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
        owedPath = directory + "/" + hex + ".owed"
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        // Other threads read and add blocks while one forks: the child must not inherit it held.
        ForkLocks.register(lock)
        switch TranslationStore.read(path, key: key) {
        case .success(let (mapping, found)):
            data = mapping
            layout = found
        case .failure(let reason):
            note = reason.message
        }
    }

    deinit {
        ForkLocks.unregister(lock)
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// The JIT's part of a cache key: Trapeze's own executable (`buildID`, its GNU build ID in
    /// hex, a hash of the linked output; without one, device, inode, size and mtime of
    /// /proc/self/exe: either way a rebuilt Trapeze never reads an older one's code), the
    /// addresses and layouts saved code depends on, and every option that changes the code
    /// emitted. Nil when Trapeze can name its executable neither way (no build ID and no /proc):
    /// then nothing is cached.
    public static func engineKey(_ o: JITOptions, buildID: String?) -> String? {
        let executable: String
        if let id = buildID {
            executable = "trapeze build-id \(id)\n"
        } else {
            var st = stat()
            guard stat("/proc/self/exe", &st) == 0 else { return nil }
            executable = "trapeze \(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n"
        }
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
            + executable
            + "helpers \(helpers) instruction \(MemoryLayout<Instruction>.size)\n"
            + "chain \(o.chaining) block-registers \(o.blockRegisters) host-calls \(o.hostCalls) joins \(o.joins) peel \(o.loopPeeling) gather \(o.gatherChains) spill-budget \(o.spillBudget) refunds \(o.sideExitRefunds) join-budgets \(o.joinBudgets) float-in-place \(o.floatInPlace) inline-calls \(o.inlineCalls) constant-addresses \(o.constantAddresses) allocated-thunks \(o.allocatedThunks) ra-register \(o.returnAddressRegister) block \(o.maxBlockInstructions) count-indirect \(o.countIndirectHits)\n"
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

    /// Maps a cache file and checks its header; where its index and records are.
    static func read(_ path: String, key: String) -> Result<(CacheFileMapping, FileLayout), StoreRefusal> {
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
        guard let layout = parse(mapping.bytes, key: key) else {
            return .failure(StoreRefusal(message: "\(path): not a valid cache file for this program and Trapeze; ignored"))
        }
        return .success((mapping, layout))
    }

    /// Header: magic, key length and key, record count, the records' total length; then the
    /// index, one entry per record sorted by guest pc (`IndexEntry`: pc, offset from the first
    /// record, length, checksum of the record); then the records, each a `SavedBlock`.
    ///
    /// Only the header is checked here (and the file's length against it, which catches a
    /// truncated file): a start reads and checksums just the records it uses (`lookup`), not the
    /// whole file (a perl cache is tens of MB), and builds no table of them. A damaged index entry
    /// cannot smuggle a block in: its record must carry the pc looked up and match its checksum.
    static func parse(_ raw: UnsafeRawBufferPointer, key: String) -> FileLayout? {
        var r = StoreReader(raw)
        guard let m = r.take(magic.count), magic.indices.allSatisfy({ raw[m + $0] == magic[$0] }) else { return nil }
        let keyBytes = Array(key.utf8)
        guard let kn = r.u32(), Int(kn) == keyBytes.count, let k = r.take(keyBytes.count),
              keyBytes.indices.allSatisfy({ raw[k + $0] == keyBytes[$0] }) else { return nil }
        guard raw.count < 1 << 32, let count = r.u32(), let length = r.u64(),
              let indexAt = r.take(Int(count) * IndexEntry.bytes), length == UInt64(r.remaining) else { return nil }
        return FileLayout(count: Int(count), indexAt: indexAt, recordsAt: r.at, recordsLength: Int(length))
    }

    // MARK: Blocks

    /// What the file has for a pc: nothing, a record that is damaged or not a block of this pc
    /// (`.stale`), or its block, read back whole into the caller's `SavedBlock`.
    enum Lookup { case none, stale, found }

    /// Reads the block saved for guest pc `pc` into `block` (its arrays reused: a warm start
    /// reads hundreds of blocks), after checking its record against the index's checksum; its
    /// instructions are still to be compared with guest memory (`SavedBlock.matches`).
    func lookup(_ pc: UInt64, into block: inout SavedBlock) -> Lookup {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let entry = layout.entry(for: pc, in: data.bytes) else { return .none }
        guard entry.length >= 8, entry.offset + entry.length <= layout.recordsLength else { return .stale }
        let start = layout.recordsAt + entry.offset
        let record = UnsafeRawBufferPointer(rebasing: data.bytes[start..<start + entry.length])
        guard storeChecksum(record) == entry.checksum else { return .stale }
        var r = StoreReader(data.bytes, from: start, to: start + entry.length)
        guard block.read(&r, start: pc), r.remaining == 0 else { return .stale }
        return .found
    }

    /// Whether the file has a block for guest pc `pc` (its index only: the record is checked when
    /// it is read).
    func holds(_ pc: UInt64) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return layout.entry(for: pc, in: data.bytes) != nil
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
    /// own, and the bytes written over a cache's life stay within a small multiple of its size),
    /// or, with what earlier processes left unsaved since the last write, add up to that (`owe`:
    /// otherwise a path the file lacks, met by every start, would be translated by every start).
    /// Failures are silent: the cache is only an optimisation.
    public func save() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard !fresh.isEmpty else { return }
        let growth = TranslationStore.growthToSave
        guard freshBytes >= data.bytes.count / growth || owe(freshBytes, of: data.bytes.count / growth) else { return }
        var base = data, found = layout
        if case .success(let (mapping, l)) = TranslationStore.read(path, key: key) { base = mapping; found = l }
        var payload = StoreWriter()
        payload.bytes.reserveCapacity(base.bytes.count + freshBytes)
        var entries: [IndexEntry] = []
        entries.reserveCapacity(found.count + fresh.count)
        let room = TranslationStore.maxFileBytes - (64 << 10)
        // What the file holds (each record checked again: a damaged one is dropped), then this
        // process's blocks, which replace saved ones of the same pc.
        for k in 0..<found.count {
            let e = found.entry(k, in: base.bytes)
            guard fresh[e.pc] == nil, e.length >= 8, e.offset + e.length <= found.recordsLength,
                  payload.bytes.count + e.length + IndexEntry.bytes * (entries.count + 1) < room else { continue }
            let start = found.recordsAt + e.offset
            let record = UnsafeRawBufferPointer(rebasing: base.bytes[start..<start + e.length])
            guard storeChecksum(record) == e.checksum else { continue }
            entries.append(IndexEntry(pc: e.pc, offset: payload.bytes.count, length: e.length, checksum: e.checksum))
            payload.bytes += record
        }
        for (pc, record) in fresh {
            guard payload.bytes.count + record.count + IndexEntry.bytes * (entries.count + 1) < room else { break }
            entries.append(IndexEntry(pc: pc, offset: payload.bytes.count, length: record.count,
                                      checksum: record.withUnsafeBytes { storeChecksum($0) }))
            payload.bytes += record
        }
        entries.sort { $0.pc < $1.pc }
        var unique: [IndexEntry] = []
        unique.reserveCapacity(entries.count)
        for e in entries where unique.last?.pc != e.pc { unique.append(e) }
        var file = StoreWriter()
        file.bytes = TranslationStore.magic
        let keyBytes = Array(key.utf8)
        file.count(keyBytes.count)
        file.bytes += keyBytes
        file.count(unique.count)
        file.u64(UInt64(payload.bytes.count))
        file.bytes.reserveCapacity(file.bytes.count + IndexEntry.bytes * unique.count + payload.bytes.count)
        for e in unique { e.write(to: &file) }
        file.bytes += payload.bytes
        if TranslationStore.writeAtomically(file.bytes, to: path, in: directory) {
            unlink(owedPath)
            fresh.removeAll()
            freshBytes = 0
        }
    }

    /// Counts `bytes` of new blocks this process leaves unsaved against the file, and whether
    /// the blocks left unsaved since the file was last written now reach `threshold` bytes (then
    /// this process writes; the earlier ones' blocks are lost, but they are mostly the same
    /// blocks, met by every start of the program). The count is the length of a side file, which
    /// grows by appends (atomic between processes) and goes when the file is written.
    private func owe(_ bytes: Int, of threshold: Int) -> Bool {
        let fd = Glibc.open(owedPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid() else { return false }
        let units = max(1, bytes / TranslationStore.owedUnit)
        let marks = [UInt8](repeating: 0x2E, count: units)
        guard Glibc.write(fd, marks, units) == units, fstat(fd, &st) == 0 else { return false }
        return Int(st.st_size) * TranslationStore.owedUnit >= threshold
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
    static let populateLimit = 1 << 20

    private init() { bytes = UnsafeRawBufferPointer(start: nil, count: 0) }

    /// Maps `size` bytes of `fd`, or nil. A small file is populated at once (a start uses most
    /// of it); a big one is read where it is used.
    init?(_ fd: Int32, size: Int) {
        let populate = size <= CacheFileMapping.populateLimit ? MAP_POPULATE : 0
        guard size > 0, let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | populate, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}

/// Where a cache file's index and records lie (`TranslationStore.parse`).
struct FileLayout {
    var count: Int
    var indexAt: Int
    var recordsAt: Int
    var recordsLength: Int

    static let empty = FileLayout(count: 0, indexAt: 0, recordsAt: 0, recordsLength: 0)

    /// Index entry `k` (k < count: `parse` checked the index lies within the file).
    func entry(_ k: Int, in raw: UnsafeRawBufferPointer) -> IndexEntry {
        let at = indexAt + k * IndexEntry.bytes
        return IndexEntry(pc: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian,
                          offset: Int(raw.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self).littleEndian),
                          length: Int(raw.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self).littleEndian),
                          checksum: raw.loadUnaligned(fromByteOffset: at + 16, as: UInt64.self).littleEndian)
    }

    /// The entry for `pc`, by binary search (an index out of order only makes a search miss).
    func entry(for pc: UInt64, in raw: UnsafeRawBufferPointer) -> IndexEntry? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if raw.loadUnaligned(fromByteOffset: indexAt + mid * IndexEntry.bytes, as: UInt64.self).littleEndian < pc {
                low = mid + 1
            } else {
                high = mid
            }
        }
        guard low < count else { return nil }
        let e = entry(low, in: raw)
        return e.pc == pc ? e : nil
    }
}

/// One record's entry in a cache file's index: its block's guest pc, where the record starts
/// (from the first record) and its length, and a checksum of its bytes.
struct IndexEntry {
    var pc: UInt64
    var offset: Int
    var length: Int
    var checksum: UInt64

    static let bytes = 24

    func write(to w: inout StoreWriter) {
        w.u64(pc)
        w.u32(UInt32(truncatingIfNeeded: offset))
        w.u32(UInt32(truncatingIfNeeded: length))
        w.u64(checksum)
    }
}
