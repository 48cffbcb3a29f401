import Guest
import Interpreter
import JIT
import Testing
import TestSupport

/// Guest calls and returns, through the `jalr` table (the default) and as host call/ret
/// (`JITOptions.hostCalls`, Lower+Call.swift): results must not depend on whether the host frames
/// match what the guest does.
@Suite struct ReturnStackTests {
    /// A stack of `stackSize` bytes below `stackTop`, beyond the harness's two data pages.
    static let stackTop: UInt64 = 0x200000
    static let stackSize: UInt64 = 0x100000

    /// Runs `program` with the big stack (sp = stackTop) under the interpreter, then under JITs
    /// with and without chaining and host calls and with a tiny cache, expecting the same
    /// outcome from each.
    @discardableResult
    func expectSame(_ program: Program, jits: [JIT]? = nil, maxInstructions: UInt64? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        func run(_ engine: Engine) -> Outcome {
            let (hart, environment) = program.makeHart()
            _ = hart.memory.mapAnonymous(Self.stackTop - Self.stackSize, Self.stackSize, [.read, .write])
            hart.state.setX(2, Self.stackTop)
            let status = engine.run(hart, maxInstructions: maxInstructions)
            let data = (try? hart.memory.read(Layout.data, count: Int(Layout.dataSize))) ?? []
            return Outcome(status: status, pc: hart.state.pc, instret: hart.state.instret, x: hart.state.xRegisters,
                           data: data, exceptions: environment.exceptions, ecalls: environment.ecalls)
        }
        let reference = run(Interpreter())
        func jit(hostCalls: Bool, cacheSize: Int = 1 << 20, eventQuantum: UInt64 = 1 << 20) -> JIT {
            var options = JITOptions(cacheSize: cacheSize, eventQuantum: eventQuantum)
            options.hostCalls = hostCalls
            return JIT(options: options)
        }
        let engines = jits ?? [false, true].flatMap { hostCalls in
            [jit(hostCalls: hostCalls), jit(hostCalls: hostCalls, cacheSize: JIT.minimumCacheSize),
             jit(hostCalls: hostCalls, eventQuantum: 777)]
        } + [smallJIT(chaining: false)]
        for jit in engines {
            let outcome = run(jit)
            let variant = "chaining \(jit.options.chaining), host calls \(jit.options.hostCalls), cache \(jit.options.cacheSize)"
            #expect(outcome == reference, "\(variant)", sourceLocation: sourceLocation)
        }
        return reference
    }

    /// sum(n) = n + sum(n − 1) for n = `depth`, called from main: 68 bytes of code, then exit.
    static func sum(_ depth: Int) -> [UInt32] {
        let high = (depth + 0x800) >> 12, low = depth - (high << 12)
        return [
            RV.lui(10, high), RV.addi(10, 10, low), // 0: a0 = depth
            RV.jal(1, 12),                  // 8: call sum (at 20)
            RV.addi(10, 10, 0),             // 12
            RV.jal(0, 52),                  // 16: to exit (at 68)
            RV.beq(10, 0, 44),              // 20: sum: a0 == 0 → ret (at 64)
            RV.addi(2, 2, -16),             // 24
            RV.sd(1, 2, 8),                 // 28
            RV.sd(10, 2, 0),                // 32
            RV.addi(10, 10, -1),            // 36
            RV.jal(1, -20),                 // 40: call sum
            RV.ld(5, 2, 0),                 // 44
            RV.add(10, 10, 5),              // 48
            RV.ld(1, 2, 8),                 // 52
            RV.addi(2, 2, 16),              // 56
            RV.jalr(0, 1, 0),               // 60: ret
            RV.jalr(0, 1, 0),               // 64: ret (base case)
        ] + RV.exit                         // 68
    }

    /// Recursion deeper than the host keeps frames for (4096): the deepest calls are plain
    /// jumps and their returns take the table.
    @Test(arguments: [1, 10, 4095, 4096, 4097, 10_000])
    func deepRecursion(_ depth: Int) {
        let outcome = expectSame(Program(code: Self.sum(depth)))
        #expect(outcome.status == .exited(Int32(truncatingIfNeeded: depth * (depth + 1) / 2)))
    }

    /// longjmp: the innermost function returns straight to its caller's caller (ra and sp set by
    /// hand), 3000 times, leaving host frames that never match; later returns still land right.
    @Test func longjmpLikeReturns() {
        let code: [UInt32] = [
            RV.addi(8, 0, 1000), RV.slli(8, 8, 1), RV.addi(8, 8, 1000), // 0: s0 = 3000
            RV.addi(9, 0, 0),               // 12: s1 = 0
            RV.jal(1, 20),                  // 16: call a (at 36)
            RV.addi(8, 8, -1),              // 20
            RV.bne(8, 0, -8),               // 24: loop to the call
            RV.addi(10, 9, 0),              // 28
            RV.jal(0, 64),                  // 32: to exit (at 96)
            RV.addi(2, 2, -16),             // 36: a: save ra, sp in s2
            RV.sd(1, 2, 8),                 // 40
            RV.addi(18, 2, 0),              // 44: s2 = sp ("setjmp")
            RV.jal(1, 24),                  // 48: call b (at 72)
            RV.addi(9, 9, 1),               // 52: never reached
            RV.addi(9, 9, 3),               // 56: the "longjmp" lands here
            RV.ld(1, 2, 8),                 // 60
            RV.addi(2, 2, 16),              // 64
            RV.jalr(0, 1, 0),               // 68: ret (its frame is buried under b's and c's)
            RV.addi(2, 2, -32),             // 72: b: call c
            RV.jal(1, 8),                   // 76: call c (at 84)
            RV.addi(9, 9, 100),             // 80: never reached
            RV.addi(2, 18, 0),              // 84: c: sp = s2, ra = a's landing at 56, "ret"
            RV.auipc(1, 0),                 // 88
            RV.addi(1, 1, -32),             // 92: ra = 88 − 32 = 56 … then ret below
        ]
        // Insert the ret after 92 and the exit after it.
        let all = code + [RV.jalr(0, 1, 0)] + RV.exit // ret at 96: exit at 100
        var fixed = all
        fixed[8] = RV.jal(0, 68)            // 32 → 100
        let outcome = expectSame(Program(code: fixed))
        #expect(outcome.status == .exited(9000))
    }

    /// Indirect calls (jalr ra) push frames too; returns go through them.
    @Test func indirectCalls() {
        let code: [UInt32] = [
            RV.addi(8, 0, 500),             // 0: s0 = 500
            RV.auipc(6, 0),                 // 4: t1 = 4
            RV.addi(6, 6, 32),              // 8: t1 = f at 36
            RV.jalr(1, 6, 0),               // 12: call f
            RV.addi(8, 8, -1),              // 16
            RV.bne(8, 0, -8),               // 20: to the call
            RV.addi(10, 9, 0),              // 24
            RV.jal(0, 20),                  // 28: to exit (at 48)
            RV.addi(0, 0, 0),               // 32
            RV.addi(9, 9, 7),               // 36: f
            RV.addi(9, 9, -2),              // 40
            RV.jalr(0, 1, 0),               // 44: ret
        ] + RV.exit                         // 48
        let outcome = expectSame(Program(code: code))
        #expect(outcome.status == .exited(2500))
    }

    /// Code rewritten under live frames: the callee rewrites the instruction its caller returns
    /// to and runs fence.i (a flush), then returns; the new instruction must run.
    @Test func rewrittenReturnSite() {
        let code: [UInt32] = [
            RV.addi(8, 0, 20),              // 0: s0 = 20
            RV.jal(1, 28),                  // 4: call f (at 32)
            RV.addi(9, 9, 1),               // 8: rewritten to addi s1, s1, 100 by the first call
            RV.addi(8, 8, -1),              // 12
            RV.bne(8, 0, -12),              // 16: to the call
            RV.addi(10, 9, 0),              // 20
            RV.jal(0, 36),                  // 24: to exit (at 60)
            RV.addi(0, 0, 0),               // 28
            RV.auipc(5, 0),                 // 32: f: t0 = 32
            RV.lui(6, 0x06448),             // 36: t1 = addi s1, s1, 100 (0x06448493)
            RV.addi(6, 6, 0x493),           // 40
            RV.sw(6, 5, -24),               // 44: store at 8
            RV.fenceI,                      // 48
            RV.jalr(0, 1, 0),               // 52: ret
            RV.addi(0, 0, 0),               // 56
        ] + RV.exit                         // 60
        var program = Program(code: code)
        program.writableCode = true
        let outcome = expectSame(program)
        #expect(outcome.status == .exited(2000))
    }

    /// Calls and returns across budget exits (an instruction limit mid-recursion).
    @Test(arguments: [37, 1000, 5001])
    func recursionUnderInstructionLimit(_ limit: Int) {
        expectSame(Program(code: Self.sum(300)), maxInstructions: UInt64(limit))
    }
}

/// Blocks that decoding continues through plain jumps (BlockDecoder.swift).
@Suite struct FollowedJumpTests {
    /// A loop whose body ends in `j` back to its test: one block that loops on itself; jumps
    /// forward and backward within the page, a jump into the block itself, and one to another page.
    @Test func loopsThroughJumps() {
        let code: [UInt32] = [
            RV.addi(5, 0, 1000),            // 0: t0 = 1000
            RV.jal(0, 16),                  // 4: → 20
            RV.add(10, 10, 5),              // 8: body
            RV.addi(5, 5, -1),              // 12
            RV.jal(0, 4),                   // 16: → 20 (the test)
            RV.bne(5, 0, -12),              // 20: → 8
            RV.jal(0, 8),                   // 24: → 32
            RV.addi(10, 10, 99),            // 28: skipped
            RV.addi(6, 0, 3),               // 32
            RV.jal(0, 0x1000 - 36),         // 36: → 0x1000, the next page
            ]
        var page = code
        while page.count < 0x400 { page.append(RV.addi(0, 0, 0)) }
        page += [RV.addi(6, 6, -1), RV.jal(0, 12), RV.bne(6, 0, -8), RV.jal(0, 12), RV.addi(10, 10, 1), RV.jal(0, -12)]
        // 0x1000: t1 −= 1, → 0x1010: a0 += 1, → 0x1008: bne → 0x1000 while t1 ≠ 0; then → 0x1018
        page += [RV.addi(0, 0, 0)] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: page))
        #expect(outcome.status == .exited(Int32(1000 * 1001 / 2 + 3)))
        for limit: UInt64 in [5, 17, 1001, 2500] {
            expectSameUnderBothEngines(Program(code: page), maxInstructions: limit)
        }
    }

    /// A fault after a followed jump reports the pc of the faulting instruction, and instret
    /// counts the jump.
    @Test func faultAfterAJump() {
        let code: [UInt32] = [
            RV.addi(5, 0, 7), RV.jal(0, 8), RV.addi(5, 5, 1),
            RV.lui(6, 0x30), RV.ld(7, 6, 0),  // 12: load from the unmapped hole
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code))
        #expect(outcome.exceptions.first?.pc == Layout.code + 16)
    }
}

/// Blocks that go on past forward conditional branches, which leave them when taken.
@Suite struct SideExitTests {
    /// A loop with two `if`s in its body (taken and not taken in turn), run whole and stopped at
    /// many instruction limits: instret and state must match the interpreter wherever it stops.
    @Test func loopWithIfs() {
        let code: [UInt32] = [
            RV.addi(5, 0, 300),             // 0: t0 = 300
            RV.addi(6, 5, 0),               // 4: loop: t1 = t0
            RV.r(.and, 6, 6, 29),     // 8: t1 &= t4 (1)
            RV.beq(6, 0, 12),               // 12: even → 24
            RV.addi(10, 10, 3),             // 16: odd: a0 += 3
            RV.addi(11, 11, 1),             // 20
            RV.blt(5, 30, 12),              // 24: t0 < 100 → 36
            RV.add(12, 12, 5),              // 28: a2 += t0
            RV.ld(7, 31, 0),                // 32: a load after two side exits
            RV.addi(5, 5, -1),              // 36
            RV.bne(5, 0, -36),              // 40: → 4
            RV.add(10, 10, 12),             // 44
        ] + RV.exit
        let setup: (GuestState) -> Void = { $0.setX(29, 1); $0.setX(30, 100) }
        let program = Program(code: code, data: [42], setup: setup)
        let outcome = expectSameUnderBothEngines(program)
        #expect(outcome.status == .exited(Int32(150 * 3 + (100...300).reduce(0, +))))
        for limit: UInt64 in [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 100, 1001, 2222] {
            expectSameUnderBothEngines(program, maxInstructions: limit)
        }
    }

    /// A fault after a side exit that was not taken reports that instruction's pc; one after a
    /// taken one is never reached.
    @Test func faultAfterASideExit() {
        for (a, b) in [(0, 1), (1, 1)] {
            let code: [UInt32] = [
                RV.addi(5, 0, a), RV.addi(6, 0, b),
                RV.beq(5, 6, 12),            // 8: → 20 when equal
                RV.lui(7, 0x30), RV.ld(7, 7, 0), // 12: load from the unmapped hole
                RV.addi(10, 0, 5),           // 20
            ] + RV.exit
            let outcome = expectSameUnderBothEngines(Program(code: code))
            #expect(outcome.exceptions.count == (a == b ? 0 : 1))
        }
    }

    /// An F instruction whose helper fails (dynamic rounding with frm = 7 is illegal) between
    /// side exits: instret counts exactly the instructions before it.
    @Test func helperFailureBetweenSideExits() {
        let fcvtDynamic: UInt32 = 0xd03d7953 // fcvt.s.lu fs2, s10 (rm = dyn)
        let code: [UInt32] = [
            RV.addi(5, 0, 1),
            RV.beq(5, 0, 16),                // not taken
            fcvtDynamic,
            RV.bne(5, 0, 8),
            RV.addi(6, 0, 2),
            RV.addi(7, 0, 3),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code, setup: { $0.frm = 7 }))
        #expect(outcome.exceptions.count == 1 && outcome.instret == 2)
    }
}
