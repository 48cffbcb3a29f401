#if canImport(Glibc)
import TestSupport
import Glibc
#endif
import Foundation
import Testing

/// The loader against files built to waste its time or memory: it opens only regular files,
/// reads only what it maps, and refuses segments Linux could not map.
@Suite struct HostileLoaderTests {
    func run(_ path: String) throws -> ProcessResult {
        try runProcess(Paths.trapeze, ["run", path], timeout: 30)
    }

    @Test("a FIFO, a device or a directory as the program is refused at once, never a hang")
    func notRegularFiles() throws {
        let fifo = NSTemporaryDirectory() + "trapeze-fifo-\(getpid())"
        unlink(fifo)
        #expect(mkfifo(fifo, 0o700) == 0)
        defer { unlink(fifo) }
        for path in [fifo, "/dev/zero", "/dev/null"] {
            let start = Date()
            let r = try run(path)
            #expect(r.status == 126, "\(path): \(r.status) \(r.stderrText)")
            #expect(r.stderrText.hasPrefix("trapeze: \(path): not a regular file"), "\(r.stderrText)")
            #expect(Date().timeIntervalSince(start) < 10)
        }
    }

    @Test("a program at the start of a sparse 1 TiB file runs without reading the rest")
    func sparseHugeFile() throws {
        let path = NSTemporaryDirectory() + "trapeze-sparse-\(getpid())"
        let program = try Data(contentsOf: URL(fileURLWithPath: HostileTests.fixture("hostile_spin")))
        try program.write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(truncate(path, 1 << 40) == 0)
        let r = try run(path)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "spun 499999500000\n")
    }

    @Test("a segment whose file offset and address disagree within a page is refused")
    func misalignedSegment() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HostileTests.fixture("hostile_spin"))))
        let phoff = Int(bytes[32]) | Int(bytes[33]) << 8
        let phnum = Int(bytes[56])
        for i in 0..<phnum where bytes[phoff + i * 56] == 1 {
            bytes[phoff + i * 56 + 8] &+= 8  // p_offset, low byte
            break
        }
        let path = NSTemporaryDirectory() + "trapeze-misaligned-\(getpid())"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        chmod(path, 0o755)
        let r = try run(path)
        #expect(r.status == 126, "\(r.stderrText)")
        #expect(r.stderrText.contains("disagree modulo the page size"), "\(r.stderrText)")
    }

    @Test("an odd entry point is the instruction-address-misaligned fault (SIGBUS) under every engine",
          arguments: HostileTests.engines)
    func oddEntry(engine: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HostileTests.fixture("hostile_spin"))))
        bytes[24] |= 1  // e_entry, low byte
        let path = NSTemporaryDirectory() + "trapeze-odd-entry-\(getpid())-\(engine.count)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        chmod(path, 0o755)
        let r = try runProcess(Paths.trapeze, ["run"] + engine.split(separator: " ").map(String.init) + [path], timeout: 30)
        #expect(r.status == 135, "[\(engine)] \(r.stderrText)")
        #expect(r.stderrText.contains("instruction address misaligned"), "[\(engine)] \(r.stderrText)")
    }
}
