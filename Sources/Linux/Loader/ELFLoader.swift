#if canImport(Glibc)
import Glibc
#endif
import Guest
import ELF

/// One ELF file mapped into guest memory.
public struct LoadedImage: Sendable {
    public let elf: ELFFile
    /// Added to every virtual address in the file (0 for ET_EXEC).
    public let bias: UInt64
    public var entry: UInt64 { elf.entry &+ bias }
    /// Guest address of the program header table (AT_PHDR).
    public let programHeaders: UInt64
    /// The lowest mapped address and one past the highest segment byte.
    public let low: UInt64
    public let high: UInt64
    public var symbols: SymbolTable { elf.symbolTable(bias: bias) }
}

/// A program ready to start: its image, its dynamic linker if it has one, and where brk begins.
public struct LoadedProgram: Sendable {
    public let main: LoadedImage
    public let interpreter: LoadedImage?
    /// Where execution starts: the interpreter's entry for dynamic programs.
    public var entry: UInt64 { interpreter?.entry ?? main.entry }
    /// Start of the heap: the first page after the main program.
    public let brk: UInt64
    /// PT_GNU_STACK asked for an executable stack.
    public let executableStack: Bool
}

/// Maps ELF programs into `GuestMemory` the way Linux's binfmt_elf does.
public enum ELFLoader {
    /// Larger images are surely malformed, and mapping them would only waste time.
    public static let maximumImageSize: UInt64 = 16 << 30

    /// Loads `path` (and its PT_INTERP, looked up in `sysroot` first) into empty guest memory.
    public static func load(_ path: String, into memory: GuestMemory, sysroot: String?) throws(LoaderError) -> LoadedProgram {
        let layout = AddressSpaceLayout(limit: memory.limit)
        let elf = try ELFFile(path: path)
        let main = try map(elf, into: memory, base: elf.isPositionIndependent ? layout.pieBase : nil, layout: layout)
        var interpreter: LoadedImage? = nil
        if let interp = elf.interpreter {
            let hostPath = SysrootPath.resolve(interp, sysroot: sysroot)
            let interpELF: ELFFile
            do {
                interpELF = try ELFFile(path: hostPath)
            } catch {
                throw LoaderError(path, "interpreter \(interp): \(error.problem)")
            }
            guard interpELF.isPositionIndependent, interpELF.interpreter == nil else {
                throw LoaderError(path, "interpreter \(interp) is not a shared object")
            }
            let span = imageSpan(interpELF)
            guard let base = memory.findFree(span.upperBound - span.lowerBound, below: layout.mmapTop) else {
                throw LoaderError(path, "no room for interpreter \(interp)")
            }
            interpreter = try map(interpELF, into: memory, base: base, layout: layout)
        }
        let page = GuestMemory.pageSize
        let brk = (main.high &+ page &- 1) & ~(page - 1)
        let stack = elf.programHeaders.first { $0.type == ProgramHeader.gnuStack }
        return LoadedProgram(main: main, interpreter: interpreter, brk: brk,
                             executableStack: (stack?.flags ?? 0) & 1 != 0)
    }

    /// The page-aligned range of virtual addresses the file's PT_LOAD segments cover, unbiased.
    static func imageSpan(_ elf: ELFFile) -> Range<UInt64> {
        let page = GuestMemory.pageSize
        let loads = elf.loadSegments
        let low = (loads.map(\.vaddr).min() ?? 0) & ~(page - 1)
        // ELFFile checked that vaddr + memsz does not overflow; rounding up may, so saturate.
        let end = loads.map { $0.vaddr + $0.memorySize }.max() ?? 0
        let (rounded, overflow) = end.addingReportingOverflow(page - 1)
        return low..<(overflow ? UInt64.max & ~(page - 1) : rounded & ~(page - 1))
    }

    /// Maps one file's segments. `base` is where the lowest page goes (nil: at the file's own
    /// addresses). Pages are mapped writable, filled, then given their final permissions; a page
    /// two segments share gets both segments' permissions, and gaps between segments are unmapped.
    public static func map(_ elf: ELFFile, into memory: GuestMemory, base: UInt64?) throws(LoaderError) -> LoadedImage {
        try map(elf, into: memory, base: base, layout: AddressSpaceLayout(limit: memory.limit))
    }

    static func map(_ elf: ELFFile, into memory: GuestMemory, base: UInt64?, layout: AddressSpaceLayout) throws(LoaderError) -> LoadedImage {
        let page = GuestMemory.pageSize
        let span = imageSpan(elf)
        let bias = base.map { $0 &- span.lowerBound } ?? 0
        let low = span.lowerBound &+ bias
        let size = span.upperBound - span.lowerBound
        // Programs must leave room for the stack; page 0 stays unmapped so NULL faults.
        guard size <= ELFLoader.maximumImageSize else { throw LoaderError(elf.path, "segments too large") }
        guard low >= page, size > 0, size <= layout.stackBottom, low <= layout.stackBottom - size else {
            throw LoaderError(elf.path, "segment outside the guest address space")
        }
        guard memory.isFree(low, size) else { throw LoaderError(elf.path, "segments overlap existing mappings") }
        // As Linux's mmap of a segment requires: the file offset and the address agree within a page.
        for segment in elf.loadSegments where segment.fileSize > 0 && (segment.offset &- segment.vaddr) % page != 0 {
            throw LoaderError(elf.path, "segment file offset and address disagree modulo the page size")
        }
        guard memory.mapAnonymous(low, size, [.read, .write]) else {
            throw LoaderError(elf.path, "cannot map segments")
        }

        // Segments are in address order and do not overlap (ELFFile checked), so only a boundary
        // page can be shared, and it gets both segments' permissions. Gaps are unmapped again.
        // Read-only segments' own pages are mapped from the file (FileMappedSegments.swift); the
        // rest of every segment is copied from the bytes read.
        var file = FileMappedSegments(elf)
        defer { file.close() }
        let loads = elf.loadSegments
        for (n, segment) in loads.enumerated() where segment.fileSize > 0 {
            let start = segment.vaddr &+ bias, end = start &+ segment.fileSize
            let mapped = file.map(segment, at: start, after: n > 0 ? loads[n - 1].vaddr &+ loads[n - 1].memorySize &+ bias : nil,
                                  before: n + 1 < loads.count ? loads[n + 1].vaddr &+ bias : nil, into: memory)
            let copied: Bool = elf.bytes.withUnsafeBytes { bytes in
                func copy(_ from: UInt64, _ to: UInt64) -> Bool {
                    guard from < to else { return true }
                    let at = Int(segment.offset &+ (from &- start))
                    memory.prefault(from, to &- from)
                    return (try? memory.copyIn(from, from: UnsafeRawBufferPointer(rebasing: bytes[at..<at + Int(to &- from)]))) != nil
                }
                return copy(start, min(end, mapped.lowerBound)) && copy(max(start, mapped.upperBound), end)
            }
            guard copied else { throw LoaderError(elf.path, "cannot map segments") }
        }
        var previous: (lastPage: UInt64, flags: PageFlags)? = nil
        for segment in elf.loadSegments {
            let start = segment.vaddr &+ bias
            let pages = GuestMemory.pageRangeOf(start, segment.memorySize)
            guard !pages.isEmpty else { continue }
            var first = pages.lowerBound
            if let previous {
                if previous.lastPage == first {
                    memory.protect(first << GuestMemory.pageShift, page, previous.flags.union(segment.pageFlags))
                    first += 1
                } else if previous.lastPage + 1 < first {
                    let gap = previous.lastPage + 1
                    memory.unmap(gap << GuestMemory.pageShift, (first - gap) << GuestMemory.pageShift)
                }
            }
            if first < pages.upperBound {
                memory.protect(first << GuestMemory.pageShift, (pages.upperBound - first) << GuestMemory.pageShift,
                               segment.pageFlags)
            }
            previous = (pages.upperBound - 1, segment.pageFlags)
        }

        return LoadedImage(elf: elf, bias: bias, programHeaders: programHeaderAddress(elf) &+ bias,
                           low: low, high: (elf.loadSegments.map { $0.vaddr + $0.memorySize }.max() ?? 0) &+ bias)
    }

    /// Where the program header table is in memory: PT_PHDR if present, else inside the PT_LOAD
    /// that maps the table's file bytes.
    static func programHeaderAddress(_ elf: ELFFile) -> UInt64 {
        if let h = elf.programHeaders.first(where: { $0.type == ProgramHeader.phdr }) { return h.vaddr }
        let off = elf.programHeaderOffset
        if let h = elf.loadSegments.first(where: { off >= $0.offset && off - $0.offset < $0.fileSize }) {
            return h.vaddr &+ (off - h.offset)
        }
        // As Linux does: the first segment's load address plus e_phoff.
        guard let first = elf.loadSegments.first else { return 0 }
        return first.vaddr &- first.offset &+ off
    }
}

extension GuestMemory {
    /// The guest page numbers `[address, address+length)` touches (empty for length 0).
    static func pageRangeOf(_ address: UInt64, _ length: UInt64) -> Range<UInt64> {
        guard length > 0 else { return 0..<0 }
        let first = address >> pageShift
        let last = (address &+ length &- 1) >> pageShift
        return first..<(last &+ 1)
    }
}
