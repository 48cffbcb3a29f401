#if canImport(Glibc)
import Glibc
#endif

/// The host end of the machine's serial console: bytes the guest transmits, and bytes typed for
/// it, read without blocking.
public protocol Console: AnyObject {
    func transmit(_ byte: UInt8)
    /// The next input byte if one is waiting now, else nil (never blocks).
    func receive() -> UInt8?
    /// A file descriptor that becomes readable when input arrives, for `poll` while the hart
    /// idles; nil when no more input can come.
    var inputDescriptor: Int32? { get }
}

/// The console on Trapeze's own stdout and stdin.
public final class HostConsole: Console {
    private let input: Int32, output: Int32
    private var inputClosed = false

    public init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    public func transmit(_ byte: UInt8) {
        var b = byte
        while Glibc.write(output, &b, 1) < 0 && errno == EINTR {}
    }

    public func receive() -> UInt8? {
        guard !inputClosed else { return nil }
        var p = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) == 1 else { return nil }
        var b: UInt8 = 0
        let n = Glibc.read(input, &b, 1)
        if n == 1 { return b }
        // End of input, or an error other than an interruption: stop asking, so an idle hart
        // does not wake on a descriptor that stays readable forever.
        if n == 0 || errno != EINTR && errno != EAGAIN { inputClosed = true }
        return nil
    }

    public var inputDescriptor: Int32? { inputClosed ? nil : input }
}
