#if canImport(Glibc)
import Glibc
#endif
import Guest
import JIT

/// Writes the map Linux `perf report` reads to name samples in JIT code (`trapeze run --perf-map`):
/// `/tmp/perf-PID.map`, one `START SIZE name` line per piece of code, in hex without `0x`, e.g.
/// `7f3a1c000040 5e guest:0x100b0 _start+0x0`.
///
/// Lines are appended as blocks are translated and flushed one by one, so the file is complete
/// whenever perf reads it and nothing is buffered twice across a guest `fork`. A forked child
/// gets its own cache and so its own file. Every thread of a process has a code cache of its own
/// and writes to the one map (each line is one locked `fputs`). After a cache flush new code reuses old addresses;
/// perf then sees two names for one range (use a larger `--jit-cache-size` to avoid flushes).
public final class PerfMap: JITObserver {
    public let symbols: GuestSymbols
    /// Where the file goes: `/tmp` for perf; tests choose another place.
    private let directory: String
    private var file: UnsafeMutablePointer<FILE>?
    private var owner: pid_t = 0
    public private(set) var path: String = ""

    /// Opens (replacing) the map of the current process in `directory`; nil if it cannot.
    public init?(symbols: GuestSymbols, directory: String = "/tmp") {
        self.symbols = symbols
        self.directory = directory
        guard open() else { return nil }
    }

    deinit { if let file { PerfMap.close(file) } }

    /// Closes a stream on one of Trapeze's own descriptors.
    static func close(_ file: UnsafeMutablePointer<FILE>) {
        HostDescriptors.forget(fileno(file))
        fclose(file)
    }

    public static func path(directory: String = "/tmp", pid: pid_t) -> String { "\(directory)/perf-\(pid).map" }

    private func open() -> Bool {
        if let file { PerfMap.close(file) }  // a parent's stream: flushed after every line, so nothing pending
        owner = getpid()
        path = PerfMap.path(directory: directory, pid: owner)
        // A fresh file, never one planted at that name in the shared /tmp (a symlink, say).
        unlink(path)
        // Trapeze's own descriptor, out of the guest's sight and reach.
        let fd = HostDescriptors.adopt(Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644))
        guard fd >= 0 else { file = nil; return false }
        file = fdopen(fd, "w")
        return file != nil
    }

    public func jitEmittedStubs(host: UInt64, size: Int) {
        write(host, size, "trapeze:stubs (prologue, epilogue)")
    }

    public func jitTranslated(guestStart: UInt64, guestEnd: UInt64, host: UInt64, size: Int) {
        write(host, size, PerfMap.name(guestStart, symbols))
    }

    /// `guest:0x100b0 _start+0x0`, or `guest:0x100b0` where no symbol is known.
    public static func name(_ guest: UInt64, _ symbols: GuestSymbols) -> String {
        let base = "guest:0x" + String(guest, radix: 16)
        return symbols.describe(guest).map { base + " " + $0 } ?? base
    }

    private func write(_ host: UInt64, _ size: Int, _ name: String) {
        if getpid() != owner, !open() { return }
        guard let file else { return }
        fputs("\(String(host, radix: 16)) \(String(size, radix: 16)) \(name)\n", file)
        fflush(file)
    }
}
