import Linux
import RISCV
import ELF

/// An objdump-style listing of a riscv64 ELF's executable sections, with symbol headers and
/// `<symbol+offset>` on branch targets.
public enum ProgramListing {
    static let executableFlag: UInt64 = 0x4
    static let progbits: UInt32 = 1

    /// objdump's choice of CSR names: 1.12 for a file without `.riscv.attributes`; with them, 1.12
    /// only when Tag_priv_spec says 1.12 or later (an attribute section without the tag, as the
    /// assembler writes for a plain .S, means 1.11, like GCC 12's own 1.11 tag).
    static func privilegedSpec(of elf: ELFFile) -> PrivilegedSpec {
        guard let attributes = elf.riscvAttributes else { return .v1_12 }
        guard let spec = attributes.privSpec, let named = PrivilegedSpec(major: spec.major, minor: spec.minor) else {
            return .v1_11
        }
        return named
    }

    /// The hint extensions objdump names for this file: those its arch attribute lists (none
    /// without one: objdump 2.40's default is rv64gc).
    static func hints(of elf: ELFFile) -> ExtensionSet {
        let names = (elf.riscvAttributes?.arch ?? "").split(separator: "_").map { part in
            String(part.prefix { !$0.isNumber })
        }
        return ExtensionSet([Extension.zihintpause, .zicbop, .zihintntl].filter { names.contains($0.name) })
    }

    /// `cpu`: list as that hart decodes (its hint names; what it lacks as `.4byte`/`.2byte`);
    /// nil follows the file's arch attribute for hint names and decodes everything, as objdump does.
    public static func lines(path: String, cpu: CPUModel? = nil) throws(TrapezeError) -> [String] {
        let elf: ELFFile
        do {
            elf = try ELFFile(path: path)
        } catch {
            throw TrapezeError(error.description, status: 126)
        }
        let symbols = ListingSymbols(elf)
        var dis = Disassembler(globalPointer: symbols.globalPointer)
        dis.privilegedSpec = privilegedSpec(of: elf)
        dis.hints = hints(of: elf)
        if let cpu {
            dis.cpu = cpu
            dis.hints = cpu.extensions.intersection(ExtensionSet([.zihintpause, .zicbop, .zihintntl]))
        }
        var out = ["", "\(path):     file format elf64-littleriscv", ""]
        for section in elf.sections where section.flags & executableFlag != 0 && section.type == progbits && section.size > 0 {
            out += ["", "Disassembly of section \(section.name):"]
            let start = Int(section.offset), end = section.address + section.size
            guard start >= 0, start + Int(section.size) <= elf.bytes.count else { continue }
            dis.symbolize = { vma in symbols.describe(vma, section: section) }
            // objdump's walk: a header at the section start for the closest symbol in the section,
            // then one at each later valid symbol of the section, first in its order at each address.
            let layout = SectionLayout(section, symbols)
            var place = symbols.find(section.address, in: section.name, requireSection: true)
            var symbol = place
            var address = section.address
            while address < end {
                // A section whose first symbol starts past its start (a PLT: its header has none)
                // opens with the section's own name.
                let named = symbol.flatMap { symbols.sorted[$0].value <= address ? $0 : nil }
                out += ["", hex16(address) + " <" + symbols.name(address, symbol: named, section: section.name, sectionAddress: section.address) + ">:"]
                var next: Int? = nil
                if let s = symbol, symbols.sorted[s].value > address {
                    next = s
                } else if let s = symbol, var p = place {
                    let value = symbols.sorted[s].value
                    while p < symbols.sorted.count
                            && !(symbols.sorted[p].section == section.name && symbols.sorted[p].value > value && symbols.valid(p)) { p += 1 }
                    place = p
                    next = p < symbols.sorted.count ? p : nil
                }
                var stop: UInt64
                if let s = symbol, symbols.sorted[s].value > address {
                    stop = symbols.sorted[s].value
                } else {
                    stop = next.map { symbols.sorted[$0].value } ?? end
                }
                if stop > end || stop <= address { stop = end }
                let bytes = Array(elf.bytes[(start + Int(address - section.address))..<(start + Int(stop - section.address))])
                out += listing(bytes, at: address, &dis, layout)
                address = stop
                symbol = next
            }
        }
        return out
    }

    /// objdump -d's rule for zero bytes: a run of at least 8 (mid-region, in multiples of 4) or a
    /// run of fewer than 3 that reaches the end of the region is shown as `...`, not disassembled.
    /// Elsewhere each line is an instruction, or a `.word`-style directive where `layout` says the
    /// bytes are data.
    static func listing(_ bytes: [UInt8], at address: UInt64, _ dis: inout Disassembler, _ layout: SectionLayout) -> [String] {
        var out: [String] = []
        var i = 0
        while i < bytes.count {
            var z = i
            while z < bytes.count && bytes[z] == 0 { z += 1 }
            let run = z - i
            if run >= 8 || (z == bytes.count && run > 0 && run < 3) {
                out.append("\t...")
                i = z == bytes.count ? z : i + (run & ~3)
                continue
            }
            let pc = address + UInt64(i)
            if let length = layout.dataLength(at: pc) {
                let n = min(length, bytes.count - i)
                out.append(layout.dataLine(Array(bytes[i..<(i + n)]), at: pc))
                i += n
            } else {
                let n = bytes[i] & 3 == 3 ? 4 : 2
                out += dis.listing(of: Array(bytes[i..<min(i + n, bytes.count)]), at: pc).map(layout.widenAddress)
                i += n
            }
        }
        return out
    }

    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }
}
