import Guest
import Interpreter
import JIT
import Testing
import TestSupport

@Suite struct ControlTests {
    /// Every branch, taken and not, with signed/unsigned edge operands: a bit per outcome.
    @Test func branchesBothWays() {
        let values: [UInt64] = [0, 1, 0xffff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff]
        var code: [UInt32] = []
        for a in 0..<values.count {
            for b in 0..<values.count {
                for branch in RV.branches {
                    let (ra, rb) = [(10, 5), (6, 11), (7, 0), (12, 0), (0, 6)][(a + b) % 5]
                    code += [loadWord(ra, a), loadWord(rb, b),
                             RV.slli(9, 9, 1),
                             RV.b(branch, ra, rb, 8),
                             RV.addi(9, 9, 1)]
                }
            }
        }
        code += [RV.addi(10, 9, 0)] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code, data: values))
        // beq 0,0 taken (bit 0), bne 0,0 not (1), blt not (0), bge taken (0): first four bits.
        #expect(outcome.x[9] != 0)
    }

    /// Calls and returns through jal/jalr (with rd = rs1 and an odd target whose bit 0 is
    /// cleared) in a loop, so chained exits and the indirect table are exercised.
    @Test func callsAndReturns() {
        let code: [UInt32] = [
            RV.addi(8, 0, 200),          // 0: s0 = iterations
            RV.jal(1, 20),               // 4: call f (at 24)
            RV.addi(8, 8, -1),           // 8
            RV.bne(8, 0, -8),            // 12: loop to call
            RV.addi(10, 11, 0),          // 16
            RV.jal(0, 24),               // 20: to exit at 44
            RV.addi(11, 11, 3),          // 24: f
            RV.auipc(5, 0),              // 28
            RV.addi(5, 5, 13),           // 32: t0 = 41 + code (odd): jalr clears bit 0 → 40
            RV.jalr(5, 5, 0),            // 36: rd = rs1
            RV.jalr(0, 1, 0),            // 40: return
        ] + RV.exit                      // 44
        for var options in [JITOptions(cacheSize: 1 << 20, chaining: true), JITOptions(cacheSize: 1 << 20, chaining: false)] {
            options.countIndirectHits = true
            let jit = JIT(options: options)
            let outcome = Program(code: code).run(jit)
            #expect(outcome.status == .exited(600))
            #expect(outcome.x[5] == Layout.code + 40)
            if options.chaining {
                #expect(jit.stats.chainPatches > 0)
                #expect(jit.stats.indirectHits > 0)
            } else {
                #expect(jit.stats.chainPatches == 0 && jit.stats.indirectHits == 0)
            }
        }
        expectSameUnderBothEngines(Program(code: code))
    }

    /// User-mode `jalr` probes the table with bit 0 of its target still set and clears it only on
    /// a miss (Lower+Branch.swift): no empty entry may match an odd target. Target 1 is the key
    /// empty entries once held (it jumped to host address 0); 3, 0x2001, 0x37fd and 0x7ff probe other
    /// empty slots; each goes to its even address, where fetching faults as in the interpreter.
    /// Then an odd return address in a loop: it never matches its landing's (even) entry, and
    /// reaches the landing through the dispatcher every time.
    @Test func oddTargetMatchesNoEmptyEntry() {
        for target in [1, 3, 0x2001, 0x37fd, 0x7ff] {
            let code: [UInt32] = [RV.lui(5, target >> 12), RV.addi(5, 5, target & 0xfff), RV.jalr(0, 5, 0)] + RV.exit
            let outcome = expectSameUnderBothEngines(Program(code: code))
            #expect(outcome.exceptions.count == 1, "target \(target)")
        }
        let code: [UInt32] = [
            RV.addi(8, 0, 100),          // 0: s0 = iterations
            RV.auipc(1, 0),              // 4
            RV.addi(1, 1, 13),           // 8: ra = 17 + code (odd): returns land at 16
            RV.jal(0, 16),               // 12: to f at 28
            RV.addi(8, 8, -1),           // 16: the landing
            RV.bne(8, 0, -16),           // 20: loop
            RV.jal(0, 12),               // 24: to exit at 36
            RV.addi(10, 10, 1),          // 28: f
            RV.jalr(0, 1, 0),            // 32: return to ra & ~1
        ] + RV.exit                      // 36
        let outcome = expectSameUnderBothEngines(Program(code: code))
        #expect(outcome.status == .exited(100))
    }

    /// Three million iterations run chained: few exits, same result and instret as the interpreter.
    @Test func longChainedLoop() {
        let code: [UInt32] = [
            RV.lui(5, 0x2dc), RV.addi(5, 5, 0x6c0),  // t0 = 3_000_000
            RV.add(10, 10, 5), RV.addi(5, 5, -1), RV.bne(5, 0, -8),
            RV.addi(10, 10, 0),
        ] + RV.exit
        let jit = smallJIT()
        let outcome = Program(code: code).run(jit)
        #expect(outcome.status == .exited(Int32(truncatingIfNeeded: UInt64(3_000_000 * 3_000_001 / 2))))
        #expect(outcome.instret == 2 + 3 * 3_000_000 + 1 + 2)
        let exits = jit.stats.exits.reduce(0, +)
        #expect(exits < 50, "\(jit.stats)")
        let reference = Program(code: code).run(Interpreter())
        #expect(outcome == reference)
    }

    /// `maxInstructions` stops after exactly N retired instructions, mid-block included.
    @Test(arguments: [1, 2, 3, 5, 63, 64, 65, 1000, 12_345] as [UInt64])
    func exactInstructionLimit(_ n: UInt64) {
        let code: [UInt32] = [
            RV.lui(5, 0x2), RV.addi(5, 5, 0),
            RV.add(10, 10, 5), RV.addi(11, 11, 1), RV.addi(5, 5, -1), RV.bne(5, 0, -12),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code), maxInstructions: n)
        #expect(outcome.status == .instructionLimit)
        #expect(outcome.instret == n)
    }

    /// ecall goes to the environment and comes back; csrr instret sees exactly the instructions
    /// retired before it.
    @Test func ecallAndCounters() {
        let code: [UInt32] = [
            RV.addi(10, 0, 1), RV.addi(17, 0, 64), RV.ecall,   // a0 = 3
            RV.ecall,                                         // a0 = 7
            RV.csrr(12, 0xC02),                               // instret = 4
            RV.addi(5, 0, 3),
            RV.csrr(13, 0xC02),                               // 6
            RV.csrr(0, 0xC00),
            RV.addi(10, 10, 0),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code))
        #expect(outcome.status == .exited(7))
        #expect(outcome.ecalls == [64, 64, 93])
        #expect(outcome.x[12] == 4 && outcome.x[13] == 6)
    }

    /// Atomics run through the interpreter's slow path, including one that raises an exception
    /// (misaligned AMO) from inside a block.
    @Test func slowPathAtomics() {
        let code: [UInt32] = [
            RV.addi(10, 0, 5), RV.addi(11, 0, 9),
            RV.amoaddD(12, 31, 11),       // a2 = old, mem += 9
            RV.lrD(13, 31), RV.addi(13, 13, 1), RV.scD(14, 31, 13),
            RV.ld(15, 31, 0),
            RV.addi(6, 31, 4),
            RV.amoaddD(7, 6, 11),         // misaligned: store/AMO misaligned exception
            RV.addi(10, 0, 1),
        ] + RV.exit
        let outcome = expectSameUnderBothEngines(Program(code: code, data: [100]))
        #expect(outcome.x[12] == 100 && outcome.x[15] == 110 && outcome.x[14] == 0)
        #expect(outcome.exceptions.map(\.pc) == [Layout.code + 32])
        #expect(outcome.instret == 8)
    }

    /// Illegal instructions and an instruction fetch from a non-executable page.
    @Test func illegalAndFetchFaults() {
        let illegal = Program(code: [RV.addi(10, 0, 1), 0xffff_ffff, RV.addi(10, 0, 2)])
        let o1 = expectSameUnderBothEngines(illegal)
        #expect(o1.status == .signaled(4) && o1.pc == Layout.code + 4 && o1.instret == 1)
        let fetch = Program(code: [RV.lui(5, 0x20), RV.jalr(0, 5, 0)])
        let o2 = expectSameUnderBothEngines(fetch)
        #expect(o2.exceptions.first?.cause == .instructionAccessFault && o2.pc == Layout.data)
    }

    /// The inline jalr table's empty entries hold pc 0 (fresh zero pages), except entry 0, where
    /// pc 0 itself belongs: a jump to address 0, or to 1 (bit 0 cleared), even after jumps that
    /// filled other entries, faults at 0 as in the interpreter instead of matching an empty entry.
    @Test(arguments: [0, 1] as [Int32]) func jumpToZeroMatchesNoEmptyEntry(_ target: Int32) {
        let code = [
            RV.auipc(5, 0),              // 0: t0 = this pc
            RV.addi(5, 5, 16),           // 4: t0 = 16
            RV.jalr(1, 5, 0),            // 8: call 16 (fills an entry)
            RV.jal(0, 12),               // 12: → 24
            RV.jalr(0, 1, 0),            // 16: return to 12 (fills another)
            RV.addi(0, 0, 0),            // 20
            RV.addi(6, 0, Int(target)),  // 24
            RV.jalr(0, 6, 0),            // 28: jump to 0
        ]
        let o = expectSameUnderBothEngines(Program(code: code))
        #expect(o.exceptions.first?.pc == 0 && o.pc == 0, "\(o.exceptions)")
    }
}
