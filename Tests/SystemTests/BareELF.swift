#if canImport(Glibc)
import Glibc
#endif

/// Builds small bare-metal ELF64 RISC-V executables: PT_LOAD segments with their own physical
/// addresses, and optionally a symbol table (for HTIF's `tohost` and `fromhost`).
struct BareELF {
    struct Segment {
        var vaddr: UInt64
        var paddr: UInt64
        var bytes: [UInt8]
        var memorySize: UInt64? = nil
    }

    var entry: UInt64 = 0x8000_0000
    var segments: [Segment] = [Segment(vaddr: 0x8000_0000, paddr: 0x8000_0000, bytes: [0x73, 0, 0, 0])]
    var symbols: [(name: String, value: UInt64)] = []

    func build() -> [UInt8] {
        var data: [UInt8] = []
        let dataStart = UInt64(64 + 56 * segments.count)
        func place(_ bytes: [UInt8], align: UInt64) -> UInt64 {
            let pad = (align - (dataStart + UInt64(data.count)) % align) % align
            data += [UInt8](repeating: 0, count: Int(pad))
            let offset = dataStart + UInt64(data.count)
            data += bytes
            return offset
        }
        var programHeaders: [UInt8] = []
        for s in segments {
            let offset = place(s.bytes, align: 16)
            programHeaders += le(1, 4) + le(7, 4) + le(offset, 8) + le(s.vaddr, 8) + le(s.paddr, 8)
            programHeaders += le(UInt64(s.bytes.count), 8) + le(s.memorySize ?? UInt64(s.bytes.count), 8) + le(16, 8)
        }
        var sectionHeaders: [UInt8] = []
        var sectionCount = 0
        var nameTableIndex = 0
        if !symbols.isEmpty {
            // Sections: null, .symtab, .strtab, .shstrtab.
            var strings: [UInt8] = [0]
            var table = [UInt8](repeating: 0, count: 24)
            for s in symbols {
                let name = UInt64(strings.count)
                strings += Array(s.name.utf8) + [0]
                table += le(name, 4) + [0x11, 0] + le(1, 2) + le(s.value, 8) + le(8, 8)  // GLOBAL OBJECT in section 1
            }
            let sectionNames: [UInt8] = Array("\0.symtab\0.strtab\0.shstrtab\0".utf8)
            let tableOffset = place(table, align: 8), stringsOffset = place(strings, align: 1), namesOffset = place(sectionNames, align: 1)
            func header(_ name: UInt64, _ type: UInt64, _ offset: UInt64, _ size: UInt64, link: UInt64, entrySize: UInt64) -> [UInt8] {
                le(name, 4) + le(type, 4) + le(0, 8) + le(0, 8) + le(offset, 8) + le(size, 8) + le(link, 4) + le(1, 4) + le(8, 8) + le(entrySize, 8)
            }
            sectionHeaders = [UInt8](repeating: 0, count: 64)
            sectionHeaders += header(1, 2, tableOffset, UInt64(table.count), link: 2, entrySize: 24)
            sectionHeaders += header(9, 3, stringsOffset, UInt64(strings.count), link: 0, entrySize: 0)
            sectionHeaders += header(17, 3, namesOffset, UInt64(sectionNames.count), link: 0, entrySize: 0)
            sectionCount = 4
            nameTableIndex = 3
        }
        let sectionOffset = sectionCount == 0 ? 0 : place(sectionHeaders, align: 8)
        var out: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        out += le(2, 2) + le(243, 2) + le(1, 4) + le(entry, 8) + le(64, 8) + le(sectionOffset, 8)
        out += le(0, 4) + le(64, 2) + le(56, 2) + le(UInt64(segments.count), 2) + le(64, 2)
        out += le(UInt64(sectionCount), 2) + le(UInt64(nameTableIndex), 2)
        return out + programHeaders + data
    }
}

func le(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

/// A file in the temporary directory holding `bytes`, removed by `remove()`.
struct TempFile {
    let path: String

    init(_ bytes: [UInt8], name: String = "image") {
        path = "/tmp/trapeze-system-\(getpid())-\(name)-\(UInt32.random(in: 0 ... .max))"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func remove() { unlink(path) }
}

/// A RISC-V Linux `Image` header (64 bytes) saying the kernel takes `imageSize` bytes, then `body`.
func linuxImage(imageSize: UInt64, body: [UInt8] = [0x13, 0, 0, 0]) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 64)
    header.replaceSubrange(0x10..<0x18, with: le(imageSize, 8))
    header.replaceSubrange(0x30..<0x38, with: Array("RISCV".utf8) + [0, 0, 0])
    header.replaceSubrange(0x38..<0x3c, with: [0x52, 0x53, 0x43, 0x05])
    return header + body
}
