import Foundation
import Guest
import Interpreter
import RISCV
import Testing

/// Checks FloatUnit against reference vectors recorded from qemu-riscv64 (softfloat with the
/// RISC-V rules) by Fixtures/fpvectors/fpvec.c: edge-value pools crossed with every rounding
/// mode, plus seeded random operands. See tools/fp-vectors.sh.
@Suite struct FloatVectorTests {
    struct Vector {
        let line: Int
        let opcode: Opcode
        let rm: UInt16
        let inputs: [UInt64]
        let result: UInt64
        let flags: UInt32
    }

    /// Decompresses the committed vectors with the system's gzip (no qemu needed).
    static func loadVectors() throws -> [Vector] {
        let path = repositoryRoot.appendingPathComponent("Fixtures/fpvectors/vectors.txt.gz").path
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "exec gzip -dc \"$0\"", path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)

        var vectors: [Vector] = []
        vectors.reserveCapacity(300_000)
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n")) {
            lineNumber += 1
            let fields = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            let opcode = try #require(Opcode.byMnemonic[fields[0]], "line \(lineNumber): unknown \(fields[0])")
            let numbers = try fields.dropFirst().map { try #require(UInt64($0, radix: 16)) }
            try #require(numbers.count >= 4)
            vectors.append(Vector(line: lineNumber, opcode: opcode, rm: UInt16(numbers[0]),
                                  inputs: Array(numbers[1..<(numbers.count - 2)]),
                                  result: numbers[numbers.count - 2], flags: UInt32(numbers[numbers.count - 1])))
        }
        return vectors
    }

    @Test func matchesQEMUBitForBitAndFlagForFlag() throws {
        let vectors = try Self.loadVectors()
        // Every F/D register-to-register opcode is covered, by many vectors.
        #expect(vectors.count > 250_000)
        #expect(Set(vectors.map(\.opcode)).count == 58)  // 62 F/D opcodes less the loads and stores

        let scratch = FloatTestState()
        var mismatches: [String] = []
        var mismatchCount = 0
        for (index, v) in vectors.enumerated() {
            // Alternate between a static rounding mode and the dynamic one (rm 7, frm) to exercise both.
            let dynamic = index & 1 == 1
            let got = runFloat(v.opcode, v.inputs, rm: dynamic ? 7 : v.rm, frm: UInt32(v.rm), on: scratch)
            if !got.legal || got.result != v.result || got.flags != v.flags {
                mismatchCount += 1
                if mismatches.count < 20 {
                    let inputs = v.inputs.map { String($0, radix: 16) }.joined(separator: " ")
                    mismatches.append("line \(v.line): \(v.opcode) rm=\(v.rm) \(inputs): expected "
                        + "\(String(v.result, radix: 16)) flags \(String(v.flags, radix: 16)), got "
                        + "\(String(got.result, radix: 16)) flags \(String(got.flags, radix: 16))"
                        + (got.legal ? "" : " (illegal)"))
                }
            }
        }
        #expect(mismatchCount == 0, "\(mismatchCount) mismatches:\n\(mismatches.joined(separator: "\n"))")
    }
}
