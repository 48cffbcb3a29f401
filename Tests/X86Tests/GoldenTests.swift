import Foundation
import Testing
import X86

/// A line of tools/x86-goldens/goldens.txt: what to assemble, the bytes LLVM's assembler made
/// of it, and capstone's reading of those bytes.
struct Golden {
    var source: String
    var bytes: [UInt8]
    var capstoneText: String
}

func loadGoldens() throws -> [Golden] {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/x86-goldens/goldens.txt")
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
        guard !line.hasPrefix("#") else { return nil }
        let cols = line.components(separatedBy: " | ")
        guard cols.count == 3 else { return nil }
        return Golden(source: cols[0], bytes: cols[1].split(separator: " ").compactMap { UInt8($0, radix: 16) },
                      capstoneText: cols[2])
    }
}

private func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).leftPad2 }.joined(separator: " ") }

extension String {
    var leftPad2: String { count < 2 ? "0" + self : self }
}

@Suite struct GoldenTests {
    @Test func goldenFileCoversEveryForm() throws {
        let goldens = try loadGoldens()
        #expect(goldens.count > 4000)
        let mnemonics = Set(goldens.map { $0.source.split(separator: " ").first.map(String.init) ?? "" })
        for m in ["mov", "movabs", "lea", "add", "adc", "sbb", "test", "imul", "shlx", "andn", "bzhi", "cmove", "seta",
                  "lock", "xchg", "bswap", "popcnt", "lzcnt", "tzcnt", "push", "pop", "jmp", "call", "movsd", "movq",
                  "cvttsd2si", "roundsd", "pxor", "ldmxcsr", "vfnmsub231ss"] {
            #expect(mnemonics.contains(m), "no golden for \(m)")
        }
    }

    /// Every golden instruction, emitted by the assembler, gives LLVM's bytes, and capstone
    /// reads them as the golden text.
    @Test func assemblerMatchesGoldens() throws {
        let goldens = try loadGoldens()
        let dis = try #require(X86Disassembler())
        var failures: [String] = []
        for g in goldens {
            var a = Assembler()
            do {
                try emit(try parseInstruction(g.source), into: &a)
            } catch {
                failures.append("\(g.source): \(error)")
                continue
            }
            let decoded = dis.decode(a.bytes, address: 0)
            let text = decoded.count == 1 ? decoded[0].text : "\(decoded.count) instructions"
            if a.bytes != g.bytes || text != g.capstoneText {
                failures.append("\(g.source): got \(hex(a.bytes)) (\(text)), want \(hex(g.bytes)) (\(g.capstoneText))")
            }
        }
        if !failures.isEmpty {
            Issue.record(Comment(rawValue: "\(failures.count) of \(goldens.count) goldens differ:\n"
                + failures.prefix(40).joined(separator: "\n")))
        }
    }
}
