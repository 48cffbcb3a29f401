import Testing
import RISCV

/// Field conventions of `Instruction`, checked on hand-assembled words of each format.
@Suite struct DecoderTests {
    func d(_ word: UInt32) throws -> Instruction { try #require(decode(word), "\(String(word, radix: 16)) decodes") }

    @Test func registerFormat() throws {
        #expect(try d(0x40c5_8533) == Instruction(opcode: .sub, rd: 10, rs1: 11, rs2: 12, raw: 0x40c5_8533))
        #expect(try d(0x03fd_fd3b) == Instruction(opcode: .remuw, rd: 26, rs1: 27, rs2: 31, raw: 0x03fd_fd3b))
    }

    @Test func immediatesAreSignExtended() throws {
        #expect(try d(0x8005_8513).imm == -2048)           // addi a0, a1, -2048
        #expect(try d(0x7ff5_8513).imm == 2047)
        #expect(try d(0x8014_b023).imm == -2048)           // sd ra, -2048(s1)
        #expect(try d(0x7e8f_afa3).imm == 2047)            // sw s0, 2047(t6)
        #expect(try d(0xffff_ffb7).imm == -4096)           // lui t6, 0xfffff: the shifted value
        #expect(try d(0x8000_0db7).imm == -0x8000_0000)    // lui s11, 0x80000
        #expect(try d(0x1234_5297).imm == 0x1234_5000)     // auipc t0, 0x12345
    }

    @Test func branchAndJumpOffsetsAreInBytes() throws {
        #expect(try d(0xfeb5_4ce3).imm == -8)              // blt a0, a1, .-8
        #expect(try d(0x04b5_1663).imm == 76)
        #expect(try d(0x8000_0063).imm == -4096)           // beq zero, zero, .-4096
        #expect(try d(0x7e00_0fe3).imm == 4094)
        #expect(try d(0xffdf_f0ef) == Instruction(opcode: .jal, rd: 1, imm: -4, raw: 0xffdf_f0ef))
        #expect(try d(0x8000_006f).imm == -(1 << 20))      // j .-1MiB
        #expect(try d(0x7fff_f06f).imm == (1 << 20) - 2)
    }

    @Test func shiftAmountsGoInImm() throws {
        let srai = try d(0x43f9_d913)                      // srai s2, s3, 63
        #expect(srai.opcode == .srai && srai.imm == 63 && srai.rd == 18 && srai.rs1 == 19)
        let sraiw = try d(0x41f9_d91b)                     // sraiw s2, s3, 31
        #expect(sraiw.opcode == .sraiw && sraiw.imm == 31)
        #expect(decode(0x0205_951b) == nil)                // slliw with shamt[5] set is reserved
    }

    @Test func csrFields() throws {
        #expect(try d(0x0035_b573) == Instruction(opcode: .csrrc, rd: 10, rs1: 11, csr: 3, raw: 0x0035_b573))
        // The *i forms carry their 5-bit immediate in rs1.
        #expect(try d(0x002f_e573) == Instruction(opcode: .csrrsi, rd: 10, rs1: 31, csr: 2, raw: 0x002f_e573))
        #expect(try d(0xc000_1073) == Instruction(opcode: .csrrw, csr: 0xc00, raw: 0xc000_1073))
    }

    @Test func atomicOrderingBits() throws {
        #expect(try d(0x1605_a52f) == Instruction(opcode: .lr_w, rd: 10, rs1: 11, rm: 3, raw: 0x1605_a52f))
        #expect(try d(0x04c5_a52f).rm == 2)                // amoadd.w.aq
        #expect(try d(0x02c5_b52f).rm == 1)                // amoadd.d.rl
        #expect(try d(0x1ac5_b52f) == Instruction(opcode: .sc_d, rd: 10, rs1: 11, rs2: 12, rm: 1, raw: 0x1ac5_b52f))
        #expect(decode(0x10c5_a52f) == nil)                // lr.w with rs2 != 0 is reserved
    }

    @Test func fenceFields() throws {
        #expect(try d(0x0ff0_000f).rm == 0x0ff)
        #expect(try d(0x0210_000f).rm == 0x021)            // fence r, w
        #expect(try d(0x8330_000f) == Instruction(opcode: .fence, rm: 0x833, raw: 0x8330_000f))  // fence.tso
        #expect(try d(0x0000_100f).opcode == .fence_i)
        #expect(decode(0x9ff0_000f) == nil)                // unknown fm
    }

    @Test func floatingPointFields() throws {
        #expect(try d(0x68c5_9543) == Instruction(opcode: .fmadd_s, rd: 10, rs1: 11, rs2: 12, rs3: 13, rm: 1, raw: 0x68c5_9543))
        #expect(try d(0x0220_f053) == Instruction(opcode: .fadd_d, rd: 0, rs1: 1, rs2: 2, rm: 7, raw: 0x0220_f053))
        #expect(try d(0xc035_c553) == Instruction(opcode: .fcvt_lu_s, rd: 10, rs1: 11, rm: 4, raw: 0xc035_c553))
        #expect(try d(0xe205_8553) == Instruction(opcode: .fmv_x_d, rd: 10, rs1: 11, raw: 0xe205_8553))
        // Reserved rounding modes decode (as binutils does); executing them is illegal.
        #expect(try d(0x00c5_e553).rm == 6)
        #expect(try d(0x00c5_d553).rm == 5)
        #expect(decode(0x4205_f553) == nil)                // fcvt.d.s takes no rounding mode
    }

    @Test func systemInstructions() throws {
        #expect(try d(0x0000_0073).opcode == .ecall)
        #expect(try d(0x0010_0073).opcode == .ebreak)
        #expect(try d(0x1020_0073).opcode == .sret)
        #expect(try d(0x3020_0073).opcode == .mret)
        #expect(try d(0x1050_0073).opcode == .wfi)
        #expect(try d(0x12b5_0073) == Instruction(opcode: .sfence_vma, rs1: 10, rs2: 11, raw: 0x12b5_0073))
        #expect(decode(0x0000_0173) == nil)                // ecall with rd != 0
    }

    /// Compressed encodings come back as their base forms, with length 2 and the 16 raw bits.
    @Test func compressedExpansions() throws {
        let cases: [(UInt32, Instruction)] = [
            (0x1fe0, Instruction(opcode: .addi, rd: 8, rs1: 2, imm: 1020)),            // c.addi4spn s0, sp, 1020
            (0x3fe0, Instruction(opcode: .fld, rd: 8, rs1: 15, imm: 248)),             // c.fld fs0, 248(a5)
            (0x5fe4, Instruction(opcode: .lw, rd: 9, rs1: 15, imm: 124)),              // c.lw s1, 124(a5)
            (0xffe4, Instruction(opcode: .sd, rs1: 15, rs2: 9, imm: 248)),             // c.sd s1, 248(a5)
            (0x157d, Instruction(opcode: .addi, rd: 10, rs1: 10, imm: -1)),            // c.addi a0, -1
            (0x3f81, Instruction(opcode: .addiw, rd: 31, rs1: 31, imm: -32)),          // c.addiw t6, -32
            (0x5f81, Instruction(opcode: .addi, rd: 31, imm: -32)),                    // c.li t6, -32
            (0x7101, Instruction(opcode: .addi, rd: 2, rs1: 2, imm: -512)),            // c.addi16sp -512
            (0x617d, Instruction(opcode: .addi, rd: 2, rs1: 2, imm: 496)),
            (0x7f81, Instruction(opcode: .lui, rd: 31, imm: -0x20000)),                // c.lui t6, 0xfffe0
            (0x90fd, Instruction(opcode: .srli, rd: 9, rs1: 9, imm: 63)),              // c.srli s1, 63
            (0x9b81, Instruction(opcode: .andi, rd: 15, rs1: 15, imm: -32)),           // c.andi a5, -32
            (0x9c3d, Instruction(opcode: .addw, rd: 8, rs1: 8, rs2: 15)),              // c.addw s0, a5
            (0xa001, Instruction(opcode: .jal, imm: 0)),                               // c.j .
            (0xbffd, Instruction(opcode: .jal, imm: -2)),                              // c.j .-2
            (0xdd75, Instruction(opcode: .beq, rs1: 10, imm: -4)),                     // c.beqz a0, .-4
            (0x1ffe, Instruction(opcode: .slli, rd: 31, rs1: 31, imm: 63)),            // c.slli t6, 63
            (0x3ffe, Instruction(opcode: .fld, rd: 31, rs1: 2, imm: 504)),             // c.fldsp ft11, 504(sp)
            (0x5ffe, Instruction(opcode: .lw, rd: 31, rs1: 2, imm: 252)),              // c.lwsp t6, 252(sp)
            (0x8082, Instruction(opcode: .jalr, rs1: 1)),                              // c.jr ra
            (0x9502, Instruction(opcode: .jalr, rd: 1, rs1: 10)),                      // c.jalr a0
            (0x852e, Instruction(opcode: .add, rd: 10, rs2: 11)),                      // c.mv a0, a1
            (0x952e, Instruction(opcode: .add, rd: 10, rs1: 10, rs2: 11)),             // c.add a0, a1
            (0x9002, Instruction(opcode: .ebreak)),
            (0xff86, Instruction(opcode: .sd, rs1: 2, rs2: 1, imm: 504)),              // c.sdsp ra, 504(sp)
            (0xdffe, Instruction(opcode: .sw, rs1: 2, rs2: 31, imm: 252)),             // c.swsp t6, 252(sp)
        ]
        for (half, base) in cases {
            var expected = base
            expected.length = 2
            expected.raw = half
            #expect(try d(half) == expected, "\(String(half, radix: 16))")
        }
    }

    @Test func reservedCompressedEncodings() {
        let reserved: [UInt32] = [
            0x0000,  // all zero: defined illegal
            0x0004,  // c.addi4spn with a zero immediate
            0x2001,  // c.addiw with rd = 0
            0x6001,  // c.lui zero, 0
            0x6501,  // c.lui a0, 0
            0x9c79,  // c.subw's reserved neighbours (0x9c41 is Zcb's c.mul)
            0x4002,  // c.lwsp with rd = 0
            0x6002,  // c.ldsp with rd = 0
            0x8002,  // c.jr zero
            0x9000,  // quadrant 0, funct3 4 past Zcb's c.lbu…c.sh (0x8000 is c.lbu)
        ]
        for half in reserved { #expect(decode(half) == nil, "\(String(half, radix: 16))") }
    }

    @Test func hintsDecodeToTheirBaseForms() throws {
        #expect(try d(0x0015) == Instruction(opcode: .addi, imm: 5, length: 2, raw: 0x0015))         // c.nop 5
        #expect(try d(0x4015) == Instruction(opcode: .addi, imm: 5, length: 2, raw: 0x4015))         // c.li zero, 5
        #expect(try d(0x8006) == Instruction(opcode: .add, rs2: 1, length: 2, raw: 0x8006))          // c.mv zero, ra
        #expect(try d(0x0502) == Instruction(opcode: .slli, rd: 10, rs1: 10, length: 2, raw: 0x0502)) // c.slli64 a0
    }
}
