import Guest
import Interpreter
import JIT
import Testing
import TestSupport

@Suite struct EngineTests {
    /// Code writes an instruction, fence.i, runs it; rewrites it, fence.i, runs the new one.
    @Test func selfModifyingCodeWithFenceI() {
        let five = RV.addi(10, 0, 5), seven = RV.addi(10, 0, 7)
        var code: [UInt32] = [
            RV.auipc(5, 0),            // 0
            RV.ld(6, 31, 0),           // 4
            RV.sw(6, 5, 64),           // 8
            RV.fenceI,                 // 12
            RV.jal(1, 48),             // 16 → 64
            RV.addi(18, 10, 0),        // 20
            RV.ld(6, 31, 8),           // 24
            RV.sw(6, 5, 64),           // 28
            RV.fenceI,                 // 32
            RV.jal(1, 28),             // 36 → 64
            RV.addi(19, 10, 0),        // 40
            RV.jal(0, 28),             // 44 → 72
        ]
        while code.count < 16 { code.append(RV.addi(0, 0, 0)) }
        code += [RV.addi(10, 0, 1), RV.jalr(0, 1, 0)]         // 64, 68
        code += [RV.add(10, 18, 19)] + RV.exit                 // 72
        let program = Program(code: code, data: [UInt64(five), UInt64(seven)], writableCode: true)
        let outcome = expectSameUnderBothEngines(program)
        #expect(outcome.status == .exited(12))
        #expect(outcome.x[18] == 5 && outcome.x[19] == 7)
    }

    /// Code written with `poke` (a debugger's breakpoint, no fence.i) replaces translated code.
    @Test func pokedCodeReplacesTranslations() {
        let program = Program(code: [RV.addi(10, 10, 1), RV.jal(0, -4)])
        let (hart, _) = program.makeHart()
        let jit = smallJIT()
        #expect(jit.run(hart, maxInstructions: 4) == .instructionLimit)
        #expect(hart.state.x(10) == 2)
        let bits = RV.addi(10, 10, 100)
        #expect(hart.memory.poke(Layout.code, (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }))
        #expect(jit.run(hart, maxInstructions: 4) == .instructionLimit)
        #expect(hart.state.x(10) == 202)
    }

    /// An odd pc (a signal handler's return can set one) raises instruction-address-misaligned
    /// in both engines, at the fetch, as one fetch function decides.
    @Test func oddPCIsMisaligned() {
        let program = Program(code: [RV.addi(10, 0, 1)] + RV.exit, setup: { $0.pc = Layout.code + 1 })
        let outcome = expectSameUnderBothEngines(program)
        #expect(outcome.exceptions == [GuestTrap(.instructionMisaligned, pc: Layout.code + 1, tval: Layout.code + 1)])
    }

    /// A cache that holds a fraction of the program's blocks is flushed repeatedly, and execution
    /// goes on correctly after each flush.
    @Test func codeCacheFlushWhenFull() {
        // 8000, not 3000: each `beq x0, x0` to the next instruction is a join inside a block of
        // up to 128 instructions (BlockJoins.swift), and since joins reached over an empty body
        // take no budget check (`joinBudgets`) 3000 pairs no longer fill the 64 KiB cache.
        let blocks = 8000
        var code: [UInt32] = [RV.addi(8, 0, 2)]                 // two passes
        for _ in 0..<blocks { code += [RV.addi(10, 10, 1), RV.beq(0, 0, 4)] }
        code += [RV.addi(8, 8, -1), RV.beq(8, 0, 8), RV.jal(0, -4 * (2 * blocks + 2))]
        code += [RV.addi(10, 10, 0)] + RV.exit
        let program = Program(code: code, codePages: 17)
        for chaining in [true, false] {
            let jit = JIT(options: JITOptions(cacheSize: JIT.minimumCacheSize, chaining: chaining))
            let outcome = program.run(jit)
            #expect(outcome.status == .exited(Int32(2 * blocks)))
            #expect(jit.stats.cacheFlushes > 0, "\(jit.stats)")
            #expect(outcome == program.run(Interpreter()))
        }
    }

    /// Pending events are delivered between blocks even while code runs chained in a loop.
    @Test func eventsArePolledInChainedLoops() {
        let code: [UInt32] = [RV.addi(5, 5, 1), RV.jal(0, -4)]
        let (hart, env) = Program(code: code).makeHart()
        let jit = JIT(options: JITOptions(cacheSize: 1 << 20, eventQuantum: 1000))
        env.pendingEvents = 0
        _ = jit.run(hart, maxInstructions: 10_000)
        env.pendingEvents = 3
        let status = jit.run(hart, maxInstructions: 100_000)
        #expect(status == .instructionLimit)
        #expect(env.deliveries == 3)
        #expect(hart.state.x(5) == 55_000)
    }

    @Test func statsDescribeTheRun() {
        let jit = smallJIT()
        _ = Program(code: [RV.addi(10, 0, 3)] + RV.exit).run(jit)
        #expect(jit.stats.blocksTranslated == 1)
        #expect(jit.stats.guestInstructionsExecuted == 3)
        #expect(jit.stats.exits(.system) == 1)
        #expect(jit.stats.description.contains("blocks translated"))
    }
}
