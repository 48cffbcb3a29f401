import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// Whole programs through the real decoder: encodings from `riscv64-linux-gnu-as -march=rv64gc`
/// (linked at 0x10000), written into guest memory and run to their exit ecall.
@Suite struct ProgramTests {
    /// Writes 16-bit parcels (a 32-bit instruction is two, low half first) at `Layout.code`.
    private func load(_ parcels: [UInt16], into hart: Hart) {
        let bytes = parcels.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
        #expect(hart.memory.poke(Layout.code, bytes))
    }

    private func words(_ words: [UInt32]) -> [UInt16] {
        words.flatMap { [UInt16($0 & 0xffff), UInt16($0 >> 16)] }
    }

    @Test func integerAtomicAndCounterProgram() throws {
        let hart = makeHart()
        load(words([
            0x00a0_0293, // li t0, 10
            0x0000_0513, // li a0, 0
            0x0252_8333, // 1: mul t1, t0, t0
            0x0065_0533, // add a0, a0, t1
            0xfff2_8293, // addi t0, t0, -1
            0xfe02_9ae3, // bnez t0, 1b
            0xfff0_0393, // li t2, -1
            0x0010_0e13, // li t3, 1
            0x03fe_1e13, // slli t3, t3, 63
            0x027e_4933, // div s2, t3, t2
            0x027e_69b3, // rem s3, t3, t2
            0x0205_5a33, // divu s4, a0, zero
            0x0205_6abb, // remw s5, a0, zero
            0xfffe_0b1b, // addiw s6, t3, -1
            0x00a5_bbaf, // amoadd.d s7, a0, (a1)
            0x1005_bc2f, // lr.d s8, (a1)
            0x1875_bcaf, // sc.d s9, t2, (a1)
            0x1875_bd2f, // sc.d s10, t2, (a1)
            0xc020_2df3, // rdinstret s11
            0x05d0_0893, // li a7, 93
            0x0000_0073, // ecall
        ]), into: hart)
        try hart.memory.store(Layout.data, UInt64(1000))
        hart.set((11, Layout.data))
        #expect(Interpreter().run(hart, maxInstructions: nil) == .exited(385))
        let x = hart.state.xRegisters
        #expect(x[18] == 0x8000_0000_0000_0000)   // s2: INT_MIN / −1
        #expect(x[19] == 0)                       // s3: INT_MIN % −1
        #expect(x[20] == UInt64.max)              // s4: x / 0
        #expect(x[21] == 385)                     // s5: x % 0 (W form)
        #expect(x[22] == UInt64.max)              // s6: addiw sign-extends
        #expect(x[23] == 1000)                    // s7: amoadd's old value
        #expect(x[24] == 1385)                    // s8: lr sees the AMO's store
        #expect(x[25] == 0 && x[26] == 1)         // s9, s10: sc succeeds once
        #expect(try hart.memory.load(Layout.data, as: UInt64.self) == UInt64.max)
        #expect(x[27] == 54)                      // s11: instructions retired before rdinstret
        #expect(hart.state.instret == 57)
        #expect(hart.recorder.ecalls == [93])
    }

    @Test func compressedProgram() throws {
        let hart = makeHart()
        load([
            0x4501,              // li a0, 0
            0x4615,              // li a2, 5
            0x050d,              // 1: c.addi a0, 3
            0x167d,              // c.addi a2, -1
            0xfe75,              // c.bnez a2, 1b
            0xc1c8,              // c.sw a0, 4(a1)
            0x41d4,              // c.lw a3, 4(a1)
            0xe594,              // c.sd a3, 8(a1)
            0x6598,              // c.ld a4, 8(a1)
            0x1722,              // c.slli a4, 40
            0x9721,              // c.srai a4, 40
            0x00ef, 0x00e0,      // jal ra, f
            0x853e,              // c.mv a0, a5
            0x0893, 0x05d0,      // li a7, 93
            0x0073, 0x0000,      // ecall
            0x57e5,              // f: c.li a5, -7
            0x97ba,              // c.add a5, a4
            0x8082,              // ret
        ], into: hart)
        hart.set((11, Layout.data))
        #expect(Interpreter().run(hart, maxInstructions: nil) == .exited(8))
        #expect(hart.state.x(14) == 15)
        #expect(hart.state.x(1) == Layout.code + 0x1a)   // jal links past its 4 bytes
        #expect(try hart.memory.load(Layout.data + 4, as: UInt32.self) == 15)
        #expect(hart.state.instret == 2 + 15 + 13)
    }

    @Test func illegalEncodingAndUnimpStopWithSIGILL() {
        let hart = makeHart()
        load(words([0x0010_0513, 0xc000_1073]), into: hart)   // li a0, 1; unimp (csrw cycle, zero)
        #expect(Interpreter().run(hart, maxInstructions: nil) == .signaled(4))
        #expect(hart.recorder.exceptions == [GuestTrap(.illegalInstruction, pc: Layout.code + 4, tval: 0xc000_1073)])
        #expect(hart.state.x(10) == 1)
    }
}
