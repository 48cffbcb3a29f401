#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The host end of the machine's serial console: bytes the guest transmits, and bytes typed for
/// it, read without blocking.
public protocol Console: AnyObject {
    func transmit(_ byte: UInt8)
    /// The next input byte if one is waiting now, else nil (never blocks).
    func receive() -> UInt8?
    /// The byte `receive` would return now, left where it is (never blocks).
    func peek() -> UInt8?
    /// A file descriptor that becomes readable when input arrives, for `poll` while the hart
    /// idles; nil when no more input can come (or none is wanted now).
    var inputDescriptor: Int32? { get }
    /// Reads what the host has for the guest into the console's own buffer, so console commands
    /// (Ctrl-A x) work while the guest reads nothing; the machine calls it now and then.
    func collectInput()
    /// Where a console command that ends the run (Ctrl-A x) leaves its request.
    func connect(_ stops: StopLatch)
    /// Hands what `transmit` still holds to the host (the machine calls it before it idles).
    func flush()
}

extension Console {
    public func peek() -> UInt8? { nil }
    public func collectInput() {}
    public func connect(_ stops: StopLatch) {}
    public func flush() {}
}

/// The console on Trapeze's own stdout and stdin. With `escapes` (stdin is a terminal), Ctrl-A
/// starts a command as in QEMU's `-nographic` console: Ctrl-A x ends the run, Ctrl-A Ctrl-A
/// sends one Ctrl-A, Ctrl-A h prints the commands; other keys after Ctrl-A are dropped. Without
/// it (input from a file or a pipe) every byte goes to the guest as it is.
///
/// Output is written a line at a time (or 4 KiB, whichever comes first), not a `write` per
/// byte: a guest printing 45 KB through the UART spent a sixth of its run in `write`. What a
/// line has so far goes out every millisecond while the hart runs (the machine's input poll),
/// whenever input that may still come is looked for (a prompt), before the hart idles, and
/// when the process exits. The line being gathered has a lock of its own, so a flush at exit
/// never meets a hart thread halfway through `transmit`.
public final class HostConsole: Console {
    private let input: Int32, output: Int32
    private var inputClosed = false
    public let escapes: Bool
    /// Set once Ctrl-A x was typed.
    public private(set) var quitRequested = false
    private var stops: StopLatch?
    /// Input read from the host and not yet taken by the guest, from `head` on.
    private var buffer: [UInt8] = []
    private var head = 0
    private var afterEscape = false

    public static let escapeKey: UInt8 = 0x01  // Ctrl-A
    /// Input read ahead of the guest, at most: past it the host's input waits in its pipe.
    public static let bufferLimit = 4096
    static let help = "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a C-a  sends C-a\r\n"

    /// Transmitted bytes not yet written (`flush`).
    private let pending = Mutex<[UInt8]>([])
    static let outputChunk = 4096
    /// Every console made, flushed when the process exits.
    private static let live = LiveConsoles()

    public init(input: Int32 = 0, output: Int32 = 1, escapes: Bool = false) {
        self.input = input
        self.output = output
        self.escapes = escapes
        pending.withLock { $0.reserveCapacity(Self.outputChunk) }
        Self.live.add(self)
    }

    /// The consoles `exit` flushes (machines may be made on several threads: tests). Held
    /// weakly: a console that is gone flushed what it had (`deinit`).
    private final class LiveConsoles: @unchecked Sendable {
        private struct Entry { weak var console: HostConsole? }
        private var consoles: [Entry] = []
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

        init() {
            pthread_mutex_init(lock, nil)
            atexit { HostConsole.live.flushAll() }
        }

        func add(_ console: HostConsole) {
            pthread_mutex_lock(lock)
            consoles.removeAll { $0.console == nil }
            consoles.append(Entry(console: console))
            pthread_mutex_unlock(lock)
        }

        /// A console whose line is locked by a thread still running (exit from another
        /// thread) is left alone rather than waited for: that thread may be blocked in `write`.
        func flushAll() {
            pthread_mutex_lock(lock)
            for entry in consoles { entry.console?.flushIfFree() }
            pthread_mutex_unlock(lock)
        }
    }

    public func connect(_ stops: StopLatch) { self.stops = stops }

    deinit { flush() }

    public func transmit(_ byte: UInt8) {
        pending.withLock { line in
            line.append(byte)
            if byte == 0x0A || line.count >= Self.outputChunk { write(&line) }
        }
    }

    public func flush() { pending.withLock { write(&$0) } }

    private func flushIfFree() { _ = pending.withLockIfAvailable { write(&$0) } }

    /// Writes `line` out and empties it.
    private func write(_ line: inout [UInt8]) {
        var done = 0
        while done < line.count {
            let n = line.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        line.removeAll(keepingCapacity: true)
    }

    private var buffered: Int { buffer.count - head }

    public func receive() -> UInt8? {
        if buffered == 0 { collectInput() }
        guard buffered > 0 else { return nil }
        let b = buffer[head]
        head += 1
        if head == buffer.count { buffer.removeAll(keepingCapacity: true); head = 0 }
        return b
    }

    public func peek() -> UInt8? {
        if buffered == 0 { collectInput() }
        return buffered > 0 ? buffer[head] : nil
    }

    public func collectInput() {
        // The guest may be waiting for an answer to what it wrote (a prompt).
        if !inputClosed, !quitRequested { flush() }
        var chunk = [UInt8](repeating: 0, count: 256)
        while !inputClosed, !quitRequested, buffered < Self.bufferLimit {
            var p = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&p, 1, 0) == 1 else { return }
            let want = min(chunk.count, Self.bufferLimit - buffered)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress!, want) }
            if n > 0 {
                for b in chunk[..<n] { accept(b) }
                continue
            }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
            // End of input, or an error: stop asking, so an idle hart does not wake on a
            // descriptor that stays readable forever.
            inputClosed = true
        }
    }

    /// One byte from the host, through the Ctrl-A commands when they are on.
    private func accept(_ b: UInt8) {
        guard escapes else { buffer.append(b); return }
        if !afterEscape {
            if b == Self.escapeKey { afterEscape = true } else { buffer.append(b) }
            return
        }
        afterEscape = false
        switch b {
        case Self.escapeKey: buffer.append(b)
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            quitRequested = true
            stops?.request(.exit(0))
        case UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "?"):
            for c in Self.help.utf8 { transmit(c) }
        default: break
        }
    }

    /// Nil once input ended, after Ctrl-A x, and while the buffer is full (the guest is not
    /// reading: waking for more would spin).
    public var inputDescriptor: Int32? { inputClosed || quitRequested || buffered >= Self.bufferLimit ? nil : input }
}
