#if canImport(Glibc)
import Glibc
#endif
import CHost

/// Host memory for translated code, kept W^X by mapping one memory file twice: a read+write view
/// that the translator writes and patches, and a read+execute view that runs. No page is ever
/// writable and executable at once, and patching a chained jump needs no `mprotect`.
///
/// Code is allocated by bumping `used`; when the next block does not fit the owner flushes the
/// whole cache (`reset`) and starts again, which is simpler and, for a cache of tens of MiB, rarer
/// than any finer eviction.
final class CodeCache {
    let capacity: Int
    private let writable: UnsafeMutableRawPointer
    private let executable: UnsafeMutableRawPointer
    private(set) var used = 0
    /// Bytes from the start that are known to be backed and mapped in both views (`populate`).
    private var populated = 0
    /// The process that created the mappings; after a fork the child must not write to them.

    /// Nil when the host refuses the mappings (then the JIT cannot run at all).
    init?(capacity requested: Int) {
        let page = 4096
        capacity = max(page, (requested + page - 1) & ~(page - 1))
        if let views = CodeCache.sharedAnonymousViews(capacity: capacity) {
            (writable, executable) = views
            return
        }
        let fd = CodeCache.anonymousFile()
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard ftruncate(fd, off_t(capacity)) == 0 else { return nil }
        let rw = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let rw, rw != MAP_FAILED else { return nil }
        let rx = mmap(nil, capacity, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0)
        guard let rx, rx != MAP_FAILED else { munmap(rw, capacity); return nil }
        writable = rw
        executable = rx
    }

    deinit {
        munmap(writable, capacity)
        munmap(executable, capacity)
    }

    /// A memfd when the kernel has them, else an unlinked temporary file.
    private static func anonymousFile() -> Int32 {
        let fd = trapeze_memfd_create("trapeze-jit", 1 /* MFD_CLOEXEC */)
        if fd >= 0 { return fd }
        for dir in ["/dev/shm", "/tmp"] {
            var template = Array("\(dir)/trapeze-jit-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if fd >= 0 {
                template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
                return fd
            }
        }
        return -1
    }

    /// Host address (in the executable view) of a cache offset.
    @inline(__always) func address(_ offset: Int) -> UInt64 {
        UInt64(UInt(bitPattern: executable)) &+ UInt64(offset)
    }

    var start: UInt64 { address(0) }
    var end: UInt64 { address(capacity) }

    func contains(_ hostAddress: UInt64) -> Bool { hostAddress >= start && hostAddress < end }

    var free: Int { capacity - used }

    /// The offset where the next allocation of `alignment` would start.
    func nextOffset(alignment: Int = 16) -> Int { (used + alignment - 1) & ~(alignment - 1) }

    /// Copies `bytes` in at `nextOffset(alignment:)`; nil (and nothing written) if they do not fit.
    func append(_ bytes: [UInt8], alignment: Int = 16) -> Int? {
        bytes.withUnsafeBytes { append($0, alignment: alignment) }
    }

    /// `append` from any buffer (a saved block's code straight from the mapped cache file).
    func append(_ bytes: UnsafeRawBufferPointer, alignment: Int = 16) -> Int? {
        let offset = nextOffset(alignment: alignment)
        guard offset <= capacity, bytes.count <= capacity - offset else { return nil }
        if offset + bytes.count > populated { populate(through: offset + bytes.count) }
        if let source = bytes.baseAddress { writable.advanced(by: offset).copyMemory(from: source, byteCount: bytes.count) }
        used = offset + bytes.count
        return offset
    }

    /// Writes a value into code appended last and not yet run (a saved block's relocation).
    func write<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= used, "stray code write")
        writable.storeBytes(of: value, toByteOffset: offset, as: T.self)
    }

    /// Drops what was appended from `offset` on (code never run: a saved block that could not
    /// be relocated).
    func discard(from offset: Int) {
        precondition(offset >= 0 && offset <= used)
        used = offset
    }

    /// Rewrites four bytes of emitted code with one store. The assembler places patchable
    /// displacements so they never straddle an 8-byte boundary, which makes the store atomic on
    /// x86: a thread running through the site sees the old or the new target, never a mix.
    func patch32(at offset: Int, _ value: UInt32) {
        precondition(offset & 7 <= 4 && offset >= 0 && offset + 4 <= used, "stray patch site")
        writable.storeBytes(of: value, toByteOffset: offset, as: UInt32.self)
    }

    /// Rewrites eight bytes of emitted code at an 8-byte aligned offset with one store (atomic on
    /// x86): a dropped block's entry (CodeIndex.swift).
    func patch64(at offset: Int, _ value: UInt64) {
        precondition(offset & 7 == 0 && offset >= 0 && offset + 8 <= used, "stray patch site")
        writable.storeBytes(of: value, toByteOffset: offset, as: UInt64.self)
    }

    /// A copy of emitted code.
    func bytes(at offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= used else { return [] }
        return Array(UnsafeRawBufferPointer(start: writable + offset, count: count))
    }

    /// Forgets every block.
    func reset() { used = 0 }

    /// Backs the cache ahead of the allocator in steps of `populateStep`, with one
    /// `madvise(MADV_POPULATE_WRITE)` on the writable view and one `MADV_POPULATE_READ` on the
    /// executable view, instead of two page faults per 4 KiB page as blocks are written and then
    /// run (shared memory faults are dear: a Linux boot writes about 100 MB of code, and these
    /// faults were 13% of its host time). The step is 16 KiB, and an eighth of what is backed
    /// once that is more, up to 1 MiB: a short process must not pay for backing memory it never
    /// uses (with interpreted first runs a static hello writes 10 KB of code, and backing the
    /// old first step of 64 KiB was 4% of a trivial program's start), nor a whole MiB, which was a fifth of a warm start's
    /// CPU, and a step that doubled with the cache backed up to half as much again as was used
    /// (a warm `dynamic_hello`: 512 KB for 350 KB of code). Only a hint: kernels before 5.14
    /// refuse the advice, and the pages then fault in one by one as before.
    private func populate(through end: Int) {
        let from = populated
        // Whole 16 KiB units, so every boundary stays page-aligned for madvise.
        let step = min(CodeCache.populateStep, max(CodeCache.firstPopulateStep, populated / 8 & ~(CodeCache.firstPopulateStep - 1)))
        let to = min(capacity, (end + step - 1) / step * step)
        populated = to
        guard CodeCache.populateWorks, to > from else { return }
        if madvise(writable + from, to - from, CodeCache.populateWrite) != 0
            || madvise(executable + from, to - from, CodeCache.populateRead) != 0 {
            CodeCache.populateWorks = false
        }
    }

    private static let populateStep = 1 << 20
    private static let firstPopulateStep = 1 << 14
    /// MADV_POPULATE_READ and MADV_POPULATE_WRITE (Linux 5.14); Swift's Glibc module lacks them.
    private static let populateRead: Int32 = 22
    private static let populateWrite: Int32 = 23
    nonisolated(unsafe) private static var populateWorks = true
}
