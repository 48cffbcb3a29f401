import Testing
import RISCV

/// Zcb, Zcmop, Zimop, Zacas, Zicbom, Zicboz, Zawrs and the hint names (ext): decoding, encoding
/// and text. Words are from the specifications' encoding tables; where binutils 2.40 knows the
/// instruction (cbo.*, prefetch.*, pause, wrs.*) the text is its objdump's, else binutils 2.41's.
@Suite struct RVA23ScalarTests {
    func text(_ word: UInt32) -> String? { decode(word).map { disassemble($0, pc: 0) } }

    @Test func thirtyTwoBitRows() throws {
        let cases: [(UInt32, String)] = [
            (0x81c5_c573, "mop.r.0\ta0,a1"), (0xcdf5_c573, "mop.r.31\ta0,a1"),
            (0x82c5_c573, "mop.rr.0\ta0,a1,a2"), (0xcec5_c573, "mop.rr.7\ta0,a1,a2"),
            (0x28c5_a52f, "amocas.w\ta0,a2,(a1)"), (0x2cc5_b52f, "amocas.d.aq\ta0,a2,(a1)"),
            (0x28c7_452f, "amocas.q\ta0,a2,(a4)"), (0x2807_402f, "amocas.q\tzero,zero,(a4)"),
            (0x0015_200f, "cbo.clean\t(a0)"), (0x0025_a00f, "cbo.flush\t(a1)"),
            (0x0006_200f, "cbo.inval\t(a2)"), (0x0046_a00f, "cbo.zero\t(a3)"),
            (0x0405_6013, "prefetch.i\t64(a0)"), (0xfe15_e013, "prefetch.r\t-32(a1)"), (0x0031_6013, "prefetch.w\t0(sp)"),
            (0x0100_000f, "pause"), (0x00d0_0073, "wrs.nto"), (0x01d0_0073, "wrs.sto"),
            (0x0020_0033, "ntl.p1"), (0x0030_0033, "ntl.pall"), (0x0040_0033, "ntl.s1"), (0x0050_0033, "ntl.all"),
            // Not hints: ori with another selector, add with another register.
            (0x0041_6013, "or\tzero,sp,4"), (0x0060_0033, "add\tzero,zero,t1"),
        ]
        for (word, expected) in cases {
            #expect(text(word) == expected, "\(String(word, radix: 16))")
            if let inst = decode(word) { #expect(encode(inst) == word, "\(expected) round trip") }
        }
        // cbo with rd or another imm, and wrs with operands, are not these rows.
        #expect(decode(0x0015_208f) == nil && decode(0x0035_200f) == nil && decode(0x00d0_00f3) == nil)
        // objdump without the hint extensions in the file's arch prints the base instructions.
        var plain = Disassembler()
        plain.hints = []
        #expect(plain.disassemble(try #require(decode(0x0100_000f)), pc: 0) == "fence\tw,unknown")
        #expect(plain.disassemble(try #require(decode(0x0050_0033)), pc: 0) == "add\tzero,zero,t0")
        #expect(plain.disassemble(try #require(decode(0x0015_e013)), pc: 0) == "or\tzero,a1,1")
    }

    @Test func compressedForms() throws {
        // (half, base opcode, rd, rs1, rs2, imm, text)
        let cases: [(UInt16, Opcode, UInt8, UInt8, UInt8, Int64, String)] = [
            (0x81e8, .lbu, 10, 11, 0, 3, "lbu\ta0,3(a1)"), (0x85a8, .lhu, 10, 11, 0, 2, "lhu\ta0,2(a1)"),
            (0x85e8, .lh, 10, 11, 0, 2, "lh\ta0,2(a1)"), (0x89c8, .sb, 0, 11, 10, 1, "sb\ta0,1(a1)"),
            (0x8da8, .sh, 0, 11, 10, 2, "sh\ta0,2(a1)"),
            (0x9d61, .andi, 10, 10, 0, 255, "zext.b\ta0,a0"), (0x9d65, .sext_b, 10, 10, 0, 0, "sext.b\ta0,a0"),
            (0x9d69, .zext_h, 10, 10, 0, 0, "zext.h\ta0,a0"), (0x9d6d, .sext_h, 10, 10, 0, 0, "sext.h\ta0,a0"),
            (0x9d71, .add_uw, 10, 10, 0, 0, "zext.w\ta0,a0"), (0x9d75, .xori, 10, 10, 0, -1, "not\ta0,a0"),
            (0x9d4d, .mul, 10, 10, 11, 0, "mul\ta0,a0,a1"),
            (0x6081, .addi, 0, 0, 0, 0, "c.mop.1"), (0x6781, .addi, 0, 0, 0, 0, "c.mop.15"),
            (0x900a, .add, 0, 0, 2, 0, "c.ntl.p1"), (0x9016, .add, 0, 0, 5, 0, "c.ntl.all"),
        ]
        for (half, op, rd, rs1, rs2, imm, expected) in cases {
            let inst = try #require(decode(UInt32(half)), "\(String(half, radix: 16))")
            #expect(inst.opcode == op && inst.rd == rd && inst.rs1 == rs1 && inst.rs2 == rs2 && inst.imm == imm && inst.length == 2,
                    "\(expected): \(inst)")
            #expect(disassemble(inst, pc: 0) == expected)
        }
        // c.lui's other reserved forms stay reserved: even rd with imm 0, and the Zcb block's gaps.
        #expect(decode(0x6101 & ~0x100 | 0x200) == nil)  // c.lui x4, 0
        #expect(decode(0x9c79) == nil && decode(0x9c7d) == nil && decode(0x9c01 | 0x60) != nil)
    }

    @Test func cpuChoiceGatesThem() throws {
        let gc = try CPUModel.parse("rv64gc").get()
        let zcb = try CPUModel.parse("rv64gc_zcb").get()
        let zcbzbb = try CPUModel.parse("rv64gc_zcb_zbb_zba").get()
        let lbu = try #require(decode(0x81e8)), sextb = try #require(decode(0x9d65)), zextw = try #require(decode(0x9d71))
        let mop = try #require(decode(0x6081)), mopr = try #require(decode(0x81c5_c573))
        let cas = try #require(decode(0x28c7_452f)), zero = try #require(decode(0x0046_a00f))
        #expect(!gc.allows(lbu) && zcb.allows(lbu))
        #expect(!zcb.allows(sextb) && zcbzbb.allows(sextb) && zcbzbb.allows(zextw))  // c.sext.b needs Zbb too
        func model(_ name: String) throws -> CPUModel { try CPUModel.parse(name).get() }
        let zcmop = try model("rv64gc_zcmop"), zimop = try model("rv64gc_zimop")
        let zacas = try model("rv64gc_zacas"), zicboz = try model("rv64gc_zicboz")
        #expect(!gc.allows(mop) && zcmop.allows(mop))
        #expect(!gc.allows(mopr) && zimop.allows(mopr))
        #expect(!gc.allows(cas) && zacas.allows(cas))
        #expect(!gc.allows(zero) && zicboz.allows(zero))
        #expect(CPUModel.all.allows(cas) && CPUModel.all.allows(lbu))
    }
}
