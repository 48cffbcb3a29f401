import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// The run loop: blocks, fetch permissions, exact instruction limits, precise exceptions,
/// invalidation and events. Programs use `TestProgram`'s stand-in encodings.
@Suite struct RunLoopTests {
    /// x10 = sum of 1...n, then exit(x10) via ecall 93.
    private func sumProgram(_ n: Int64, _ program: TestProgram, _ hart: Hart) {
        program.place([
            i(.addi, 10, 0, 0),          // 0x00  a0 = 0
            i(.addi, 5, 0, n),           // 0x04  t0 = n
            r(.add, 10, 10, 5),          // 0x08  loop: a0 += t0
            i(.addi, 5, 5, -1),          // 0x0c  t0 -= 1
            s(.bne, 5, 0, -8),           // 0x10  bnez t0, loop
            i(.addi, 17, 0, 93),         // 0x14  a7 = exit
            Instruction(opcode: .ecall), // 0x18
        ], at: Layout.code, in: hart.memory)
    }

    @Test func runsALoopToExit() {
        let hart = makeHart()
        let program = TestProgram()
        sumProgram(100, program, hart)
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .exited(5050))
        #expect(hart.state.x(10) == 5050)
        #expect(hart.state.instret == 2 + 300 + 2)  // the exiting ecall counts
        #expect(hart.recorder.ecalls == [93])
    }

    @Test(arguments: [0 as UInt64, 1, 2, 3, 5, 6, 7, 100, 303])
    func stopsAfterExactlyMaxInstructions(limit: UInt64) {
        let hart = makeHart()
        let program = TestProgram()
        sumProgram(100, program, hart)
        let interpreter = program.interpreter()
        #expect(interpreter.run(hart, maxInstructions: limit) == .instructionLimit)
        #expect(hart.state.instret == limit)
        // The same state as single-stepping `limit` instructions with the reference semantics.
        let reference = makeHart()
        sumProgram(100, TestProgram(), reference)
        let decode = program.decoder
        for _ in 0..<limit {
            let word = try! reference.memory.load(reference.state.pc, as: UInt32.self)
            #expect(Interpreter.step(decode(word)!, reference) == .resume)
        }
        #expect(hart.state.pc == reference.state.pc)
        #expect(hart.state.xRegisters == reference.state.xRegisters)
        // And it resumes where it stopped.
        #expect(interpreter.run(hart, maxInstructions: nil) == .exited(5050))
        #expect(hart.state.instret == 304)
    }

    @Test func exceptionInsideABlockIsPrecise() {
        let hart = makeHart()
        let program = TestProgram()
        program.place([
            i(.addi, 5, 0, 1),
            i(.addi, 6, 0, 2),
            i(.ld, 7, 0, Int64(Layout.hole)),   // faults
            i(.addi, 8, 0, 3),
        ], at: Layout.code, in: hart.memory)
        hart.set((7, 0x77))
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .signaled(11))
        #expect(hart.recorder.exceptions == [GuestTrap(.loadAccessFault, pc: Layout.code + 8, tval: Layout.hole)])
        #expect(hart.state.pc == Layout.code + 8)
        #expect(hart.state.instret == 2)
        #expect(hart.state.x(5) == 1 && hart.state.x(6) == 2 && hart.state.x(7) == 0x77 && hart.state.x(8) == 0)
    }

    @Test func environmentCanResumeAfterAnException() {
        let hart = makeHart()
        let program = TestProgram()
        program.place([Instruction(opcode: .ebreak)], at: Layout.code, in: hart.memory)
        let handler = program.place([i(.addi, 10, 0, 42), i(.addi, 17, 0, 93)], at: Layout.code + 0x100, in: hart.memory)
        program.place([Instruction(opcode: .ecall)], at: handler, in: hart.memory)
        hart.recorder.resumeAt = Layout.code + 0x100
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .exited(42))
        #expect(hart.recorder.exceptions.map(\.cause) == [.breakpoint])
        #expect(hart.state.instret == 3)   // ebreak did not retire
    }

    @Test func fetchNeedsExecutePermission() {
        let hart = makeHart()
        let program = TestProgram()
        program.place([i(.addi, 5, 0, 1), u(.jal, 0, Int64(Layout.data) - Int64(Layout.code) - 4)],
                      at: Layout.code, in: hart.memory)
        program.place([i(.addi, 6, 0, 1)], at: Layout.data, in: hart.memory)  // readable, not executable
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .signaled(11))
        #expect(hart.recorder.exceptions == [GuestTrap(.instructionAccessFault, pc: Layout.data, tval: Layout.data)])
        #expect(hart.state.x(5) == 1 && hart.state.x(6) == 0)
        #expect(hart.state.instret == 2)
    }

    @Test func instructionStraddlingIntoANonExecutablePageFaults() {
        let hart = makeHart(codePages: 1)
        hart.memory.mapAnonymous(Layout.code + GuestMemory.pageSize, GuestMemory.pageSize, [.read])
        let program = TestProgram()
        let last = Layout.code + GuestMemory.pageSize - 2
        hart.state.pc = last - 2
        var cnop = i(.addi, 0, 0, 0)
        cnop.length = 2
        program.place([cnop, i(.addi, 5, 0, 1)], at: last - 2, in: hart.memory)
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .signaled(11))
        #expect(hart.recorder.exceptions == [GuestTrap(.instructionAccessFault, pc: last, tval: last + 2)])
        #expect(hart.state.instret == 1)
    }

    @Test func straightLineCodeAcrossPagesAndLongBlocks() {
        let hart = makeHart()
        let program = TestProgram()
        // 3000 increments span two page boundaries and many maximum-length blocks, mixing lengths.
        var body: [Instruction] = []
        for k in 0..<3000 {
            var inc = i(.addi, 5, 5, 1)
            if k % 3 == 0 { inc.length = 2 }
            body.append(inc)
        }
        let end = program.place(body, at: Layout.code, in: hart.memory)
        program.place([i(.addi, 17, 0, 93), Instruction(opcode: .ecall)], at: end, in: hart.memory)
        #expect(end > Layout.code + 2 * GuestMemory.pageSize)
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .exited(0))
        #expect(hart.state.x(5) == 3000)
        #expect(hart.state.instret == 3002)
    }

    @Test func undecodableWordIsAnIllegalInstruction() throws {
        let hart = makeHart()
        let program = TestProgram()
        program.place([i(.addi, 5, 0, 1)], at: Layout.code, in: hart.memory)
        _ = hart.memory.poke(Layout.code + 4, [0xff, 0xff, 0xff, 0xff])   // index too large
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .signaled(4))
        #expect(hart.recorder.exceptions == [GuestTrap(.illegalInstruction, pc: Layout.code + 4, tval: 0xFFFF_FFFF)])
        #expect(hart.state.x(5) == 1)
    }

    @Test func compressedUndecodableReportsOnly16Bits() {
        let hart = makeHart()
        let program = TestProgram()
        _ = hart.memory.poke(Layout.code, [0x00, 0x00, 0xAA, 0xBB])   // the all-zero parcel
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .signaled(4))
        #expect(hart.recorder.exceptions == [GuestTrap(.illegalInstruction, pc: Layout.code, tval: 0)])
    }

    @Test func fenceIMakesNewCodeVisible() throws {
        let hart = makeHart()
        hart.memory.mapAnonymous(Layout.code, GuestMemory.pageSize, [.read, .write, .execute])
        let program = TestProgram()
        // loop: addi x5, x5, 1; sw x6, 0(x7); fence.i; j loop — where x6 holds the encoding of
        // `addi x5, x5, 100` and x7 the address of the first instruction.
        program.place([i(.addi, 5, 5, 1), s(.sw, 7, 6, 0), Instruction(opcode: .fence_i), u(.jal, 0, -12)],
                      at: Layout.code, in: hart.memory)
        let replacement = Layout.code + 0x800
        program.place([i(.addi, 5, 5, 100)], at: replacement, in: hart.memory)
        hart.set((6, UInt64(try hart.memory.load(replacement, as: UInt32.self))), (7, Layout.code))
        let interpreter = program.interpreter()
        #expect(interpreter.run(hart, maxInstructions: 5) == .instructionLimit)
        #expect(hart.state.x(5) == 101)
        #expect(interpreter.run(hart, maxInstructions: 4) == .instructionLimit)
        #expect(hart.state.x(5) == 201)
    }

    @Test func invalidateCodeDropsPredecodedBlocks() throws {
        let hart = makeHart()
        let program = TestProgram()
        program.place([i(.addi, 5, 5, 1), u(.jal, 0, -4)], at: Layout.code, in: hart.memory)
        let replacement = Layout.code + 0x800
        program.place([i(.addi, 5, 5, 100)], at: replacement, in: hart.memory)
        let interpreter = program.interpreter()
        #expect(interpreter.run(hart, maxInstructions: 2) == .instructionLimit)
        _ = hart.memory.poke(Layout.code, try hart.memory.read(replacement, count: 4))
        hart.memory.invalidateCode()   // what riscv_flush_icache does
        #expect(interpreter.run(hart, maxInstructions: 2) == .instructionLimit)
        #expect(hart.state.x(5) == 101)
    }

    /// A debugger's breakpoint or a loader writes code with `poke`, which no fence.i follows.
    @Test func pokingCodeDropsPredecodedBlocks() throws {
        let hart = makeHart()
        let program = TestProgram()
        program.place([i(.addi, 5, 5, 1), u(.jal, 0, -4)], at: Layout.code, in: hart.memory)
        let replacement = Layout.code + 0x800
        program.place([i(.addi, 5, 5, 100)], at: replacement, in: hart.memory)
        let interpreter = program.interpreter()
        #expect(interpreter.run(hart, maxInstructions: 2) == .instructionLimit)
        let generation = hart.memory.codeGeneration
        _ = hart.memory.poke(Layout.data, [1, 2, 3, 4])
        #expect(hart.memory.codeGeneration == generation)   // not code
        _ = hart.memory.poke(Layout.code, try hart.memory.read(replacement, count: 4))
        #expect(hart.memory.codeGeneration != generation)
        #expect(interpreter.run(hart, maxInstructions: 2) == .instructionLimit)
        #expect(hart.state.x(5) == 101)
    }

    @Test func unmappingCodeDropsPredecodedBlocks() {
        let hart = makeHart()
        let program = TestProgram()
        program.place([i(.addi, 5, 5, 1), u(.jal, 0, -4)], at: Layout.code, in: hart.memory)
        let interpreter = program.interpreter()
        #expect(interpreter.run(hart, maxInstructions: 10) == .instructionLimit)
        #expect(hart.state.x(5) == 5)
        hart.memory.protect(Layout.code, GuestMemory.pageSize, [.read])
        #expect(interpreter.run(hart, maxInstructions: 10) == .signaled(11))
        #expect(hart.recorder.exceptions.map(\.cause) == [.instructionAccessFault])
    }

    @Test func eventsAreDeliveredBetweenBlocks() {
        let hart = makeHart()
        let program = TestProgram()
        sumProgram(10, program, hart)
        let handler = Layout.code + 0x200
        program.place([i(.addi, 10, 0, 7), i(.addi, 17, 0, 93), Instruction(opcode: .ecall)], at: handler, in: hart.memory)
        hart.recorder.pendingEvents = 1
        hart.recorder.eventHandler = handler
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .exited(7))
        #expect(hart.recorder.deliveries == 1)
        #expect(hart.state.instret == 3)
    }

    @Test func oddPcIsAMisalignedFetch() {
        let hart = makeHart()
        hart.state.pc = Layout.code + 1
        #expect(TestProgram().interpreter().run(hart, maxInstructions: nil) == .signaled(7))
        #expect(hart.recorder.exceptions == [GuestTrap(.instructionMisaligned, pc: Layout.code + 1, tval: Layout.code + 1)])
    }

    @Test func readingInstretInARunSeesPriorInstructions() {
        let hart = makeHart()
        let program = TestProgram()
        program.place([i(.addi, 5, 0, 1), i(.addi, 5, 0, 2), csr(.csrrs, 6, CSRNumber.instret, 0),
                       csr(.csrrs, 7, CSRNumber.cycle, 0), i(.addi, 17, 0, 93), Instruction(opcode: .ecall)],
                      at: Layout.code, in: hart.memory)
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .exited(0))
        #expect(hart.state.x(6) == 2 && hart.state.x(7) == 3)
    }

    @Test func withoutAnEnvironmentExceptionsStopTheRun() {
        let hart = makeHart(environment: nil)
        let program = TestProgram()
        program.place([i(.addi, 5, 0, 1), Instruction(opcode: .ecall)], at: Layout.code, in: hart.memory)
        #expect(program.interpreter().run(hart, maxInstructions: nil) == .unhandled(GuestTrap(.ecallFromU, pc: Layout.code + 4)))
        #expect(hart.state.pc == Layout.code + 4)
        #expect(hart.state.instret == 1)
    }
}
