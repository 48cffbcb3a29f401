import Foundation
import Guest
import Testing
import Trapeze

/// The gdb stub over a real loopback socket, with a hand-written client: acknowledgements,
/// corrupt packets, no-ack mode, and a client that goes away.
@Suite(.serialized) struct GDBServerTests {
    /// Serves `fixture` on a free port on a thread of its own; `client` talks to it; returns how the guest ended.
    func serve(_ arguments: [String] = [], _ client: (Client) throws -> Void) throws -> Guest.ExitStatus? {
        let guest = try loadFixture("gdb_loop", engine: .jit, arguments: arguments)
        let server = try GDBServer(port: 0)
        nonisolated(unsafe) var status: Guest.ExitStatus?
        nonisolated(unsafe) let unsafeGuest = guest
        let done = DispatchSemaphore(value: 0)
        Thread {
            status = try? GDBStub.run(unsafeGuest, server)
            done.signal()
        }.start()
        let connection = try Client(port: server.port)
        try client(connection)
        connection.close()
        #expect(done.wait(timeout: .now() + 30) == .success)
        return status
    }

    @Test("noise and a bad checksum get `-`, a good packet `+` and its reply; a vanished client leaves the guest running to its end")
    func disconnect() throws {
        let status = try serve { c in
            c.send("garbage$g#00")
            #expect(c.receive(1) == "-")
            c.send("$?#3f")
            #expect(c.receive(1) == "+")
            #expect(c.receivePacket().hasPrefix("$T05thread:"))
            c.send("+$m0,ffffffffffffffff#00")  // corrupt again, then the client just goes
            #expect(c.receive(1) == "-")
        }
        #expect(status == .exited(6))
    }

    @Test("in no-ack mode replies come bare; the guest's exit ends the conversation")
    func noAck() throws {
        let status = try serve { c in
            c.sendPacket("QStartNoAckMode")
            #expect(c.receive(7) == "+$OK#9a")
            c.sendPacket("vCont;c")
            #expect(c.receive(7) == "$W06#bd")
            #expect(c.receive(1) == "")  // closed
        }
        #expect(status == .exited(6))
    }

    @Test("Ctrl-C stops the running guest, k kills it")
    func interruptAndKill() throws {
        let status = try serve(["spin"]) { c in
            c.sendPacket("c")
            #expect(c.receive(1) == "+")
            usleep(200_000)
            c.send("\u{3}")
            #expect(c.receive(4).hasPrefix("$T02"))
            c.sendPacket("k")
        }
        #expect(status == .signaled(SIGKILL))
    }
}

/// A minimal gdb: writes raw bytes, reads with a timeout.
final class Client {
    let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func sendPacket(_ payload: String) {
        send(String(decoding: RSPFramer.frame(Array(payload.utf8)), as: UTF8.self))
    }

    /// Up to `count` bytes: fewer if the connection closes or nothing comes for 20 s.
    func receive(_ count: Int) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < count, Glibc.recv(fd, &byte, 1, 0) == 1 { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One whole packet: through `#` and the two checksum digits.
    func receivePacket() -> String {
        var text = ""
        while !text.hasSuffix("#") {
            let c = receive(1)
            if c.isEmpty { return text }
            text += c
        }
        return text + receive(2)
    }

    func close() { Glibc.close(fd) }
}
