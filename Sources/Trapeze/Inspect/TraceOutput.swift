#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Where `--trace` lines go: stderr or a file, fully buffered (a line per instruction is a lot
/// of output).
public final class TraceOutput {
    private let file: UnsafeMutablePointer<FILE>
    private let owned: Bool

    /// stderr when `path` is nil. Returns nil if the file cannot be created.
    public init?(path: String?) {
        if let path {
            // Trapeze's own descriptor, out of the guest's sight and reach, and not inherited
            // by a host program the guest executes.
            let fd = HostDescriptors.adopt(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666))
            guard fd >= 0 else { return nil }
            guard let f = fdopen(fd, "w") else {
                HostDescriptors.forget(fd)
                close(fd)
                return nil
            }
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
        if owned {
            HostDescriptors.forget(fileno(file))
            fclose(file)
        } else {
            fflush(file)
        }
    }

    public func write(_ line: String) {
        fputs(line, file)
        fputc(0x0a, file)
    }

    public func flush() { fflush(file) }
}
