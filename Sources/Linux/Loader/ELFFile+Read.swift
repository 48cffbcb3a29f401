#if canImport(Glibc)
import Glibc
#endif
import ELF

extension ELFFile {
    /// Maps (or, failing that, reads) and parses the file at `path`.
    public init(path: String) throws(LoaderError) {
        try self.init(contents: try ELFFile.mapFile(path), path: path)
    }

    /// A regular file's bytes, mapped read-only (ELFBytes): the loader reads its headers and
    /// writable segments and nothing else, so a start no longer backs and fills memory for the
    /// whole file. Read instead when the kernel will not map it, or when it is larger than
    /// `wholeFileLimit`; the same one-line errors as `readFile`.
    public static func mapFile(_ path: String) throws(LoaderError) -> ELFBytes {
        let (fd, st) = try openRegular(path)
        defer { close(fd) }
        if st.st_size > 0, st.st_size <= ELFFile.wholeFileLimit, let mapped = ELFBytes.map(fd, size: Int(st.st_size)) {
            return mapped
        }
        return ELFBytes(try readFile(path))
    }

    /// Opens `path` for reading and checks that it is a regular file, with one-line errors for
    /// the ways that fails; the caller closes the descriptor.
    static func openRegular(_ path: String) throws(LoaderError) -> (Int32, stat) {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw LoaderError(path, HostErrno.message(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let error = errno
            close(fd)
            throw LoaderError(path, HostErrno.message(error))
        }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            throw LoaderError(path, kind == S_IFDIR ? "is a directory" : "not a regular file (permission denied)")
        }
        return (fd, st)
    }

    /// Reads a whole regular file, with one-line errors for the ways that fails.
    public static func readFile(_ path: String) throws(LoaderError) -> [UInt8] {
        let (fd, st) = try openRegular(path)
        defer { close(fd) }
        if st.st_size > ELFFile.wholeFileLimit { return try readNeeded(fd, path) }
        // Straight into an array one byte larger than the file (loading is on every start-up
        // path), so the read that finds the end needs no other buffer; chunks only for whatever
        // a file growing meanwhile adds.
        var failure: Int32 = 0, atEnd = false
        var result = [UInt8](unsafeUninitializedCapacity: max(0, Int(st.st_size)) + 1) { buffer, count in
            Prefault.write(buffer.baseAddress!, buffer.count)
            while count < buffer.count {
                let n = read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { atEnd = true; return }
                count += n
            }
        }
        if failure != 0 { throw LoaderError(path, HostErrno.message(failure)) }
        var chunk = [UInt8](repeating: 0, count: atEnd ? 0 : 1 << 16)
        while !atEnd {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LoaderError(path, HostErrno.message(errno))
            }
            if n == 0 { atEnd = true } else { result.append(contentsOf: chunk[0..<n]) }
        }
        return result
    }

    /// Files larger than this are read only as far as the loader needs (headers and segments):
    /// a program inside a huge sparse file costs only its own size. Its symbols are lost if the
    /// section table lies beyond.
    static let wholeFileLimit = 256 << 20

    /// The prefix of a large file that holds the ELF header, the program header table and every
    /// PT_LOAD and PT_INTERP's bytes.
    static func readNeeded(_ fd: Int32, _ path: String) throws(LoaderError) -> [UInt8] {
        let header = try readAt(fd, path, 0, 64)
        guard header.count == 64, header.starts(with: [0x7f, 0x45, 0x4c, 0x46]) else { return header }
        func word(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
            (0..<width).reversed().reduce(0) { $0 << 8 | UInt64(bytes[at + $1]) }
        }
        let phoff = word(header, 32, 8), phnum = word(header, 56, 2)
        guard phoff < UInt64(wholeFileLimit), phnum <= 1024 else { return header }
        let table = try readAt(fd, path, phoff, Int(phnum) * 56)
        var end = phoff + UInt64(table.count)
        for i in 0..<table.count / 56 {
            let type = word(table, i * 56, 4)
            guard type == 1 || type == 3 else { continue }
            let (last, overflow) = word(table, i * 56 + 8, 8).addingReportingOverflow(word(table, i * 56 + 32, 8))
            guard !overflow else { continue }  // ELFFile rejects it, with the file's own words
            end = max(end, last)
        }
        guard end <= UInt64(ELFLoader.maximumImageSize) else { throw LoaderError(path, "segments too large") }
        return try readAt(fd, path, 0, Int(end))
    }

    /// Up to `count` bytes at `offset` (fewer at the end of the file).
    private static func readAt(_ fd: Int32, _ path: String, _ offset: UInt64, _ count: Int) throws(LoaderError) -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, done in
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno }
                if n <= 0 { return }
                done += n
            }
        }
        if failure != 0 { throw LoaderError(path, HostErrno.message(failure)) }
        return bytes
    }
}
