#if canImport(Glibc)
import Glibc
#endif

/// Where `--trace` lines go: stderr or a file, fully buffered (a line per instruction is a lot
/// of output).
public final class TraceOutput {
    private let file: UnsafeMutablePointer<FILE>
    private let owned: Bool

    /// stderr when `path` is nil. Returns nil if the file cannot be created.
    public init?(path: String?) {
        if let path {
            guard let f = fopen(path, "w") else { return nil }
            file = f
            owned = true
        } else {
            // A stream of our own on fd 2 (never closed), so its buffering is ours to choose.
            guard let f = fdopen(2, "w") else { return nil }
            file = f
            owned = false
        }
        setvbuf(file, nil, _IOFBF, 1 << 16)
    }

    deinit {
        if owned { fclose(file) } else { fflush(file) }
    }

    public func write(_ line: String) {
        fputs(line, file)
        fputc(0x0a, file)
    }

    public func flush() { fflush(file) }
}
