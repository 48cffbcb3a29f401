import Linux
import RISCV

/// An objdump-style listing of a riscv64 ELF's executable sections, with symbol headers and
/// `<symbol+offset>` on branch targets.
public enum ProgramListing {
    static let executableFlag: UInt64 = 0x4
    static let progbits: UInt32 = 1

    public static func lines(path: String) throws(TrapezeError) -> [String] {
        let elf: ELFFile
        do {
            elf = try ELFFile(path: path)
        } catch {
            throw TrapezeError(error.description, status: 126)
        }
        let symbols = elf.symbolTable()
        // Symbol headers: every named symbol that starts a code address (objdump breaks at each).
        var starts: [UInt64: String] = [:]
        for s in symbols.symbols where !s.name.isEmpty && !s.name.hasPrefix("$") {
            if starts[s.address] == nil || s.isFunction { starts[s.address] = s.name }
        }
        var dis = Disassembler(symbolize: { address in
            guard let (name, offset) = symbols.symbol(containing: address) else { return nil }
            return offset == 0 ? name : "\(name)+0x\(String(offset, radix: 16))"
        })
        var out = ["", "\(path):     file format elf64-littleriscv", ""]
        for section in elf.sections where section.flags & executableFlag != 0 && section.type == progbits && section.size > 0 {
            out += ["", "Disassembly of section \(section.name):"]
            let start = Int(section.offset), end = start + Int(section.size)
            guard start >= 0, end <= elf.bytes.count, start <= end else { continue }
            // Split the section at symbol starts so each symbol gets its header.
            let cuts = starts.keys.filter { $0 >= section.address && $0 < section.address + section.size }.sorted()
            var pieces: [(UInt64, UInt64)] = []
            var from = section.address
            for c in cuts where c > from {
                pieces.append((from, c))
                from = c
            }
            pieces.append((from, section.address + section.size))
            for (lo, hi) in pieces {
                if let name = starts[lo] {
                    out += ["", hex16(lo) + " <\(name)>:"]
                }
                let bytes = Array(elf.bytes[(start + Int(lo - section.address))..<(start + Int(hi - section.address))])
                out += listing(bytes, at: lo, &dis)
            }
        }
        return out
    }

    /// objdump -d's rule for zero bytes: a run of at least 8 (mid-region, in multiples of 4) or a
    /// run of fewer than 3 that reaches the end of the region is shown as `...`, not disassembled.
    static func listing(_ bytes: [UInt8], at address: UInt64, _ dis: inout Disassembler) -> [String] {
        var out: [String] = []
        var segmentStart = 0
        var i = 0
        func flush(upTo end: Int) {
            if end > segmentStart { out += dis.listing(of: Array(bytes[segmentStart..<end]), at: address + UInt64(segmentStart)) }
        }
        while i < bytes.count {
            var z = i
            while z < bytes.count && bytes[z] == 0 { z += 1 }
            let run = z - i
            if run >= 8 || (z == bytes.count && run > 0 && run < 3) {
                flush(upTo: i)
                out.append("\t...")
                i = z == bytes.count ? z : i + (run & ~3)
                segmentStart = i
                continue
            }
            i += bytes[i] & 3 == 3 ? 4 : 2
        }
        flush(upTo: min(i, bytes.count))
        return out
    }

    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }
}
