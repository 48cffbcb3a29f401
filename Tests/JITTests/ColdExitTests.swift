import Guest
import Interpreter
import JIT
import Testing
import TestSupport

/// The cold stubs are one `call` to a shared thunk each, the site's pc, budget to give back and
/// exit argument kept in a table (ColdExits.swift). These programs take every kind of cold exit
/// from the middle of blocks with side exits, where the budget to give back is neither 0 nor the
/// whole block, and expect the interpreter's pc, instret and exception exactly.
@Suite struct ColdExitTests {
    /// A load and a store above the guest limit (the inline check's fault stub), each after a
    /// forward branch inside the block, so that only part of the block's budget was taken.
    @Test(arguments: [false, true]) func limitFaultsAfterSideExits(store: Bool) {
        let handler = Layout.code + 4 * 12
        let access = store ? RV.sd(6, 7, 16) : RV.ld(6, 7, 16)
        let code: [UInt32] = [
            RV.lui(7, 0x1000),               // the limit
            RV.addi(6, 0, 3),
            RV.beq(6, 0, 8),                 // side exit, not taken
            RV.addi(12, 12, 1),
            RV.bne(6, 6, 8),                 // side exit, not taken
            RV.addi(13, 13, 1),
            access,                          // +24: beyond the limit
            RV.addi(10, 0, 1), RV.addi(10, 0, 2), RV.addi(10, 0, 3), RV.addi(10, 0, 4), RV.addi(10, 0, 5),
            // +48: the handler counts faults; the second time it leaves.
            RV.addi(11, 11, 1),
            RV.addi(14, 0, 2),
            RV.beq(11, 14, 12),
            RV.addi(10, 0, 6),
            access,                          // +64: fault 2, the stub of another block
        ] + RV.exit
        let program = Program(code: code)
        let reference = ColdExitTests.run(program, Interpreter(), resumingAt: handler)
        let cause: ExceptionCause = store ? .storeAccessFault : .loadAccessFault
        #expect(reference.exceptions == [GuestTrap(cause, pc: Layout.code + 24, tval: Layout.limit + 16),
                                         GuestTrap(cause, pc: Layout.code + 64, tval: Layout.limit + 16)])
        #expect(reference.status == .exited(6))
        for chaining in [true, false] {
            #expect(ColdExitTests.run(program, smallJIT(chaining: chaining), resumingAt: handler) == reference)
        }
    }

    /// Runs `program` with exceptions sent to `handler`.
    static func run(_ program: Program, _ engine: Engine, resumingAt handler: UInt64) -> Outcome {
        let (hart, environment) = program.makeHart()
        environment.resumeAt = handler
        let status = engine.run(hart, maxInstructions: 1000)
        let data = (try? hart.memory.read(Layout.data, count: Int(Layout.dataSize))) ?? []
        return Outcome(status: status, pc: hart.state.pc, instret: hart.state.instret, x: hart.state.xRegisters,
                       data: data, exceptions: environment.exceptions, ecalls: environment.ecalls)
    }

    /// Budget exits at every instruction count through a block with side exits and a loop: each
    /// budget stub's pc and give-back come from the table.
    @Test func budgetExitsAtEveryLimit() {
        let code: [UInt32] = [
            RV.addi(5, 0, 4),
            RV.addi(10, 10, 3),              // +4: loop head
            RV.beq(10, 0, 8),                // side exit, not taken
            RV.addi(11, 11, 1),
            RV.bne(11, 0, 8),                // side exit, taken
            RV.addi(12, 12, 1),
            RV.addi(5, 5, -1),               // +24
            RV.bne(5, 0, -24),
        ] + RV.exit
        for limit in 1...40 {
            expectSameUnderBothEngines(Program(code: code), maxInstructions: UInt64(limit))
        }
    }

    /// A block full of loads and stores stays small: the out-of-line code per limit check is a
    /// 5-byte call, not a 40-byte stub.
    @Test func limitChecksCostLittleCode() {
        var code: [UInt32] = []
        for k in 0..<32 { code += [RV.ld(5, 28 + k % 3, 8 * k), RV.sd(5, 29 + k % 2, 8 * k + 4)] }
        code += RV.exit
        let program = Program(code: code) { s in
            s.setX(28, Layout.data); s.setX(29, Layout.data + 0x400); s.setX(30, Layout.data + 0x800)
        }
        let jit = smallJIT()
        _ = program.run(jit)
        let perInstruction = Double(jit.stats.hostCodeBytes) / Double(jit.stats.guestInstructionsTranslated)
        #expect(perInstruction < 24, "\(perInstruction) host bytes per guest instruction")
        expectSameUnderBothEngines(program)
    }
}
