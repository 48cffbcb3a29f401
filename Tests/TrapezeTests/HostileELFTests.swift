#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Guest
import Linux
import RISCV
import Testing
import TestSupport
import ELF

/// Malformed programs through `trapeze run`, and the committed fuzz corpus (Fixtures/fuzz, grown
/// by tools/fuzz-run.sh) replayed through the same checks as the libFuzzer harnesses.
@Suite struct HostileELFTests {
    /// A minimal RV64 ELF: header, program headers, then the segment bytes.
    struct Image {
        struct Header { var type: UInt32 = 1, flags: UInt32 = 5, offset: UInt64 = 0x1000, vaddr: UInt64 = 0x10000, filesz: UInt64 = 16, memsz: UInt64 = 16 }
        var type: UInt16 = 2, machine: UInt16 = 243, entry: UInt64 = 0x10000
        var headers = [Header()]
        /// li a0, 42; li a7, 93; ecall — padded; at file offset 0x1000.
        var code: [UInt8] = [0x13, 0x05, 0xa0, 0x02, 0x93, 0x08, 0xd0, 0x05, 0x73, 0x00, 0x00, 0x00]
        var extra: [UInt8] = []

        func bytes() -> [UInt8] {
            func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
            var out: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
            out += le(UInt64(type), 2) + le(UInt64(machine), 2) + le(1, 4) + le(entry, 8) + le(64, 8) + le(0, 8)
            out += le(0, 4) + le(64, 2) + le(56, 2) + le(UInt64(headers.count), 2) + le(64, 2) + le(0, 2) + le(0, 2)
            for h in headers {
                out += le(UInt64(h.type), 4) + le(UInt64(h.flags), 4) + le(h.offset, 8) + le(h.vaddr, 8) + le(h.vaddr, 8)
                out += le(h.filesz, 8) + le(h.memsz, 8) + le(0x1000, 8)
            }
            out += [UInt8](repeating: 0, count: max(0, 0x1000 - out.count))
            return out + code + [UInt8](repeating: 0, count: 0x1000 - code.count) + extra
        }
    }

    func write(_ bytes: [UInt8]) -> String {
        var template = Array("/tmp/trapeze-hostile-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, 0o755)
        close(fd)
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func run(_ bytes: [UInt8]) throws -> ProcessResult {
        let path = write(bytes)
        defer { unlink(path) }
        return try runProcess(Paths.trapeze, ["run", path], timeout: 30)
    }

    @Test func theBaseImageRuns() throws {
        let r = try run(Image().bytes())
        #expect(r.status == 42, "\(r.stderrText)")
    }

    /// Each must be refused before the guest runs: status 126 and one `trapeze:` line.
    @Test func malformedProgramsAreRefusedCleanly() throws {
        var cases: [(String, [UInt8])] = [("empty file", []), ("only the magic", [0x7f, 0x45, 0x4c, 0x46])]
        let good = Image().bytes()
        cases.append(("truncated header", Array(good.prefix(40))))
        cases.append(("truncated program headers", Array(good.prefix(64 + 20))))
        var i = Image(); i.machine = 62
        cases.append(("x86-64 machine", i.bytes()))
        i = Image(); i.type = 1
        cases.append(("relocatable object", i.bytes()))
        i = Image(); i.headers[0].memsz = 1 << 40
        cases.append(("segment of 1 TiB", i.bytes()))
        i = Image(); i.headers[0].vaddr = (1 << 38) - 0x1000; i.headers[0].memsz = 0x10000
        cases.append(("segment running past the guest limit", i.bytes()))
        i = Image(); i.headers[0].vaddr = UInt64.max - 0xfff
        cases.append(("segment wrapping at 2^64", i.bytes()))
        i = Image(); i.headers[0].filesz = 0x100000
        cases.append(("file size beyond the end of the file", i.bytes()))
        i = Image(); i.headers[0].offset = UInt64.max - 4
        cases.append(("file offset wrapping", i.bytes()))
        i = Image(); i.headers[0].filesz = 16; i.headers[0].memsz = 12
        cases.append(("file size above memory size", i.bytes()))
        i = Image(); i.headers = []
        cases.append(("no loadable segment", i.bytes()))
        i = Image(); i.headers = [Image.Header](repeating: Image.Header(), count: 0xffff)
        cases.append(("65535 program headers, all past the end", Array(i.bytes().prefix(0x3000))))
        for (name, interp) in [("nonexistent PT_INTERP", "/nonexistent/ld.so\0"), ("PT_INTERP without NUL", "/lib/ld.so"),
                               ("PT_INTERP is a directory", "/tmp\0"), ("empty PT_INTERP", "\0"),
                               ("PT_INTERP is not an ELF", "/etc/passwd\0")] {
            i = Image()
            i.extra = Array(interp.utf8)
            i.headers.append(.init(type: 3, flags: 4, offset: 0x2000, vaddr: 0, filesz: UInt64(i.extra.count), memsz: UInt64(i.extra.count)))
            cases.append((name, i.bytes()))
        }
        i = Image(); i.extra = Array("/nonexistent\0".utf8)
        i.headers.append(.init(type: 3, flags: 4, offset: 0x2000, vaddr: 0, filesz: 1 << 40, memsz: 1 << 40))
        cases.append(("PT_INTERP of 1 TiB", i.bytes()))
        for (name, bytes) in cases {
            let r = try run(bytes)
            #expect(r.status == 126, "\(name): status \(r.status) \(r.stderrText)")
            let lines = r.stderrText.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("trapeze: "), "\(name): \(r.stderrText)")
        }
    }

    /// Accepted by the loader but broken: the guest dies as Linux would kill it.
    @Test func brokenButLoadableProgramsDieAsGuests() throws {
        var i = Image(); i.entry = 0x50000                          // entry in unmapped memory
        #expect(try run(i.bytes()).status == 139)
        i = Image(); i.headers[0].flags = 6                          // code in a non-executable segment
        #expect(try run(i.bytes()).status == 139)
        i = Image(); i.code = [0xff, 0xff, 0xff, 0xff]               // an illegal instruction
        #expect(try run(i.bytes()).status == 132)
        // Overlapping segments: refused by the loader (Linux would map the later one over the
        // earlier), or run; either way cleanly.
        i = Image(); i.headers.append(.init(type: 1, flags: 6, offset: 0x1000, vaddr: 0x10000, filesz: 4, memsz: 0x2000))
        let r = try run(i.bytes())
        #expect([42, 126].contains(r.status), "overlap: \(r.status) \(r.stderrText)")
        #expect(!r.stderrText.contains("Fatal error"))
    }

    // MARK: Corpus replay

    static func corpus(_ target: String) -> [URL] {
        let dir = Paths.fixtures.appendingPathComponent("fuzz/\(target)")
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func elfCorpusLoadsOrIsRefused() throws {
        let files = HostileELFTests.corpus("elf")
        #expect(files.count > 10)
        let memory = GuestMemory(limit: 1 << 32)
        var loaded = 0, refused = 0
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            do {
                let elf = try ELFFile(bytes: bytes)
                _ = elf.symbolTable()
                let image = try ELFLoader.map(elf, into: memory, base: elf.isPositionIndependent ? 0x1000_0000 : nil)
                #expect(image.low <= image.high && image.high <= memory.limit, "\(url.lastPathComponent)")
                memory.unmap(image.low & ~0xfff, (image.high - (image.low & ~0xfff) + 0xfff) & ~0xfff)
                loaded += 1
            } catch {
                #expect(!error.problem.isEmpty)
                refused += 1
            }
        }
        #expect(loaded > 0 && refused > 0)
    }

    @Test func decodeCorpusRoundTrips() throws {
        let files = HostileELFTests.corpus("decode")
        #expect(files.count > 10)
        var decoded = 0
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            var offset = 0
            while offset + 4 <= bytes.count {
                let word = bytes[offset..<offset + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
                offset += word & 3 == 3 ? 4 : 2
                guard let inst = decode(word) else { continue }
                decoded += 1
                #expect(!disassemble(inst, pc: 0x10000).isEmpty)
                let again = decode(encode(inst))
                #expect(again?.opcode == inst.opcode && again?.rd == inst.rd && again?.rs1 == inst.rs1
                        && again?.rs2 == inst.rs2 && again?.imm == inst.imm, "0x\(String(word, radix: 16))")
            }
        }
        #expect(decoded > 1000)
    }
}
