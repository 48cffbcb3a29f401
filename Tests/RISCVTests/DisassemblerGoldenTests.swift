import Testing
import RISCV

/// Compares disassembly with binutils' text for every line of a golden, reporting each mismatch.
@Suite struct DisassemblerGoldenTests {
    @Test func allFixtureInOrderWithAddressComments() throws {
        var disassembler = Disassembler()
        disassembler.privilegedSpec = .v1_11  // the goldens: GCC's 1.11 attribute, -M priv-spec=1.11
        disassembler.hints = []  // and rv64gc's: no hint names
        var mismatches: [String] = []
        let rows = try Goldens.rows("all.txt", columns: 3)
        for row in rows {
            let pc = UInt64(row[0], radix: 16)!, word = UInt32(row[1], radix: 16)!
            let expected = String(row[2])
            // objdump's verdict on invalid encodings: data directives, or unimp for the all-zero halfword.
            if expected.hasPrefix(".") || (word == 0 && expected == "unimp") {
                if decode(word) != nil { mismatches.append("\(row[0]): \(row[1]) decoded; objdump: \(expected)") }
                continue
            }
            guard let inst = decode(word) else {
                mismatches.append("\(row[0]): \(row[1]) did not decode; objdump: \(expected)")
                continue
            }
            #expect(Int(inst.length) * 2 == row[1].count, "length of \(row[1])")
            let text = disassembler.disassemble(inst, pc: pc)
            if text != expected { mismatches.append("\(row[0]): \(row[1]) gave '\(text)', objdump '\(expected)'") }
        }
        Goldens.check(mismatches, of: rows.count, in: "all.txt")
    }

    /// The bit group against objdump with its extensions enabled (`tools/gen-riscv-goldens.sh`):
    /// each mnemonic, and a sweep of OP/OP-32 and the immediate shift funct3s where every word
    /// objdump rejects we reject too, except Zicond's, which binutils 2.40 does not know.
    @Test func bitGroupAndItsSweep() throws {
        let rows = try Goldens.rows("bit.txt", columns: 3)
        var disassembler = Disassembler(addressComments: false)
        disassembler.privilegedSpec = .v1_11  // the goldens: GCC's 1.11 attribute, -M priv-spec=1.11
        disassembler.hints = []  // and rv64gc's: no hint names
        // The crypto group's words are outside the bit golden's -march (crypto.txt has them).
        let mismatches = Goldens.groupMismatches(rows, &disassembler) {
            $0.opcode == .czero_eqz || $0.opcode == .czero_nez || $0.opcode.group == .crypto
        }
        Goldens.check(mismatches, of: rows.count, in: "bit.txt")
    }

    /// The crypto group against objdump with Zk*/Zks* enabled (`tools/gen-riscv-goldens.sh`):
    /// each mnemonic in a few shapes, and a sweep around its rows (every funct7 of OP funct3 0,
    /// the OP-IMM funct3 1 words near the unary rows and every aes64ks1i round number), where a
    /// word objdump rejects we reject too.
    @Test func cryptoGroupAndItsSweep() throws {
        let rows = try Goldens.rows("crypto.txt", columns: 3)
        var disassembler = Disassembler(addressComments: false)
        let mismatches = Goldens.groupMismatches(rows, &disassembler)
        #expect(rows.count > 500)
        Goldens.check(mismatches, of: rows.count, in: "crypto.txt")
    }

    @Test func fixtureBinaries() throws {
        try compareStateless("fixtures.txt", pcColumn: true)
    }

    @Test func everyValidCompressedEncoding() throws {
        try compareStateless("compressed.txt", pcColumn: false)
    }

    @Test func sampleOfTheThirtyTwoBitSweep() throws {
        try compareStateless("sweep32-sample.txt", pcColumn: false)
    }

    /// Each line on its own, without address comments (the golden has them stripped).
    func compareStateless(_ golden: String, pcColumn: Bool) throws {
        let rows = try Goldens.rows(golden, columns: pcColumn ? 3 : 2)
        var mismatches: [String] = []
        for row in rows {
            let fields = pcColumn ? Array(row) : ["10000"] + row
            let pc = UInt64(fields[0], radix: 16)!, word = UInt32(fields[1], radix: 16)!
            let expected = String(fields[2])
            guard let inst = decode(word) else {
                mismatches.append("\(fields[1]) did not decode; objdump: \(expected)")
                continue
            }
            var disassembler = Disassembler(addressComments: false)
            disassembler.privilegedSpec = .v1_11  // the goldens: GCC's 1.11 attribute, -M priv-spec=1.11
            disassembler.hints = []  // and rv64gc's: no hint names
            let text = disassembler.disassemble(inst, pc: pc)
            if text != expected { mismatches.append("\(fields[1]) gave '\(text)', objdump '\(expected)'") }
        }
        Goldens.check(mismatches, of: rows.count, in: golden)
    }
}
