import Testing
@testable import RISCV

/// Zfa's encodings and text. binutils 2.40 (the goldens' objdump) predates Zfa, so these words
/// were encoded by hand from the specification's tables and the text follows binutils 2.41's
/// conventions (fli's constant as `min`/`inf`/`nan` or C's `%a`; fcvtmod.w.d's fixed `rtz`).
@Suite struct ZfaDisassemblyTests {
    static let cases: [(UInt32, String)] = [
        (0xf018_0553, "fli.s\tfa0,0x1p+0"),
        (0xf210_8553, "fli.d\tfa0,min"),
        (0xf010_0553, "fli.s\tfa0,-0x1p+0"),
        (0xf01f_0553, "fli.s\tfa0,inf"),
        (0xf21f_8553, "fli.d\tfa0,nan"),
        (0xf214_8553, "fli.d\tfa0,0x1.4p-2"),
        (0x28c5_a553, "fminm.s\tfa0,fa1,fa2"),
        (0x2ac5_b553, "fmaxm.d\tfa0,fa1,fa2"),
        (0x4045_f553, "fround.s\tfa0,fa1"),
        (0x4255_9553, "froundnx.d\tfa0,fa1,rtz"),
        (0xc285_9553, "fcvtmod.w.d\ta0,fa1,rtz"),
        (0xa0c5_c553, "fleq.s\ta0,fa1,fa2"),
        (0xa2c5_d553, "fltq.d\ta0,fa1,fa2"),
    ]

    @Test func decodesAndPrints() {
        var disassembler = Disassembler(addressComments: false)
        for (word, text) in Self.cases {
            guard let inst = decode(word) else { Issue.record("\(String(word, radix: 16)) did not decode"); continue }
            #expect(disassembler.disassemble(inst, pc: 0) == text)
            #expect(encode(inst) == word, "\(text)")
        }
    }

    /// fmvh.x.d and fmvp.d.x are RV32-only, and fcvtmod.w.d takes rtz alone.
    @Test func rv32OnlyAndReservedFormsDoNotDecode() {
        for word: UInt32 in [0xe215_8553, 0xb2c5_8553, 0xc285_8553, 0xc285_f553] {
            #expect(decode(word) == nil, "\(String(word, radix: 16))")
        }
    }
}
