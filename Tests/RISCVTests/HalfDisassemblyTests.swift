import Testing
import RISCV

/// Zfh and Zfhmin against objdump 2.40 with -march=rv64gc_zfh (`tools/gen-riscv-goldens.sh
/// --half`): every mnemonic in a few shapes and rounding modes, and a sweep of the half-precision
/// encodings where a word objdump rejects we reject too. binutils 2.40 predates Zfa, so Zfa's
/// words (its half forms among them) print as .4byte there; those are checked by hand below.
@Suite struct HalfDisassemblyTests {
    @Test func againstObjdump() throws {
        let rows = try Goldens.rows("half.txt", columns: 3)
        var disassembler = Disassembler(addressComments: false)
        let mismatches = Goldens.groupMismatches(rows, &disassembler, reencode: true) { $0.opcode.info.ext == .zfa }
        #expect(rows.count > 3000)
        Goldens.check(mismatches, of: rows.count, in: "half.txt")
        // Every Zfh/Zfhmin opcode appears in the golden.
        let seen = Set(rows.compactMap { decode(UInt32($0[1], radix: 16)!)?.opcode })
        let half = Opcode.allCases.filter { $0.info.ext == .zfh || $0.info.ext == .zfhmin }
        #expect(half.count == 34 && half.allSatisfy(seen.contains))
    }

    /// Zfa's half forms, encoded by hand from the Zfa tables (binutils 2.41's text).
    @Test func zfaHalfForms() {
        let cases: [(UInt32, String)] = [
            (0xf410_0553, "fli.h\tfa0,-0x1p+0"),
            (0xf410_8553, "fli.h\tfa0,min"),
            (0xf41e_8553, "fli.h\tfa0,0x1p+16"),
            (0xf41f_8553, "fli.h\tfa0,nan"),
            (0x2cc5_a553, "fminm.h\tfa0,fa1,fa2"),
            (0x2cc5_b553, "fmaxm.h\tfa0,fa1,fa2"),
            (0x4445_8553, "fround.h\tfa0,fa1,rne"),
            (0x4455_f553, "froundnx.h\tfa0,fa1"),
            (0xa4c5_c553, "fleq.h\ta0,fa1,fa2"),
            (0xa4c5_d553, "fltq.h\ta0,fa1,fa2"),
        ]
        var disassembler = Disassembler(addressComments: false)
        for (word, text) in cases {
            guard let inst = decode(word) else { Issue.record("\(String(word, radix: 16)) did not decode"); continue }
            #expect(disassembler.disassemble(inst, pc: 0) == text)
            #expect(encode(inst) == word, "\(text)")
        }
    }
}
