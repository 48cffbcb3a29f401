import Testing
import RISCV

@Suite struct DisassemblerTests {
    @Test func symbolHookAnnotatesTargets() throws {
        var disassembler = Disassembler(symbolize: { $0 == 0x10434 ? "main+0x1c" : nil })
        let j = try #require(decode(0x0340_006f))          // j .+52
        #expect(disassembler.disassemble(j, pc: 0x10400) == "j\t10434 <main+0x1c>")
        #expect(disassembler.disassemble(j, pc: 0x10000) == "j\t10034")
    }

    @Test func addressCommentsFollowAuipc() throws {
        var disassembler = Disassembler(symbolize: { _ in "buf" })
        let auipc = try #require(decode(0x0000_1517))      // auipc a0, 0x1
        let addi = try #require(decode(0x0105_0513))       // addi a0, a0, 16
        #expect(disassembler.disassemble(auipc, pc: 0x1000) == "auipc\ta0,0x1")
        #expect(disassembler.disassemble(addi, pc: 0x1004) == "add\ta0,a0,16 # 2010 <buf>")
        // The value is consumed: a second use gets no comment.
        #expect(disassembler.disassemble(addi, pc: 0x1008) == "add\ta0,a0,16")
        // Stateless rendering never carries a value over.
        #expect(disassemble(addi, pc: 0x1004) == "add\ta0,a0,16")
    }

    @Test func globalPointerRelativeAccesses() throws {
        var disassembler = Disassembler(globalPointer: 0x8000)
        let load = try #require(decode(0x0101_b503))       // ld a0, 16(gp)
        #expect(disassembler.disassemble(load, pc: 0) == "ld\ta0,16(gp) # 8010")
        var plain = Disassembler(addressComments: false)
        #expect(plain.disassemble(load, pc: 0) == "ld\ta0,16(gp)")
    }

    @Test func instructionsBuiltByHandRender() {
        #expect(disassemble(Instruction(opcode: .fadd_d, rd: 10, rs1: 11, rs2: 12, rm: 1), pc: 0) == "fadd.d\tfa0,fa1,fa2,rtz")
        #expect(disassemble(Instruction(opcode: .amoswap_w, rd: 10, rs1: 11, rs2: 12, rm: 3), pc: 0)
                == "amoswap.w.aqrl\ta0,a2,(a1)")
        #expect(disassemble(Instruction(opcode: .csrrs, rd: 5, csr: 0xc01), pc: 0) == "rdtime\tt0")
        #expect(disassemble(Instruction(opcode: .beq, rs1: 10, rs2: 11, imm: -8), pc: 0x100) == "beq\ta0,a1,f8")
    }
}

/// The byte-stream listing reproduces objdump's whole lines for all.o's text section.
@Suite struct ListingTests {
    @Test func listingOfTheAllFixtureMatchesObjdumpLines() throws {
        var bytes: [UInt8] = []
        var expected: [String] = []
        for row in try Goldens.rows("all.txt", columns: 3) {
            let address = UInt64(row[0], radix: 16)!
            #expect(address == UInt64(bytes.count), "all.txt is contiguous from 0")
            let word = UInt32(row[1], radix: 16)!
            for i in 0..<(row[1].count / 2) { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * i))) }
            let pad = String(repeating: " ", count: (row[1].count == 4 ? 20 : 18) - row[1].count)
            let column = String(repeating: " ", count: max(0, 8 - row[0].count)) + row[0]
            expected.append("\(column):\t\(row[1])\(pad)\t\(row[2])")
        }
        var disassembler = Disassembler()
        disassembler.privilegedSpec = .v1_11  // all.o's attribute section has no priv-spec tag
        disassembler.hints = []
        let lines = disassembler.listing(of: bytes, at: 0)
        #expect(lines.count == expected.count)
        let mismatches = zip(lines, expected).filter { $0 != $1 }.prefix(10).map { "\($0.0)\n\($0.1)" }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }
}

/// Hand-built instructions with out-of-range fields render without trapping.
@Test func outOfRangeFieldsDoNotTrap() {
    for opcode in Opcode.allCases {
        for length: UInt8 in [2, 4] {
            let inst = Instruction(opcode: opcode, rd: 0xff, rs1: 0xee, rs2: 0xdd, rs3: 0xcc, rm: 0xffff,
                                   csr: 0xffff, imm: Int64.min, length: length, raw: 0xffff_ffff)
            #expect(!disassemble(inst, pc: UInt64.max).isEmpty)
            _ = encode(inst)
        }
    }
}
