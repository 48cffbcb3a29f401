import Foundation

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
