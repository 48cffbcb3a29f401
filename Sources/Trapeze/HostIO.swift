#if canImport(Glibc)
import Glibc
#endif

/// The little Trapeze itself needs of the host process: its environment, whole writes to a file
/// descriptor or a new file, and printf-style number formatting. These are plain libc calls so
/// that the `trapeze` binary does not link Foundation, whose loading and relocation used to be
/// most of a short guest's run time.
public enum HostIO {
    /// Writes all of `text` to `fd`, retrying short writes and EINTR; false on any other error.
    @discardableResult
    public static func write(_ text: String, to fd: Int32) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += n
            }
            return true
        }
    }

    /// `text` on stderr.
    public static func error(_ text: String) { write(text, to: 2) }

    /// `text` on stdout.
    public static func output(_ text: String) { write(text, to: 1) }

    /// Creates (or truncates) the file at `path` holding `text`; false if it cannot.
    public static func createFile(_ path: String, contents text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return false }
        let written = write(text, to: fd)
        return close(fd) == 0 && written
    }

    /// The process environment by name; an entry without `=` is skipped, and of two entries with
    /// one name the first wins, as for `getenv`.
    public static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let c = entry.pointee {
            let text = String(cString: c)
            if let eq = text.firstIndex(of: "="), result[String(text[..<eq])] == nil {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            entry += 1
        }
        return result
    }

    /// `value` with `digits` decimals, as `printf("%.*f")` prints it.
    public static func fixed(_ value: Double, digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([Int32(digits), value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        guard n >= 0 else { return String(value) }
        if Int(n) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList([Int32(digits), value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
