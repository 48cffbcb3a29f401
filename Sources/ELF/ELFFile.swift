#if canImport(Glibc)
import Glibc
#endif
import Guest

/// One ELF64 program header.
public struct ProgramHeader: Equatable, Sendable {
    public static let load: UInt32 = 1, interp: UInt32 = 3, note: UInt32 = 4, phdr: UInt32 = 6
    public static let gnuStack: UInt32 = 0x6474_e551

    public var type: UInt32
    /// PF_X = 1, PF_W = 2, PF_R = 4.
    public var flags: UInt32
    public var offset: UInt64
    public var vaddr: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    public var align: UInt64
    /// p_paddr: where a bare-metal image's segment goes in physical memory (system mode).
    public var physicalAddress: UInt64 = 0

    /// The guest page permissions this segment asks for (PF_R/W/X map onto PROT_READ/WRITE/EXEC).
    public var pageFlags: PageFlags {
        PageFlags(prot: Int32((flags & 4 != 0 ? 1 : 0) | (flags & 2 != 0 ? 2 : 0) | (flags & 1 != 0 ? 4 : 0)))
    }
}

/// One ELF64 section header with its resolved name.
public struct SectionHeader: Equatable, Sendable {
    public static let symtab: UInt32 = 2, strtab: UInt32 = 3, dynsym: UInt32 = 11
    public var name: String
    public var type: UInt32
    public var flags: UInt64
    public var address: UInt64
    public var offset: UInt64
    public var size: UInt64
    public var link: UInt32
    public var entrySize: UInt64
}

/// A parsed, validated ELF64 little-endian RISC-V file.
///
/// Validation follows what the Linux loader needs: the header, the program header table and each
/// segment's file range must be sound, or `init` throws a `LoaderError` naming the first problem.
/// Section headers are optional to Linux, so a damaged section table only loses symbols.
public struct ELFFile: Sendable {
    public static let machineRISCV: UInt16 = 243
    public static let typeExecutable: UInt16 = 2, typeShared: UInt16 = 3

    public let path: String
    /// The file's bytes (mapped from the file when read by path: ELFBytes).
    public let bytes: ELFBytes
    public let type: UInt16
    public let machine: UInt16
    public let flags: UInt32
    public let entry: UInt64
    public let programHeaderOffset: UInt64
    public let programHeaders: [ProgramHeader]
    public let sections: [SectionHeader]
    /// The PT_INTERP path (the dynamic linker), if any.
    public let interpreter: String?

    /// True for ET_DYN: position-independent, loaded at a base Trapeze chooses.
    public var isPositionIndependent: Bool { type == ELFFile.typeShared }
    public var loadSegments: [ProgramHeader] { programHeaders.filter { $0.type == ProgramHeader.load } }

    public init(bytes: [UInt8], path: String = "") throws(LoaderError) {
        try self.init(contents: ELFBytes(bytes), path: path)
    }

    public init(contents bytes: ELFBytes, path: String = "") throws(LoaderError) {
        self.path = path
        self.bytes = bytes
        let r = ByteReader(bytes: bytes)
        func fail(_ problem: String) -> LoaderError { LoaderError(path, problem) }

        guard bytes.count >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw fail("not an ELF file")
        }
        guard bytes.count >= 64 else { throw fail("truncated ELF header") }
        switch bytes[4] {
        case 2: break
        case 1: throw fail("32-bit ELF, not ELF64")
        default: throw fail("bad ELF class \(bytes[4])")
        }
        switch bytes[5] {
        case 1: break
        case 2: throw fail("big-endian ELF, not little-endian")
        default: throw fail("bad ELF data encoding \(bytes[5])")
        }
        guard bytes[6] == 1 else { throw fail("bad ELF version \(bytes[6])") }

        // The header is 64 bytes and the file has at least that many, so these reads succeed.
        type = r.u16(16) ?? 0
        machine = r.u16(18) ?? 0
        entry = r.u64(24) ?? 0
        programHeaderOffset = r.u64(32) ?? 0
        let sectionHeaderOffset = r.u64(40) ?? 0
        flags = r.u32(48) ?? 0
        let phentsize = r.u16(54) ?? 0
        let phnum = r.u16(56) ?? 0
        let shentsize = r.u16(58) ?? 0
        let shnum = r.u16(60) ?? 0
        let shstrndx = r.u16(62) ?? 0

        guard machine == ELFFile.machineRISCV else {
            throw fail("ELF for machine \(ELFFile.machineName(machine)), not RISC-V")
        }
        switch type {
        case ELFFile.typeExecutable, ELFFile.typeShared: break
        case 1: throw fail("relocatable object, not an executable")
        case 4: throw fail("core dump, not an executable")
        default: throw fail("bad ELF type \(type)")
        }
        if flags & 0x8 != 0 { throw fail("RV32E/RV64E program, not RV64GC") }
        guard phnum > 0 else { throw fail("no program headers") }
        guard phentsize == 56 else { throw fail("bad program header size \(phentsize)") }
        guard r.has(programHeaderOffset, UInt64(phnum) * 56) else { throw fail("truncated program header table") }

        var headers: [ProgramHeader] = []
        headers.reserveCapacity(Int(phnum))
        for i in 0..<UInt64(phnum) {
            let o = programHeaderOffset + i * 56
            headers.append(ProgramHeader(
                type: r.u32(o) ?? 0, flags: r.u32(o + 4) ?? 0, offset: r.u64(o + 8) ?? 0,
                vaddr: r.u64(o + 16) ?? 0, fileSize: r.u64(o + 32) ?? 0,
                memorySize: r.u64(o + 40) ?? 0, align: r.u64(o + 48) ?? 0, physicalAddress: r.u64(o + 24) ?? 0))
        }
        programHeaders = headers

        var previousEnd: UInt64? = nil
        for h in headers where h.type == ProgramHeader.load {
            guard h.fileSize <= h.memorySize else { throw fail("segment file size larger than its memory size") }
            guard r.has(h.offset, h.fileSize) else { throw fail("segment outside file") }
            let (end, overflow) = h.vaddr.addingReportingOverflow(h.memorySize)
            guard !overflow else { throw fail("segment address overflows") }
            if let previousEnd, h.vaddr < previousEnd { throw fail("overlapping or unordered segments") }
            previousEnd = end
        }
        guard previousEnd != nil else { throw fail("no loadable segments") }

        let interps = headers.filter { $0.type == ProgramHeader.interp }
        guard interps.count <= 1 else { throw fail("more than one PT_INTERP") }
        if let h = interps.first {
            guard h.fileSize > 1, h.fileSize < 4096, let s = r.slice(h.offset, h.fileSize), s.last == 0,
                  let name = r.cString(h.offset), !name.isEmpty, UInt64(name.utf8.count) == h.fileSize - 1 else {
                throw fail("bad PT_INTERP")
            }
            interpreter = name
        } else {
            interpreter = nil
        }

        sections = ELFFile.parseSections(r, offset: sectionHeaderOffset, count: shnum, entrySize: shentsize, names: shstrndx)
    }

    /// Section headers matter only for symbols, so any inconsistency yields no sections.
    private static func parseSections(_ r: ByteReader, offset: UInt64, count: UInt16, entrySize: UInt16,
                                      names: UInt16) -> [SectionHeader] {
        guard count > 0, entrySize == 64, r.has(offset, UInt64(count) * 64) else { return [] }
        var raw: [SectionHeader] = []
        var nameOffsets: [UInt64] = []
        for i in 0..<UInt64(count) {
            let o = offset + i * 64
            nameOffsets.append(UInt64(r.u32(o) ?? 0))
            raw.append(SectionHeader(
                name: "", type: r.u32(o + 4) ?? 0, flags: r.u64(o + 8) ?? 0, address: r.u64(o + 16) ?? 0,
                offset: r.u64(o + 24) ?? 0, size: r.u64(o + 32) ?? 0, link: r.u32(o + 40) ?? 0,
                entrySize: r.u64(o + 56) ?? 0))
        }
        if Int(names) < raw.count, r.has(raw[Int(names)].offset, raw[Int(names)].size) {
            let table = raw[Int(names)]
            for i in raw.indices where nameOffsets[i] < table.size {
                raw[i].name = r.cString(table.offset + nameOffsets[i], limit: table.offset + table.size) ?? ""
            }
        }
        return raw
    }

    static func machineName(_ m: UInt16) -> String {
        switch m {
        case 2: "SPARC"
        case 3: "i386"
        case 8: "MIPS"
        case 20: "PowerPC"
        case 21: "PowerPC64"
        case 22: "S/390"
        case 40: "ARM"
        case 62: "x86-64"
        case 183: "AArch64"
        case 243: "RISC-V"
        case 258: "LoongArch"
        default: "\(m)"
        }
    }
}
