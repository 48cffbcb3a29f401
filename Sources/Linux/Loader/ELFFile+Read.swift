#if canImport(Glibc)
import Glibc
#endif
import ELF

extension ELFFile {
    /// Reads and parses the file at `path`.
    public init(path: String) throws(LoaderError) {
        try self.init(bytes: try ELFFile.readFile(path), path: path)
    }

    /// Reads a whole regular file, with one-line errors for the ways that fails.
    public static func readFile(_ path: String) throws(LoaderError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LoaderError(path, HostErrno.message(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LoaderError(path, HostErrno.message(errno)) }
        if st.st_mode & S_IFMT == S_IFDIR { throw LoaderError(path, "is a directory") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw LoaderError(path, "not a regular file") }
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
}
