#if canImport(Glibc)
import Glibc
#endif

/// Reading an image file (firmware, kernel, initrd, device tree) whole, refusing one larger than
/// the place it must fit before reading it.
enum ImageFile {
    /// The bytes of the regular file at `path`, at most `limit` of them; `role` names the file in
    /// errors ("kernel", "initrd", …).
    static func read(_ path: String, role: String, limit: UInt64) throws(SystemError) -> [UInt8] {
        func fail(_ problem: String, _ status: Int32 = SystemError.unloadable) -> SystemError {
            SystemError("\(role) \(path): \(problem)", status: status)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw fail(String(cString: strerror(e)).lowercased(), e == ENOENT ? SystemError.missing : SystemError.unloadable)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fail(String(cString: strerror(errno)).lowercased()) }
        if st.st_mode & S_IFMT == S_IFDIR { throw fail("is a directory") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw fail("not a regular file") }
        let size = UInt64(max(0, st.st_size))
        guard size > 0 else { throw fail("is empty") }
        guard size <= limit else { throw fail("is \(size) bytes, larger than the \(limit) bytes it may take") }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(String(cString: strerror(errno)).lowercased())
            }
            guard n > 0 else { throw fail("shrank while being read") }
            done += n
        }
        return bytes
    }
}
