#if canImport(Glibc)
import Glibc
#endif

/// The bytes of an ELF file: the file mapped read-only (what the loader uses: no copy, and only
/// the pages something reads are faulted in from the page cache), or a copy of bytes built in
/// memory (tests, hand-made images).
///
/// Reading the whole file into fresh memory made every start pay for backing and filling pages
/// it never read again: a static hello's 500 KB, libc's 1.6 MB for every dynamic program, when
/// the loader needs the headers and the writable segments (read-only segments are mapped from
/// the file into guest memory on their own: FileMappedSegments).
///
/// As for any mapped file (and for the dynamic linker's own reads of the libraries it maps), a
/// file truncated while it is being loaded makes a read past its new end raise SIGBUS; the
/// loader's copies into guest memory are guarded and fail cleanly, the header reads are not.
public struct ELFBytes: RandomAccessCollection, @unchecked Sendable {
    public typealias Index = Int
    public typealias Element = UInt8

    /// Owns the memory `base` points into (an allocation or a mapping) and frees it.
    private final class Owner: @unchecked Sendable {
        let base: UnsafeMutableRawPointer?
        let count: Int
        let mapped: Bool

        init(base: UnsafeMutableRawPointer?, count: Int, mapped: Bool) {
            self.base = base
            self.count = count
            self.mapped = mapped
        }

        deinit {
            guard let base else { return }
            if mapped { munmap(base, count) } else { base.deallocate() }
        }
    }

    private let owner: Owner
    private let base: UnsafePointer<UInt8>?
    public let count: Int
    /// True when these are the whole file as mapped (`map`), not a copy or a prefix.
    public var isWholeFileMapping: Bool { owner.mapped }

    /// A copy of `bytes`.
    public init(_ bytes: [UInt8]) {
        let memory = bytes.isEmpty ? nil : UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
        if let memory { bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) } }
        owner = Owner(base: memory, count: bytes.count, mapped: false)
        base = memory.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }
        count = bytes.count
    }

    /// The first `size` bytes of open file `fd` mapped read-only and private; nil if the kernel
    /// refuses (the caller then reads the file instead).
    public static func map(_ fd: Int32, size: Int) -> ELFBytes? {
        guard size > 0, let memory = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), memory != MAP_FAILED else { return nil }
        return ELFBytes(mapping: memory, count: size)
    }

    private init(mapping: UnsafeMutableRawPointer, count: Int) {
        owner = Owner(base: mapping, count: count, mapped: true)
        base = UnsafePointer(mapping.assumingMemoryBound(to: UInt8.self))
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inline(__always)
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "ELF byte index out of range")
        return base![position]
    }

    /// The bytes as one buffer, for as long as `body` runs.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(owner) { try body(UnsafeRawBufferPointer(start: base, count: count)) }
    }
}
