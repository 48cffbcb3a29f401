import Linux
import RISCV
import ELF

/// What objdump -d needs to know about one executable section beyond its symbols: where the
/// RISC-V mapping symbols say data (`$d`) sits among the code (`$x`), and how wide the address
/// column is.
struct SectionLayout {
    /// Mapping symbols of the section in address order: true for `$d` (data), false for `$x`.
    let marks: [(address: UInt64, isData: Bool)]
    let end: UInt64
    /// objdump drops the leading zeros that every address of the section shares, four at a time
    /// but always keeping one: `   10144:` in a file linked at 0x10000, ` 20a:` in a PIE.
    let addressWidth: Int

    init(_ section: SectionHeader, _ symbols: ListingSymbols) {
        end = section.address + section.size
        marks = symbols.sorted.filter { $0.section == section.name && $0.symbol.isRISCVMarker && $0.name != ".L0 " }
            .map { ($0.value, $0.name == "$d") }
        let digits = String(end, radix: 16)
        let zeros = 16 - digits.count
        addressWidth = zeros == 0 || (end == 0 && section.address != 0) ? 16 : 16 - ((zeros - 1) & ~3)
    }

    /// The length of the data directive at `pc` when a `$d` mapping symbol covers it: a word, or
    /// less up to the next mapping symbol or the section end (3 bytes round down to 2); nil in code.
    func dataLength(at pc: UInt64) -> Int? {
        guard let last = marks.lastIndex(where: { $0.address <= pc }), marks[last].isData else { return nil }
        let limit = marks[(last + 1)...].first { $0.address > pc }?.address ?? end
        let length = Int(min(4, limit - pc))
        return length == 3 ? 2 : length
    }

    /// objdump's line for a chunk of data: the value (little-endian) in the encoding column,
    /// padded as objdump pads 8 bytes' worth of chunks, then `.byte`/`.short`/`.word`/`.dword`.
    func dataLine(_ bytes: [UInt8], at pc: UInt64) -> String {
        var value: UInt64 = 0
        for (k, b) in bytes.enumerated() { value |= UInt64(b) << (8 * k) }
        var hex = String(value, radix: 16)
        hex = String(repeating: "0", count: max(0, bytes.count * 2 - hex.count)) + hex
        let directive = switch bytes.count {
        case 1: ".byte"
        case 2: ".short"
        case 8: ".dword"
        default: ".word"
        }
        let column = (8 / max(bytes.count, 1)) * (2 * bytes.count + 1)
        return pad(String(pc, radix: 16)) + ":\t" + hex + String(repeating: " ", count: max(0, column - hex.count))
            + "\t" + directive + "\t0x" + hex
    }

    /// Re-pads the address column of a `Disassembler.listing` line (8 wide) to the section's width.
    func widenAddress(_ line: String) -> String {
        guard addressWidth != 8, let colon = line.firstIndex(of: ":") else { return line }
        return pad(String(line[..<colon].drop { $0 == " " })) + line[colon...]
    }

    func pad(_ address: String) -> String {
        String(repeating: " ", count: max(0, addressWidth - address.count)) + address
    }
}
