import Guest
import JIT
import Testing
import TestSupport

@Suite struct MemoryTests {
    /// Every load width, signed and unsigned, at every alignment and across the page boundary
    /// between the two data pages; stores of every width likewise.
    @Test func loadsAndStoresAllWidthsAndAlignments() {
        let pattern: [UInt64] = (0..<8).map { 0x8182_8384_f5f6_f7f8 &+ UInt64($0) &* 0x1111_1111_1111_1111 }
        var code: [UInt32] = []
        // x29 points 16 bytes below the page boundary.
        let bases: [(Int, Int)] = [(31, 0), (29, 0)]
        var out = 0
        for (base, _) in bases {
            for offset in 0..<12 {
                for load in RV.loads {
                    let rd = [10, 5, 12, 7][out % 4]
                    code += [RV.i(load, rd, base, offset), RV.sd(rd, 30, 8 * (out % 200))]
                    out += 1
                }
            }
        }
        // Stores: every width at odd offsets, read back by the data comparison.
        for offset in [1, 3, 6, 13, 15] {
            for (k, store) in RV.stores.enumerated() {
                code += [loadWord(11, offset % 8), RV.s(store, 11, 28, offset * 8 + k)]
                code += [loadWord(6, (offset + 1) % 8), RV.s(store, 6, 29, offset + k)]
            }
        }
        code += [RV.sd(0, 28, 0)] // x0 as the stored value
        code += RV.exit
        let program = Program(code: code, data: pattern) { s in
            s.setX(29, Layout.data + 0x1000 - 16)
            s.setX(30, Layout.data + 0x800)
            s.setX(28, Layout.data + 0x100)
        }
        let outcome = expectSameUnderBothEngines(program)
        #expect(outcome.status == .exited(Int32(truncatingIfNeeded: outcome.x[10])))
    }

    /// A load from an unmapped page inside the range faults in the host; the guest sees a load
    /// access fault at the exact pc, with earlier instructions of the block retired.
    @Test func faultOnUnmappedPage() {
        let code: [UInt32] = [
            RV.addi(10, 0, 5), RV.addi(5, 0, 6), RV.lui(12, 0x30), // a2 = hole
            RV.ld(11, 12, 8), RV.addi(10, 0, 99),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code))
        #expect(outcome.status == .signaled(11))
        #expect(outcome.pc == Layout.code + 12)
        #expect(outcome.instret == 3)
        #expect(outcome.x[10] == 5 && outcome.x[5] == 6)
        #expect(outcome.exceptions == [GuestTrap(.loadAccessFault, pc: Layout.code + 12, tval: Layout.hole + 8)])
    }

    /// A misaligned load that starts on a readable page and runs into an unmapped one faults with
    /// the address where it starts, through a cached base register and an offset.
    @Test func faultOnAccessCrossingIntoUnmappedPage() {
        let code: [UInt32] = [RV.lui(10, 0x23), RV.addi(11, 0, 7), RV.ld(12, 10, -4), RV.addi(11, 0, 8)] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code))
        #expect(outcome.exceptions == [GuestTrap(.loadAccessFault, pc: Layout.code + 8, tval: 0x22ffc)])
        #expect(outcome.x[11] == 7 && outcome.instret == 2)
    }

    /// Stores to a read-only page fault in the host too; stores past the guest limit are caught
    /// by the inline check. Both resume at a handler and the program goes on.
    @Test func storeFaultsResumeAtHandler() {
        let handler = Layout.code + 4 * 10
        let code: [UInt32] = [
            RV.lui(5, 0x22),                // read-only page
            RV.lui(7, 0x1000),              // 16 MiB: the limit
            RV.addi(6, 0, 1),
            RV.sd(6, 5, 0),                 // +12: fault 1 (in the host)
            RV.sw(6, 7, 4),                 // never reached
            RV.addi(10, 0, 1), RV.addi(10, 0, 2), RV.addi(10, 0, 3), RV.addi(10, 0, 4), RV.addi(10, 0, 5),
            // +40: the handler counts faults in a1; the second time it leaves.
            RV.addi(11, 11, 1),
            RV.addi(12, 0, 2),
            RV.beq(11, 12, 12),
            RV.sw(6, 7, 4),                 // +52: fault 2, caught by the inline limit check
            RV.addi(10, 0, 77),
        ] + RV.exit
        for chaining in [true, false] {
            let program = Program(code: code)
            let (hart, env) = program.makeHart()
            env.resumeAt = handler
            let status = smallJIT(chaining: chaining).run(hart, maxInstructions: 1000)
            #expect(env.exceptions.count == 2)
            #expect(env.exceptions.first == GuestTrap(.storeAccessFault, pc: Layout.code + 12, tval: Layout.readOnly))
            #expect(env.exceptions.last == GuestTrap(.storeAccessFault, pc: Layout.code + 52, tval: Layout.limit + 4))
            #expect(status == .exited(Int32(truncatingIfNeeded: hart.state.x(10))))
            // Interpreter agrees.
            let (ih, ie) = program.makeHart()
            ie.resumeAt = handler
            let istatus = Interpreter().run(ih, maxInstructions: 1000)
            #expect(istatus == status && ie.exceptions == env.exceptions && ih.state.xRegisters == hart.state.xRegisters
                    && ih.state.instret == hart.state.instret)
        }
    }
}

import Interpreter
