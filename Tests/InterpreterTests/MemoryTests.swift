import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

@Suite struct MemoryTests {
    /// A hart with x1 pointing at the data pages and the bytes 0x80, 0x81, ... 0x8f stored there.
    private func hartWithData() -> Hart {
        let hart = makeHart()
        _ = hart.memory.poke(Layout.data, (0..<16).map { UInt8(0x80 + $0) })
        hart.set((1, Layout.data))
        return hart
    }

    @Test(arguments: [
        (Opcode.lb, 0xFFFF_FFFF_FFFF_FF81 as UInt64), (.lbu, 0x81),
        (.lh, 0xFFFF_FFFF_FFFF_8281), (.lhu, 0x8281),
        (.lw, 0xFFFF_FFFF_8483_8281), (.lwu, 0x8483_8281),
        (.ld, 0x8887_8685_8483_8281),
    ])
    func loadsExtendBySignedness(op: Opcode, expected: UInt64) {
        let hart = hartWithData()
        // Offset 1 makes every access but lb/lbu misaligned: misaligned loads just work.
        #expect(hart.exec(i(op, 5, 1, 1)) == .retired)
        #expect(hart.state.x(5) == expected)
        #expect(hart.state.pc == Layout.code + 4)
    }

    @Test func positiveValuesZeroExtendEitherWay() {
        let hart = makeHart()
        _ = hart.memory.poke(Layout.data, [0x7f, 0x7f, 0x7f, 0x7f])
        hart.set((1, Layout.data))
        hart.exec(i(.lw, 5, 1, 0))
        #expect(hart.state.x(5) == 0x7f7f_7f7f)
        hart.exec(i(.lb, 5, 1, 0))
        #expect(hart.state.x(5) == 0x7f)
    }

    @Test(arguments: [(Opcode.sb, 1), (.sh, 2), (.sw, 4), (.sd, 8)])
    func storesWriteTheLowBytes(op: Opcode, width: Int) throws {
        let hart = makeHart()
        hart.set((1, Layout.data + 0x10), (2, 0x1122_3344_5566_7788))
        #expect(hart.exec(s(op, 1, 2, 3)) == .retired)
        let bytes = try hart.memory.read(Layout.data + 0x10, count: 16)
        let expected = [0, 0, 0] + [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11].prefix(width) + Array(repeating: 0, count: 13 - width)
        #expect(bytes == expected.map(UInt8.init))
    }

    @Test func accessesCrossingAPageBoundary() throws {
        let hart = makeHart()
        let boundary = Layout.data + GuestMemory.pageSize
        hart.set((1, boundary - 3), (2, 0x0102_0304_0506_0708))
        #expect(hart.exec(s(.sd, 1, 2, 0)) == .retired)
        #expect(try hart.memory.read(boundary - 3, count: 8) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(hart.exec(i(.ld, 3, 1, 0)) == .retired)
        #expect(hart.state.x(3) == 0x0102_0304_0506_0708)
        #expect(hart.exec(i(.lw, 4, 1, 1)) == .retired)
        #expect(hart.state.x(4) == 0x0405_0607)
    }

    @Test func loadFromUnmappedPageFaultsWithoutWritingRd() {
        let hart = makeHart()
        hart.state.pc = 0x10040
        hart.set((1, Layout.hole), (5, 0xAAAA))
        let result = hart.exec(i(.ld, 5, 1, 8))
        #expect(result == .trap(GuestTrap(.loadAccessFault, pc: 0x10040, tval: Layout.hole + 8)))
        #expect(hart.state.x(5) == 0xAAAA)
        #expect(hart.state.pc == 0x10040)
    }

    @Test func loadRunningOffTheEndOfMappedMemoryFaults() {
        let hart = makeHart()
        // The read-only page is followed by unmapped memory: the last 4 bytes are fine, 8 are not.
        let end = Layout.readOnly + GuestMemory.pageSize
        hart.set((1, end - 4))
        #expect(hart.exec(i(.lw, 5, 1, 0)) == .retired)
        #expect(hart.exec(i(.ld, 6, 1, 0)) == .trap(GuestTrap(.loadAccessFault, pc: Layout.code + 4, tval: end - 4)))
        #expect(hart.state.x(6) == 0)
    }

    @Test func storeToReadOnlyOrPartlyUnmappedMemoryWritesNothing() throws {
        let hart = makeHart()
        hart.set((1, Layout.readOnly), (2, UInt64.max))
        #expect(hart.exec(s(.sb, 1, 2, 0)) == .trap(GuestTrap(.storeAccessFault, pc: Layout.code, tval: Layout.readOnly)))
        #expect(try hart.memory.read(Layout.readOnly, count: 1) == [0])
        // Crossing from the writable data into the read-only page: no byte changes.
        hart.set((1, Layout.readOnly - 4))
        #expect(hart.exec(s(.sd, 1, 2, 0)) == .trap(GuestTrap(.storeAccessFault, pc: Layout.code, tval: Layout.readOnly - 4)))
        #expect(try hart.memory.read(Layout.readOnly - 4, count: 8) == Array(repeating: 0, count: 8))
    }

    @Test func addressesBeyondTheLimitOrWrappingFault() {
        let hart = makeHart()
        hart.set((1, UInt64.max - 2))
        #expect(hart.exec(i(.lw, 5, 1, 0)) == .trap(GuestTrap(.loadAccessFault, pc: Layout.code, tval: UInt64.max - 2)))
        hart.set((1, 1 << 40))
        #expect(hart.exec(s(.sw, 1, 1, 0)) == .trap(GuestTrap(.storeAccessFault, pc: Layout.code, tval: 1 << 40)))
        // The address is rs1 + imm, wrapping.
        hart.set((1, UInt64.max))
        #expect(hart.exec(i(.lbu, 5, 1, Int64(Layout.data) + 1)) == .retired)
    }

    @Test func loadIntoX0StillFaults() {
        let hart = makeHart()
        hart.set((1, Layout.hole))
        #expect(hart.exec(i(.lw, 0, 1, 0)) == .trap(GuestTrap(.loadAccessFault, pc: Layout.code, tval: Layout.hole)))
    }

    @Test func flwNaNBoxesAndFswStoresTheLow32Bits() throws {
        let hart = makeHart()
        _ = hart.memory.poke(Layout.data, [0x00, 0x00, 0xc0, 0x7f])
        hart.set((1, Layout.data))
        hart.state.setF(3, 0)
        hart.exec(i(.flw, 3, 1, 0))
        #expect(hart.state.f(3) == 0xFFFF_FFFF_7FC0_0000)
        // fsw takes the low half as is, even from a value that is not NaN-boxed.
        hart.state.setF(4, 0x1234_5678_3F80_0000)
        hart.exec(s(.fsw, 1, 4, 8))
        #expect(try hart.memory.read(Layout.data + 8, count: 8) == [0x00, 0x00, 0x80, 0x3f, 0, 0, 0, 0])
    }

    @Test func fldAndFsdMoveBitsUnchanged() throws {
        let hart = makeHart()
        hart.set((1, Layout.data + 1))
        let sNaN: UInt64 = 0x7FF0_0000_0000_0001
        hart.state.setF(4, sNaN)
        hart.exec(s(.fsd, 1, 4, 0))
        hart.exec(i(.fld, 5, 1, 0))
        #expect(hart.state.f(5) == sNaN)
        hart.set((1, Layout.hole))
        hart.state.setF(6, 42)
        #expect(hart.exec(i(.fld, 6, 1, 0)) == .trap(GuestTrap(.loadAccessFault, pc: hart.state.pc, tval: Layout.hole)))
        #expect(hart.state.f(6) == 42)
        #expect(hart.exec(s(.fsw, 1, 6, 0)) == .trap(GuestTrap(.storeAccessFault, pc: hart.state.pc, tval: Layout.hole)))
    }
}
