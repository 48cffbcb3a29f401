#if canImport(Glibc)
import Glibc
#endif
import Guest

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

    /// The process environment as `NAME=value` strings, sorted by their bytes; an entry without
    /// `=` is skipped, and of two entries with one name the first wins, as for `getenv`. (Sorting
    /// C strings and comparing neighbours instead of hashing names into a dictionary, or sorting
    /// Swift strings, whose comparison took ~200 000 instructions: this runs at every start-up.)
    public static func environment() -> [String] {
        var entries: [(text: UnsafePointer<CChar>, index: Int)] = []
        var entry = environ
        while let c = entry.pointee {
            if strchr(c, Int32(UInt8(ascii: "="))) != nil { entries.append((UnsafePointer(c), entries.count)) }
            entry += 1
        }
        entries.sort { strcmp($0.text, $1.text) < 0 }
        // Entries of one name are neighbours now (they share the prefix `NAME=`); keep the one
        // that came first in environ.
        var result: [String] = []
        result.reserveCapacity(entries.count)
        var i = 0
        while i < entries.count {
            let prefix = strcspn(entries[i].text, "=") + 1
            var first = i, j = i + 1
            while j < entries.count, strncmp(entries[j].text, entries[i].text, prefix) == 0 {
                if entries[j].index < entries[first].index { first = j }
                j += 1
            }
            result.append(String(cString: entries[first].text))
            i = j
        }
        return result
    }

    /// One environment variable, or nil when it is not set.
    public static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
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

    /// Runs `body` with fd 1 pointing at stderr, then puts stdout back: a command whose own
    /// output is on stdout keeps a guest's output out of it. The saved stdout is one of
    /// Trapeze's own descriptors meanwhile, which the guest cannot write to.
    public static func withStandardOutputOnError<T>(_ body: () -> T) -> T {
        let saved = HostDescriptors.adopt(dup(1))
        guard saved >= 0 else { return body() }
        dup2(2, 1)
        defer {
            dup2(saved, 1)
            HostDescriptors.forget(saved)
            close(saved)
        }
        return body()
    }
}
