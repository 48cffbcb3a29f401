import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// x1 = address, x2 = operand, rd = x3.
private func amo(_ op: Opcode) -> Instruction { r(op, 3, 1, 2) }

@Suite struct AtomicTests {
    @Test func lrScSucceedsOnce() throws {
        let hart = makeHart()
        try hart.memory.store(Layout.data, UInt64(7))
        hart.set((1, Layout.data), (2, 99))
        hart.exec(amo(.lr_d))
        #expect(hart.state.x(3) == 7)
        #expect(hart.state.reservationValid)
        hart.exec(r(.sc_d, 4, 1, 2))
        #expect(hart.state.x(4) == 0)
        #expect(try hart.memory.load(Layout.data, as: UInt64.self) == 99)
        #expect(!hart.state.reservationValid)
        // The reservation is gone: a second sc fails and leaves memory alone.
        hart.set((2, 100))
        hart.exec(r(.sc_d, 4, 1, 2))
        #expect(hart.state.x(4) == 1)
        #expect(try hart.memory.load(Layout.data, as: UInt64.self) == 99)
    }

    @Test func scWithoutReservationOrToAnotherAddressFails() throws {
        let hart = makeHart()
        hart.set((1, Layout.data), (2, 5))
        hart.exec(r(.sc_w, 4, 1, 2))
        #expect(hart.state.x(4) == 1)
        hart.exec(amo(.lr_w))
        hart.set((1, Layout.data + 4))
        hart.exec(r(.sc_w, 4, 1, 2))
        #expect(hart.state.x(4) == 1)
        #expect(!hart.state.reservationValid)
        #expect(try hart.memory.read(Layout.data, count: 8) == Array(repeating: 0, count: 8))
    }

    @Test func lrWordSignExtendsAndScWordStores32Bits() throws {
        let hart = makeHart()
        try hart.memory.store(Layout.data, UInt32(0x8000_0001))
        hart.set((1, Layout.data), (2, 0xFFFF_FFFF_1234_5678))
        hart.exec(amo(.lr_w))
        #expect(hart.state.x(3) == 0xFFFF_FFFF_8000_0001)
        hart.exec(r(.sc_w, 4, 1, 2))
        #expect(hart.state.x(4) == 0)
        #expect(try hart.memory.load(Layout.data, as: UInt64.self) == 0x1234_5678)
    }

    @Test func misalignedAtomicsRaiseMisalignedExceptions() {
        let hart = makeHart()
        hart.set((1, Layout.data + 4), (3, 0xCC))
        #expect(hart.exec(amo(.lr_d)) == .trap(GuestTrap(.loadMisaligned, pc: Layout.code, tval: Layout.data + 4)))
        #expect(hart.exec(amo(.sc_d)) == .trap(GuestTrap(.storeMisaligned, pc: Layout.code, tval: Layout.data + 4)))
        #expect(hart.exec(amo(.amoadd_d)) == .trap(GuestTrap(.storeMisaligned, pc: Layout.code, tval: Layout.data + 4)))
        hart.set((1, Layout.data + 2))
        #expect(hart.exec(amo(.lr_w)) == .trap(GuestTrap(.loadMisaligned, pc: Layout.code, tval: Layout.data + 2)))
        #expect(hart.exec(amo(.amoswap_w)) == .trap(GuestTrap(.storeMisaligned, pc: Layout.code, tval: Layout.data + 2)))
        #expect(hart.state.x(3) == 0xCC)
        #expect(!hart.state.reservationValid)
    }

    @Test func atomicsOnProtectedPagesFaultAsStores() throws {
        let hart = makeHart()
        hart.set((1, Layout.readOnly), (3, 0xCC))
        #expect(hart.exec(amo(.amoor_w)) == .trap(GuestTrap(.storeAccessFault, pc: Layout.code, tval: Layout.readOnly)))
        #expect(hart.state.x(3) == 0xCC)
        // lr only reads, so a read-only page is fine for it.
        #expect(hart.exec(amo(.lr_d)) == .retired)
        #expect(hart.exec(r(.sc_d, 4, 1, 2)) == .trap(GuestTrap(.storeAccessFault, pc: Layout.code + 4, tval: Layout.readOnly)))
        hart.set((1, Layout.hole))
        #expect(hart.exec(amo(.lr_w)) == .trap(GuestTrap(.loadAccessFault, pc: Layout.code + 4, tval: Layout.hole)))
        #expect(hart.exec(amo(.amomax_d)) == .trap(GuestTrap(.storeAccessFault, pc: Layout.code + 4, tval: Layout.hole)))
    }

    /// Each AMO with memory = `old` and rs2 = `operand`: (opcode, old, operand, new memory).
    @Test(arguments: [
        (Opcode.amoswap_d, 0x8000_0000_0000_0000 as UInt64, 5 as UInt64, 5 as UInt64),
        (.amoadd_d, UInt64.max, 2, 1),
        (.amoxor_d, 0b1100, 0b1010, 0b0110),
        (.amoand_d, 0b1100, 0b1010, 0b1000),
        (.amoor_d, 0b1100, 0b1010, 0b1110),
        (.amomin_d, UInt64.max, 1, UInt64.max),       // −1 < 1 signed
        (.amomax_d, UInt64.max, 1, 1),
        (.amominu_d, UInt64.max, 1, 1),               // 1 < 2^64−1 unsigned
        (.amomaxu_d, UInt64.max, 1, UInt64.max),
    ])
    func doublewordAMOs(op: Opcode, old: UInt64, operand: UInt64, new: UInt64) throws {
        let hart = makeHart()
        try hart.memory.store(Layout.data + 8, old)
        hart.set((1, Layout.data + 8), (2, operand))
        #expect(hart.exec(amo(op)) == .retired)
        #expect(hart.state.x(3) == old)
        #expect(try hart.memory.load(Layout.data + 8, as: UInt64.self) == new)
    }

    /// The .w forms work on the low 32 bits of rs2, compare with 32-bit signedness, and return the
    /// old word sign-extended; the neighbouring word is untouched.
    @Test(arguments: [
        (Opcode.amoswap_w, 0x8000_0000 as UInt32, 0xFFFF_FFFF_0000_0005 as UInt64, 5 as UInt32),
        (.amoadd_w, 0xFFFF_FFFF, 2, 1),
        (.amoxor_w, 0b1100, 0b1010, 0b0110),
        (.amoand_w, 0b1100, 0b1010, 0b1000),
        (.amoor_w, 0b1100, 0b1010, 0b1110),
        (.amomin_w, 0xFFFF_FFFF, 1, 0xFFFF_FFFF),
        (.amomax_w, 0xFFFF_FFFF, 1, 1),
        (.amominu_w, 0xFFFF_FFFF, 1, 1),
        (.amomaxu_w, 0xFFFF_FFFF, 1, 0xFFFF_FFFF),
        // rs2's upper half is ignored: 0x1_0000_0000 is 0 as a word, and signed 0 > −1.
        (.amomax_w, 0xFFFF_FFFF, 0x1_0000_0000, 0),
        (.amominu_w, 0x8000_0000, 0xFFFF_FFFF_7FFF_FFFF, 0x7FFF_FFFF),
    ])
    func wordAMOs(op: Opcode, old: UInt32, operand: UInt64, new: UInt32) throws {
        let hart = makeHart()
        try hart.memory.store(Layout.data, old)
        try hart.memory.store(Layout.data + 4, UInt32(0xA5A5_A5A5))
        hart.set((1, Layout.data), (2, operand))
        #expect(hart.exec(amo(op)) == .retired)
        #expect(hart.state.x(3) == UInt64(bitPattern: Int64(Int32(bitPattern: old))))
        #expect(try hart.memory.load(Layout.data, as: UInt32.self) == new)
        #expect(try hart.memory.load(Layout.data + 4, as: UInt32.self) == 0xA5A5_A5A5)
    }

    @Test func amoWithRdEqualToRs2UsesTheOldOperand() throws {
        let hart = makeHart()
        try hart.memory.store(Layout.data, UInt64(10))
        hart.set((1, Layout.data), (2, 3))
        hart.exec(r(.amoadd_d, 2, 1, 2))
        #expect(hart.state.x(2) == 10)
        #expect(try hart.memory.load(Layout.data, as: UInt64.self) == 13)
    }
}
