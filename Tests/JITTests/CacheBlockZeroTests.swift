import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// cbo.zero inline in user mode (Lower+CacheBlock.swift): a memset loop that stays in one block,
/// every alignment of rs1 within the block, and faults (unmapped, read-only, past the limit) with
/// the handler's cause, pc and tval, against the interpreter.
@Suite struct CacheBlockZeroTests {
    static let t0 = 5, t1 = 6, a0 = 10

    @Test func memsetLoopStaysInTheBlock() throws {
        // for (p = data + 8; p < data + 8 + 4·64; p += 64) cbo.zero p — then a marker.
        let program = [RV.addi(Self.t0, Layout.dataRegister, 8), RV.addi(Self.t1, Layout.dataRegister, 8 + 4 * 64),
                       rv(.cbo_zero, rs1: Self.t0), RV.addi(Self.t0, Self.t0, 64), RV.b(.bltu, Self.t0, Self.t1, -8),
                       RV.addi(Self.a0, 0, 7)]
        let data = (0..<48).map { UInt64($0) | 0x5a5a_0000_0000_0000 }
        let outcome = expectSameUnderBothEngines(Program(code: program + RV.exit, data: data))
        for k in 0..<48 {
            #expect(outcome.data[8 * k] == ((0..<32).contains(k) ? 0 : UInt8(k)), "word \(k)")
        }
        #expect(outcome.x[Self.a0] == 7)
        // The loop body is one block that does not end at cbo.zero.
        let (hart, _) = Program(code: program + RV.exit, data: data).makeHart()
        let jit = smallJIT()
        let listing = try #require(jit.listing(hart, at: Layout.code + 8))
        #expect(listing.guest.count == 3 && listing.guest[0].opcode == .cbo_zero, "\(listing.guest.map(\.opcode))")
        let text = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        #expect(text.filter { $0.hasPrefix("movups") }.count == 4, "\(text)")
    }

    @Test func everyOffsetAndFaults() {
        for offset in [0, 1, 15, 16, 63] {
            let code = [RV.addi(Self.t0, Layout.dataRegister, 128 + offset), rv(.cbo_zero, rs1: Self.t0), RV.addi(Self.a0, 0, 1)]
            let data = (0..<40).map { _ in UInt64.max }
            let outcome = expectSameUnderBothEngines(Program(code: code + RV.exit, data: data))
            for k in 0..<40 { #expect(outcome.data[8 * k] == ((16..<24).contains(k) ? 0 : 0xff), "offset \(offset) word \(k)") }
        }
        // Unmapped, read-only, at and past the limit: a store access fault at the cbo.zero, tval rs1.
        for address in [Layout.hole + 0x21, Layout.readOnly + 0x7f, Layout.limit, Layout.limit + 0x40, UInt64.max - 5] {
            let code = [RV.ld(Self.t0, Layout.dataRegister, 0), RV.addi(Self.a0, 0, 1), rv(.cbo_zero, rs1: Self.t0),
                        RV.addi(Self.a0, 0, 2)]
            let outcome = expectSameUnderBothEngines(Program(code: code + RV.exit, data: [address]))
            #expect(outcome.exceptions == [GuestTrap(.storeAccessFault, pc: Layout.code + 8, tval: address)], "\(address)")
            #expect(outcome.x[Self.a0] == 1)
        }
    }
}
