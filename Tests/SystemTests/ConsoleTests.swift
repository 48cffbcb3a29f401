#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import System

/// HostConsole's output: a line (or 4 KiB) per `write`, what is held written by `flush`, by the
/// console going away and by a flush from another thread, never twice and never out of order.
@Suite struct ConsoleTests {
    /// A console writing into an unlinked temporary file, and a way to read all it holds.
    final class FileSink {
        let fd: Int32
        init() throws {
            var template = Array("/tmp/trapeze-console-XXXXXX".utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            try #require(fd >= 0)
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        }
        deinit { close(fd) }

        var contents: [UInt8] {
            var all: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
            var offset: off_t = 0
            while true {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
                guard n > 0 else { return all }
                all += chunk[..<n]
                offset += off_t(n)
            }
        }
    }

    func send(_ text: String, _ console: HostConsole) { for b in text.utf8 { console.transmit(b) } }

    @Test("a line goes out when it ends, a partial line on flush, 4 KiB without a newline at once")
    func lines() throws {
        let sink = try FileSink()
        let console = HostConsole(input: -1, output: sink.fd)
        send("hello", console)
        #expect(sink.contents.isEmpty)
        send(" world\nnext", console)
        #expect(String(decoding: sink.contents, as: UTF8.self) == "hello world\n")
        console.flush()
        #expect(String(decoding: sink.contents, as: UTF8.self) == "hello world\nnext")
        console.flush()
        #expect(sink.contents.count == 16, "a second flush writes nothing again")
        for _ in 0..<HostConsole.outputChunk { console.transmit(UInt8(ascii: "x")) }
        #expect(sink.contents.count == 16 + HostConsole.outputChunk)
    }

    @Test("a console that goes away writes the line it held")
    func releaseFlushes() throws {
        let sink = try FileSink()
        do {
            let console = HostConsole(input: -1, output: sink.fd)
            send("no newline", console)
        }
        #expect(String(decoding: sink.contents, as: UTF8.self) == "no newline")
    }

    @Test("one thread transmits while another flushes: every byte once, in order")
    func flushFromAnotherThread() async throws {
        let sink = try FileSink()
        let console = HostConsole(input: -1, output: sink.fd)
        let expected: [UInt8] = (0..<300_000).map { (i: Int) -> UInt8 in i % 997 == 996 ? 0x0A : UInt8(0x41 + i % 26) }
        // Only transmit and flush are safe from several threads (input is the hart's alone).
        nonisolated(unsafe) let shared = console
        let writer = Thread { for b in expected { shared.transmit(b) } }
        writer.start()
        while !writer.isFinished { console.flush() }
        console.flush()
        let got = sink.contents
        #expect(got.count == expected.count)
        #expect(got == expected)
    }
}
