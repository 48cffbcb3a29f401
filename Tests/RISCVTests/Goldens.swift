import Foundation
import RISCV
import Testing

/// Reads the committed goldens under Tests/RISCVTests/Goldens (written by tools/gen-riscv-goldens.sh).
enum Goldens {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    /// The first `columns` tab-separated fields of every non-comment line (the last takes the rest).
    static func rows(_ name: String, columns: Int) throws -> [[Substring]] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            $0.split(separator: "\t", maxSplits: columns - 1, omittingEmptySubsequences: false)
        }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func bit(_ map: [UInt8], _ index: Int) -> Bool { map[index >> 3] & (1 << (index & 7)) != 0 }

    /// Fails with every mismatch (first 40 spelled out) so that one run shows the whole picture.
    static func check(_ mismatches: [String], of total: Int, in golden: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(total > 0, "\(golden) is empty", sourceLocation: sourceLocation)
        let shown = mismatches.prefix(40).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(total) lines of \(golden) differ:\n\(shown)",
                sourceLocation: sourceLocation)
    }

    /// The mismatches of an extension group's golden (pc, word, objdump's text): each word objdump
    /// decodes must decode to the same text (and, with `reencode`, encode back to the same
    /// word); each it rejects (a data directive) must not decode, unless `beyondObjdump` says
    /// binutils 2.40 lacks the instruction it decodes to.
    static func groupMismatches(_ rows: [[Substring]], _ disassembler: inout Disassembler, reencode: Bool = false,
                                beyondObjdump: (Instruction) -> Bool = { _ in false }) -> [String] {
        var mismatches: [String] = []
        for row in rows {
            let pc = UInt64(row[0], radix: 16)!, word = UInt32(row[1], radix: 16)!
            let expected = String(row[2]), inst = decode(word)
            if expected.hasPrefix(".") {
                if let inst, !beyondObjdump(inst) {
                    mismatches.append("\(row[1]) decoded as \(inst.opcode); objdump: \(expected)")
                }
                continue
            }
            guard let inst else { mismatches.append("\(row[1]) did not decode; objdump: \(expected)"); continue }
            let text = disassembler.disassemble(inst, pc: pc)
            if text != expected { mismatches.append("\(row[1]) gave '\(text)', objdump '\(expected)'") }
            if reencode, inst.length == 4, encode(inst) != word {
                mismatches.append("\(row[1]) re-encoded as \(String(encode(inst), radix: 16))")
            }
        }
        return mismatches
    }
}

/// The 32-bit sweep's word sequence; mirrors `sweep32_words` in tools/gen-riscv-goldens.py.
struct Sweep32: Sequence, IteratorProtocol {
    static let seed: UInt64 = 0x5452_4150_455a_4531
    static let majors: [UInt32] = stride(from: 3, to: 128, by: 4).filter { ($0 >> 2) & 7 != 7 }.map(UInt32.init)
    static let gridCount = majors.count * 8 * 128 * 32
    static let count = gridCount + 131_072

    private var state = seed
    private var index = 0

    mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt32? {
        defer { index += 1 }
        if index < Sweep32.gridCount {
            let rs2 = UInt32(index & 31), f7 = UInt32((index >> 5) & 127), f3 = UInt32((index >> 12) & 7)
            let major = Sweep32.majors[index >> 15]
            let r = random()
            let rd = r >> 10 & 1 == 1 ? 0 : UInt32(r & 31)
            let rs1 = r >> 11 & 1 == 1 ? 0 : UInt32((r >> 5) & 31)
            return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | major
        }
        guard index < Sweep32.count else { return nil }
        var w = UInt32(truncatingIfNeeded: random()) | 3
        if w & 0x1c == 0x1c { w &= ~0x10 }
        return w
    }
}
