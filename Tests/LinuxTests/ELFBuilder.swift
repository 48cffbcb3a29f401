#if canImport(Glibc)
import Glibc
#endif

/// Builds small ELF64 RISC-V files for the tests: a header, the program header table right after
/// it, then each segment's bytes at a page-aligned offset.
struct ELFBuilder {
    struct Segment {
        var type: UInt32 = 1
        var flags: UInt32 = 5
        var vaddr: UInt64
        var bytes: [UInt8]
        var memorySize: UInt64? = nil
    }

    var type: UInt16 = 2
    var machine: UInt16 = 243
    var entry: UInt64 = 0x10000
    var segments: [Segment] = [Segment(vaddr: 0x10000, bytes: [0x73, 0, 0, 0])]
    var interpreter: String? = nil
    var gnuStackFlags: UInt32? = 6

    func build() -> [UInt8] {
        var headers: [(type: UInt32, flags: UInt32, offset: UInt64, vaddr: UInt64, filesz: UInt64, memsz: UInt64)] = []
        var data: [UInt8] = []
        let phnum = segments.count + (interpreter == nil ? 0 : 1) + (gnuStackFlags == nil ? 0 : 1)
        let dataStart = UInt64(64 + 56 * phnum)
        // At an offset congruent to `residue` modulo `align`: a segment's offset and address
        // must agree within a page, as Linux's loader requires.
        func place(_ bytes: [UInt8], align: UInt64, residue: UInt64 = 0) -> UInt64 {
            var offset = dataStart + UInt64(data.count)
            let pad = (align + residue % align - offset % align) % align
            data += [UInt8](repeating: 0, count: Int(pad))
            offset += pad
            data += bytes
            return offset
        }
        if let interpreter {
            let bytes = Array(interpreter.utf8) + [0]
            headers.append((3, 4, place(bytes, align: 1), 0, UInt64(bytes.count), UInt64(bytes.count)))
        }
        for s in segments {
            let offset = place(s.bytes, align: 4096, residue: s.vaddr % 4096)
            headers.append((s.type, s.flags, offset, s.vaddr, UInt64(s.bytes.count), s.memorySize ?? UInt64(s.bytes.count)))
        }
        if let gnuStackFlags { headers.append((0x6474_e551, gnuStackFlags, 0, 0, 0, 0)) }

        var out: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        out += le(UInt64(type), 2) + le(UInt64(machine), 2) + le(1, 4) + le(entry, 8) + le(64, 8) + le(0, 8)
        out += le(0, 4) + le(64, 2) + le(56, 2) + le(UInt64(phnum), 2) + le(64, 2) + le(0, 2) + le(0, 2)
        for h in headers {
            out += le(UInt64(h.type), 4) + le(UInt64(h.flags), 4) + le(h.offset, 8) + le(h.vaddr, 8) + le(h.vaddr, 8)
            out += le(h.filesz, 8) + le(h.memsz, 8) + le(4096, 8)
        }
        return out + data
    }
}

func le(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

func readLE(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
    (0..<width).reversed().reduce(0) { $0 << 8 | UInt64(bytes[offset + $1]) }
}

/// A fresh file in a private temporary directory.
func temporaryFile(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o755) -> String {
    var template = Array("/tmp/trapeze-linux-XXXXXX".utf8CString)
    let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    let path = dir + "/" + name
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    chmod(path, mode)
    return path
}
