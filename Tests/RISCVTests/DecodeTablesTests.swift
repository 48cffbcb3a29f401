import Foundation
import Testing
import RISCV

/// The decoder's tables are constants in `DecodeTables+Generated.swift`, not derived at start-up:
/// the file must be exactly what the ISA table derives now.
@Suite struct DecodeTablesTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/RISCV/DecodeTables+Generated.swift").standardizedFileURL

    @Test func generatedTablesMatchTheISATable() throws {
        let expected = DecodeTables.generatedSource()
        if ProcessInfo.processInfo.environment["TRAPEZE_WRITE_DECODE_TABLES"] != nil {
            try expected.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let actual = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(actual == expected, "Sources/RISCV/DecodeTables+Generated.swift is stale: run tools/gen-decode-tables.sh")
    }

    /// The constant operand files are the ISA table's, for every opcode.
    @Test func operandFilesAreTheISATables() {
        for op in Opcode.allCases {
            let info = op.info, files = op.files
            #expect(files.rd == info.rd && files.rs1 == info.rs1 && files.rs2 == info.rs2, "\(op)")
            #expect(files.writesX == info.writesX)
        }
    }

    /// The decoder reinterprets raw values read from the tables as cases (`TableRawValue`): every
    /// valid raw value of each such enum must be its case's bits.
    @Test func rawValuesAreTheCasesBits() {
        for r in UInt16(0)..<1024 { #expect(tableRawValueMatches(Opcode.self, r), "Opcode \(r)") }
        for r in UInt8(0)..<UInt8.max {
            #expect(tableRawValueMatches(Format.self, r), "Format \(r)")
            #expect(tableRawValueMatches(CompressedForm.self, r), "CompressedForm \(r)")
            #expect(tableRawValueMatches(CompressedRequirement.self, r), "CompressedRequirement \(r)")
            #expect(tableRawValueMatches(Extension.self, r), "Extension \(r)")
            #expect(tableRawValueMatches(RegisterFile.self, r), "RegisterFile \(r)")
        }
    }

    /// The packed compressed rows hold the base opcode in 10 bits.
    @Test func opcodesFitTheirPackedFields() {
        #expect(Opcode.count <= 1024)
        #expect(Opcode.count == Opcode.allCases.count)
    }
}
