import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// Runs `inst` with x1 = a and x2 = b, returning x3.
private func binary(_ op: Opcode, _ a: UInt64, _ b: UInt64) -> UInt64 {
    let hart = makeHart()
    hart.set((1, a), (2, b))
    #expect(hart.exec(r(op, 3, 1, 2)) == .retired)
    return hart.state.x(3)
}

private func immediate(_ op: Opcode, _ a: UInt64, _ imm: Int64) -> UInt64 {
    let hart = makeHart()
    hart.set((1, a))
    #expect(hart.exec(i(op, 3, 1, imm)) == .retired)
    return hart.state.x(3)
}

private let intMin: UInt64 = 0x8000_0000_0000_0000
private let minusOne = UInt64.max
/// INT32_MIN with garbage in the upper half, which the W forms must ignore.
private let wordMin: UInt64 = 0x1234_5678_8000_0000

@Suite struct IntegerTests {
    @Test func divisionByZero() {
        #expect(binary(.div, 42, 0) == UInt64.max)
        #expect(binary(.divu, 42, 0) == UInt64.max)
        #expect(binary(.rem, 42, 0) == 42)
        #expect(binary(.rem, UInt64(bitPattern: -42), 0) == UInt64(bitPattern: -42))
        #expect(binary(.remu, 42, 0) == 42)
        // W forms: the 32-bit results, sign-extended.
        #expect(binary(.divw, 0xFFFF_FFFF_0000_0007, 0xABCD_0000_0000_0000) == UInt64.max)
        #expect(binary(.divuw, 7, 0) == UInt64.max)
        #expect(binary(.remw, 0x0000_0001_8000_0005, 0) == 0xFFFF_FFFF_8000_0005)
        #expect(binary(.remuw, 0x0000_0001_8000_0005, 0) == 0xFFFF_FFFF_8000_0005)
        #expect(binary(.remuw, 0x0000_0001_0000_0005, 0) == 5)
    }

    @Test func signedOverflow() {
        #expect(binary(.div, intMin, minusOne) == intMin)
        #expect(binary(.rem, intMin, minusOne) == 0)
        #expect(binary(.divw, wordMin, minusOne) == 0xFFFF_FFFF_8000_0000)
        #expect(binary(.remw, wordMin, minusOne) == 0)
        // Unsigned forms see ordinary numbers.
        #expect(binary(.divu, intMin, minusOne) == 0)
        #expect(binary(.remu, intMin, minusOne) == intMin)
        #expect(binary(.divuw, wordMin, minusOne) == 0)
        #expect(binary(.remuw, wordMin, minusOne) == 0xFFFF_FFFF_8000_0000)
    }

    @Test func ordinaryDivision() {
        let m7 = UInt64(bitPattern: -7)
        #expect(binary(.div, m7, 2) == UInt64(bitPattern: -3))  // truncates toward zero
        #expect(binary(.rem, m7, 2) == UInt64(bitPattern: -1))  // sign of the dividend
        #expect(binary(.divu, m7, 2) == m7 / 2)
        #expect(binary(.remu, 7, 2) == 1)
        #expect(binary(.divw, 0xFFFF_FFF9, 2) == UInt64(bitPattern: -3))
        #expect(binary(.remw, 0xFFFF_FFF9, 2) == UInt64(bitPattern: -1))
        #expect(binary(.divuw, 0xFFFF_FFF9, 1) == 0xFFFF_FFFF_FFFF_FFF9)  // bit 31 set → sign-extended
        #expect(binary(.remuw, 0xFFFF_FFF9, 0x10) == 9)
    }

    @Test func multiplication() {
        #expect(binary(.mul, 0xFFFF_FFFF_FFFF_FFFF, 3) == UInt64(bitPattern: -3))
        #expect(binary(.mulh, minusOne, minusOne) == 0)                // (−1)(−1) = 1
        #expect(binary(.mulh, intMin, intMin) == 0x4000_0000_0000_0000)
        #expect(binary(.mulh, intMin, 2) == minusOne)
        #expect(binary(.mulhu, minusOne, minusOne) == 0xFFFF_FFFF_FFFF_FFFE)
        #expect(binary(.mulhsu, minusOne, minusOne) == minusOne)       // −1 × (2^64−1) → high −1
        #expect(binary(.mulhsu, 2, minusOne) == 1)
        #expect(binary(.mulhsu, intMin, 2) == minusOne)
        #expect(binary(.mulw, 0x1_0000_0000 | 0x8000_0000, 1) == 0xFFFF_FFFF_8000_0000)
        #expect(binary(.mulw, 0x10000, 0x10000) == 0)
    }

    @Test func wordFormsSignExtend() {
        #expect(binary(.addw, 0x7FFF_FFFF, 1) == 0xFFFF_FFFF_8000_0000)
        #expect(binary(.subw, 0, 1) == UInt64.max)
        #expect(binary(.subw, 0xFFFF_FFFF_0000_0000, 0) == 0)
        #expect(immediate(.addiw, 0xDEAD_BEEF_7FFF_FFFF, 1) == 0xFFFF_FFFF_8000_0000)
        #expect(immediate(.addiw, 0xFFFF_FFFF_0000_0001, -2) == UInt64.max)
        // sext.w
        #expect(immediate(.addiw, 0x0000_0000_8765_4321, 0) == 0xFFFF_FFFF_8765_4321)
    }

    @Test func shiftsUseLowBitsOfAmount() {
        #expect(binary(.sll, 1, 65) == 2)
        #expect(binary(.sll, 1, 63) == intMin)
        #expect(binary(.srl, intMin, 64 + 63) == 1)
        #expect(binary(.sra, intMin, 0xFFFF_FFFF_FFFF_FFC0 | 63) == minusOne)
        #expect(binary(.sllw, 1, 33) == 2)
        #expect(binary(.sllw, 1, 31) == 0xFFFF_FFFF_8000_0000)
        #expect(binary(.srlw, 0xFFFF_FFFF_8000_0000, 32 + 31) == 1)
        #expect(binary(.srlw, 0xFFFF_FFFF_8000_0000, 0) == 0xFFFF_FFFF_8000_0000)
        #expect(binary(.sraw, 0x0000_0000_8000_0000, 31) == minusOne)
        #expect(binary(.sraw, 0xFFFF_FFFF_7FFF_FFFF, 36) == 0x07FF_FFFF)
        #expect(immediate(.slli, 3, 62) == 0xC000_0000_0000_0000)
        #expect(immediate(.srli, minusOne, 60) == 0xF)
        #expect(immediate(.srai, intMin, 60) == 0xFFFF_FFFF_FFFF_FFF8)
        #expect(immediate(.slliw, 0x0000_0000_4000_0001, 1) == 0xFFFF_FFFF_8000_0002)
        #expect(immediate(.srliw, 0xFFFF_FFFF_8000_0000, 1) == 0x4000_0000)
        #expect(immediate(.sraiw, 0x0000_0000_8000_0000, 4) == 0xFFFF_FFFF_F800_0000)
    }

    @Test func comparisonsAndLogic() {
        #expect(binary(.slt, minusOne, 0) == 1)
        #expect(binary(.sltu, minusOne, 0) == 0)
        #expect(immediate(.slti, minusOne, 0) == 1)
        #expect(immediate(.sltiu, 0, -1) == 1)         // imm sign-extends, then compares unsigned
        #expect(immediate(.sltiu, 5, 1) == 0)
        #expect(immediate(.xori, 0x0F, -1) == ~UInt64(0x0F))
        #expect(immediate(.ori, 0x100, -0x800) == 0xFFFF_FFFF_FFFF_F900)
        #expect(immediate(.andi, minusOne, 0x7FF) == 0x7FF)
        #expect(binary(.and, 0b1100, 0b1010) == 0b1000)
        #expect(binary(.or, 0b1100, 0b1010) == 0b1110)
        #expect(binary(.xor, 0b1100, 0b1010) == 0b0110)
        #expect(binary(.add, minusOne, 2) == 1)
        #expect(binary(.sub, 0, 1) == minusOne)
    }

    @Test func luiAndAuipc() {
        let hart = makeHart()
        hart.state.pc = 0x1000_0000
        hart.exec(u(.lui, 5, -0x8000_0000))
        #expect(hart.state.x(5) == 0xFFFF_FFFF_8000_0000)
        #expect(hart.state.pc == 0x1000_0004)
        hart.exec(u(.auipc, 6, 0x1000))
        #expect(hart.state.x(6) == 0x1000_1004)
        hart.exec(u(.auipc, 7, -0x1000))
        #expect(hart.state.x(7) == 0x0FFF_F008)
    }

    @Test func x0StaysZero() {
        let hart = makeHart()
        hart.set((1, 5))
        hart.exec(i(.addi, 0, 1, 7))
        hart.exec(u(.lui, 0, 0x1000))
        #expect(hart.state.x(0) == 0)
        hart.exec(r(.add, 2, 0, 1))
        #expect(hart.state.x(2) == 5)
    }

    @Test(arguments: [
        (Opcode.beq, 5 as UInt64, 5 as UInt64, true), (.beq, 5, 6, false),
        (.bne, 5, 6, true), (.bne, 5, 5, false),
        (.blt, UInt64.max, 0, true), (.blt, 0, UInt64.max, false), (.blt, 3, 3, false),
        (.bge, 0, UInt64.max, true), (.bge, 3, 3, true), (.bge, UInt64.max, 0, false),
        (.bltu, 0, UInt64.max, true), (.bltu, UInt64.max, 0, false),
        (.bgeu, UInt64.max, 0, true), (.bgeu, 3, 3, true), (.bgeu, 0, 1, false),
    ])
    func branches(op: Opcode, a: UInt64, b: UInt64, taken: Bool) {
        let hart = makeHart()
        hart.state.pc = 0x10100
        hart.set((1, a), (2, b))
        #expect(hart.exec(s(op, 1, 2, -0x100)) == .retired)
        #expect(hart.state.pc == (taken ? 0x10000 : 0x10104))
        var compressed = s(op, 1, 2, 0x40)
        compressed.length = 2
        hart.state.pc = 0x10100
        hart.exec(compressed)
        #expect(hart.state.pc == (taken ? 0x10140 : 0x10102))
    }

    @Test func jalLinksAndJumps() {
        let hart = makeHart()
        hart.state.pc = 0x10010
        hart.exec(u(.jal, 1, -0x10))
        #expect(hart.state.pc == 0x10000)
        #expect(hart.state.x(1) == 0x10014)
        var cj = u(.jal, 1, 0x20)   // c.jal links pc + 2
        cj.length = 2
        hart.exec(cj)
        #expect(hart.state.pc == 0x10020)
        #expect(hart.state.x(1) == 0x10002)
        hart.exec(u(.jal, 0, 8))    // j: no link
        #expect(hart.state.x(0) == 0)
        #expect(hart.state.pc == 0x10028)
    }

    @Test func jalrClearsBitZeroAndReadsRs1BeforeLinking() {
        let hart = makeHart()
        hart.state.pc = 0x10000
        hart.set((5, 0x20001))
        hart.exec(i(.jalr, 1, 5, 2))
        #expect(hart.state.pc == 0x20002)
        #expect(hart.state.x(1) == 0x10004)
        // rd == rs1: the target uses the old value.
        hart.state.pc = 0x10000
        hart.set((1, 0x30000))
        hart.exec(i(.jalr, 1, 1, -1))
        #expect(hart.state.pc == 0x2FFFE)
        #expect(hart.state.x(1) == 0x10004)
        // Wraps around the address space without trapping.
        hart.set((2, UInt64.max))
        hart.exec(i(.jalr, 0, 2, 3))
        #expect(hart.state.pc == 2)
    }

    @Test func fenceIsANoOp() {
        let hart = makeHart()
        let before = hart.state.xRegisters
        #expect(hart.exec(Instruction(opcode: .fence, rm: 0xff)) == .retired)
        #expect(hart.state.xRegisters == before)
        #expect(hart.state.pc == Layout.code + 4)
    }
}
