#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// The gdb stub's socket: one TCP connection on the loopback address, read by a thread of its
/// own (so that gdb's Ctrl-C reaches a running guest) and answered by the guest's thread.
public final class GDBServer: @unchecked Sendable {
    /// What the reader passes to the guest's thread.
    enum Incoming { case packet([UInt8]), disconnected }

    /// The port listened on (the one asked for, or the one the system chose for port 0).
    public let port: UInt16
    private let listener: Int32
    private var client: Int32 = -1
    private let sendLock = Mutex<Void>(())
    private let acknowledging = Atomic<Bool>(true)
    private let queue = Mutex<[Incoming]>([])
    private let ready = DispatchSemaphore(value: 0)
    /// The last reply sent, for a `-` (resend) from gdb.
    private let lastSent = Mutex<[UInt8]>([])

    /// Listens on 127.0.0.1:`port` (0: any free port).
    public init(port: UInt16) throws(TrapezeError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TrapezeError("gdb: cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian  // loopback only: no remote debugging of this host
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TrapezeError("gdb: cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(listener)
        if client >= 0 { close(client) }
    }

    /// Blocks until gdb connects; starts the reader. `interrupt` runs on the reader's thread.
    public func accept(interrupt: @escaping @Sendable () -> Void) throws(TrapezeError) {
        var accepted: Int32
        repeat { accepted = Glibc.accept(listener, nil, nil) } while accepted < 0 && errno == EINTR
        guard accepted >= 0 else { throw TrapezeError("gdb: accept failed: \(String(cString: strerror(errno)))") }
        let fd = accepted
        // Not inherited by a program the guest execs (Trapeze re-executes itself for those).
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        client = fd
        let thread = DispatchQueue(label: "trapeze.gdb.reader")
        thread.async { [self] in read(fd, interrupt: interrupt) }
    }

    /// Closes the connection without a word (a forked guest child drops its parent's debugger).
    public func abandon() {
        if client >= 0 { close(client) }
        client = -1
        close(listener)
    }

    private func read(_ fd: Int32, interrupt: @Sendable () -> Void) {
        var framer = RSPFramer()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            for event in framer.feed(buffer[0..<n]) {
                switch event {
                case .packet(let payload):
                    if acknowledging.load(ordering: .acquiring) { send([UInt8(ascii: "+")]) }
                    push(.packet(payload))
                case .corrupt: send([UInt8(ascii: "-")])
                case .interrupt: interrupt()
                case .nack: send(lastSent.withLock { $0 })
                case .ack: break
                }
            }
        }
        push(.disconnected)
        interrupt()
    }

    private func push(_ item: Incoming) {
        queue.withLock { $0.append(item) }
        ready.signal()
    }

    private func next() -> Incoming {
        ready.wait()
        return queue.withLock { $0.removeFirst() }
    }

    private func send(_ bytes: [UInt8]) {
        sendLock.withLock { _ in
            var done = 0
            while done < bytes.count {
                // MSG_NOSIGNAL: a gdb that went away must not raise SIGPIPE, which the guest would get.
                let n = bytes[done...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }

    /// How the conversation ended.
    public enum End: Equatable, Sendable {
        /// The session closed it (the guest exited, was killed, or gdb detached).
        case closed
        /// gdb went away without a word.
        case disconnected
    }

    /// Answers gdb's packets with `session` until one of them ends the conversation.
    public func serve(_ session: GDBSession) -> End {
        while true {
            switch next() {
            case .disconnected: return .disconnected
            case .packet(let payload):
                let reply = session.handle(payload)
                acknowledging.store(session.acknowledging, ordering: .releasing)
                for packet in reply.packets {
                    let frame = RSPFramer.frame(packet)
                    lastSent.withLock { $0 = frame }
                    send(frame)
                }
                if reply.close {
                    shutdown(client, Int32(SHUT_RDWR))
                    return .closed
                }
            }
        }
    }
}
