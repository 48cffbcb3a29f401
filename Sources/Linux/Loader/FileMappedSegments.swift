#if canImport(Glibc)
import Glibc
#endif
import Guest
import ELF

/// Maps a program's read-only segments from its file instead of copying them into fresh memory,
/// as Linux's binfmt_elf maps every segment: the pages come from the page cache, shared with
/// every other process running the same file, are faulted in only when touched, and a start
/// costs no copy (a static hello's 390 KB of text was a tenth of its warm start). Writable
/// segments are still copied (they are small, and written anyway); so is any page a segment
/// shares with its neighbour, and everything when the file cannot be opened again or is not
/// the size that was read (a very large file read only in part, or one that changed).
///
/// Like Linux (and QEMU's user mode), the mapped pages show the file: bytes before a segment's
/// start on its first page and after its end on its last are the file's there, and a program
/// file rewritten in place while it runs may show the change (Linux refuses such writes with
/// ETXTBSY; it cannot for Trapeze's guests). The pages are marked as file pages, so a file
/// truncated under a running guest gives the guest SIGBUS, never a fault in Trapeze.
struct FileMappedSegments {
    private let elf: ELFFile
    private var fd: Int32 = -2

    init(_ elf: ELFFile) { self.elf = elf }

    /// Maps the pages of `segment` (loaded at guest address `start`) that are its own from the
    /// file: not the page holding `after` (the previous segment's end) or `before` (the next
    /// one's start). Returns the guest range mapped, empty if none.
    mutating func map(_ segment: ProgramHeader, at start: UInt64, after: UInt64?, before: UInt64?,
                      into memory: GuestMemory) -> Range<UInt64> {
        let page = GuestMemory.pageSize
        guard segment.pageFlags.intersection(.write).isEmpty, segment.memorySize == segment.fileSize,
              segment.fileSize >= page else { return start..<start }
        var first = start & ~(page - 1)
        var last = (start &+ segment.fileSize &- 1) & ~(page - 1)
        if let after, after > first, (after &- 1) & ~(page - 1) == first { first &+= page }
        if let before, before & ~(page - 1) == last { last &-= page }
        guard first <= last, let fd = descriptor() else { return start..<start }
        let offset = (segment.offset & ~(page - 1)) &+ (first &- (start & ~(page - 1)))
        let length = last &+ page &- first
        guard memory.mapFile(first, length, [.read, .write], fd: fd, offset: Int64(offset), shared: false) == nil else {
            return start..<start
        }
        return first..<first &+ length
    }

    /// The file opened again, if it is still the size that was read; nil otherwise.
    private mutating func descriptor() -> Int32? {
        if fd == -2 {
            fd = open(elf.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            var st = stat()
            if fd >= 0, fstat(fd, &st) != 0 || st.st_mode & S_IFMT != S_IFREG || Int(st.st_size) != elf.bytes.count {
                Glibc.close(fd)
                fd = -1
            }
        }
        return fd >= 0 ? fd : nil
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
    }
}
