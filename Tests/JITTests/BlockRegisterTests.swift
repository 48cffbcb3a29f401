import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Per-block register allocation (BlockRegisters.swift): blocks that keep many guest registers
/// live, outside the nine statically cached ones, give the interpreter's results at every way
/// out: loop back edges, side exits, budget exits, host faults mid-block and helper calls.
@Suite struct BlockRegisterTests {
    /// Registers with no static cache register (x31 is the data pointer, x30 the fault address).
    static let uncached = [1, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]

    /// The interpreter against the JIT with and without chaining and block registers.
    @discardableResult
    func expectSame(_ program: Program, maxInstructions: UInt64? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        expectSameUnderBothEngines(program, maxInstructions: maxInstructions, blockRegisters: [true, false],
                                   hostCalls: [false, true], spillBudget: [true, false], returnAddress: [true, false],
                                   sourceLocation: sourceLocation)
    }

    /// Distinct start values in every register but x0, x30 (set per test) and x31 (data).
    func program(_ code: [UInt32], x30: UInt64 = Layout.hole) -> Program {
        Program(code: code + RV.exit, setup: { s in
            for r in 1..<30 { s.setX(r, 0x9e37_79b9_7f4a_7c15 &* UInt64(r) ^ UInt64(r) << 40) }
            s.setX(2, Layout.data + 0x1000) // sp points into the data area
            s.setX(28, 40)                  // the loop counter
            s.setX(30, x30)
        })
    }

    /// A loop body that reads and writes every uncached register several times, stores some to
    /// memory and loads them back, then counts x28 down and branches back to the block's start.
    func loopBody(extra: [UInt32] = [], at position: Int = 20) -> [UInt32] {
        let u = Self.uncached
        var body: [UInt32] = []
        for (k, r) in u.enumerated() {
            let s = u[(k + 1) % u.count], t = u[(k + 5) % u.count]
            body.append(k % 3 == 0 ? RV.r(.xor, r, r, s) : RV.r(.add, r, r, s))
            if k % 4 == 1 { body.append(RV.r(.sub, t, t, r)) }
        }
        body += [RV.sd(20, 31, 0), RV.sd(21, 31, 8), RV.ld(22, 31, 0), RV.r(.add, 23, 22, 21)]
        body.insert(contentsOf: extra, at: min(position, body.count))
        body.append(RV.addi(28, 28, -1))
        let back = -4 * body.count
        body.append(RV.bne(28, 0, back))
        return body
    }

    @Test func loopWithManyLiveRegisters() {
        let outcome = expectSame(program(loopBody()))
        #expect(outcome.x[28] == 0)
    }

    /// Budget exits at every point of the loop (and so at the back edge's own check).
    @Test func budgetExitsEverywhere() {
        let p = program(loopBody())
        for limit in stride(from: 1, through: 140, by: 1) { expectSame(p, maxInstructions: UInt64(limit)) }
    }

    /// A host fault mid-block (a load from the unmapped hole, a store to read-only memory) after
    /// swapped registers were written: the guest sees exactly the interpreter's registers.
    @Test func faultsMidBlock() {
        for (k, position) in [3, 12, 21].enumerated() {
            let load = program(loopBody(extra: [RV.ld(20, 30, 0)], at: position))
            let loaded = expectSame(load)
            #expect(loaded.exceptions.count == 1, "load fault \(k)")
            let store = program(loopBody(extra: [RV.sd(21, 30, 8)], at: position), x30: Layout.readOnly)
            let stored = expectSame(store)
            #expect(stored.exceptions.count == 1, "store fault \(k)")
        }
        // Beyond the guest limit: the range check's cold exit rather than the host fault handler.
        let far = Program(code: loopBody(extra: [RV.ld(20, 30, 0)], at: 10) + RV.exit, setup: { s in
            for r in 1..<30 { s.setX(r, UInt64(r) &* 0x1234_5678_9abc) }
            s.setX(28, 3)
            s.setX(30, Layout.limit + 0x100)
        })
        expectSame(far)
    }

    /// The fault happens on a later iteration, once the loop has gone round its back edge.
    @Test func faultAfterLoopingInAllocation() {
        // x30 walks up through the data area into the read-only page, 512 bytes per iteration.
        let walk = [RV.sd(20, 30, 0), RV.addi(30, 30, 512)]
        let p = Program(code: loopBody(extra: walk, at: 8) + RV.exit, setup: { s in
            for r in 1..<30 { s.setX(r, UInt64(r) &* 0x0101_0101_0101) }
            s.setX(28, 40)
            s.setX(30, Layout.data)
        })
        let outcome = expectSame(p)
        #expect(outcome.exceptions.count == 1)
    }

    /// Helper calls inside allocated code: an fflags write through a swapped register (a helper
    /// call in the block) reads and writes swapped registers.
    @Test func helperCalls() {
        let helpers: [UInt32] = [RV.addi(21, 0, 0x1f), RV.csr(.csrrw, 20, 1, 21), RV.csr(.csrrs, 22, 3, 0),
                                 RV.r(.add, 23, 20, 22), RV.csr(.csrrw, 24, 1, 0)]
        expectSame(program(loopBody(extra: helpers, at: 10)))
        for limit in stride(from: 5, through: 90, by: 7) {
            expectSame(program(loopBody(extra: helpers, at: 10)), maxInstructions: UInt64(limit))
        }
    }

    /// Side exits (forward branches inside the block) taken from allocated code, and a call and
    /// a return at the block's end.
    @Test func sideExitsCallsAndReturns() {
        // Taken on the last iteration only: x28 == 1 jumps over the rest to the exit.
        var body = loopBody()
        let exitAt = body.count + 2 // after the two insertions: the first instruction of the exit
        body.insert(RV.addi(29, 0, 1), at: 6)
        body.insert(RV.beq(28, 29, 4 * (exitAt - 7)), at: 7)
        expectSame(program(body))
        // A call from a block that keeps swapped registers, and a return to its landing.
        let callee: [UInt32] = [RV.r(.add, 20, 20, 21), RV.r(.xor, 22, 22, 20), RV.r(.add, 23, 23, 22),
                                RV.r(.add, 20, 20, 23), RV.jalr(0, 1, 0)]
        var caller: [UInt32] = loopBody().dropLast(2)
        caller += [RV.jal(1, 4 * 3)]            // call the callee, 3 instructions on
        caller += RV.exit + callee              // ...the landing exits
        expectSame(program(caller))
    }

    /// A block that ends in a call to its own start (recursion, fib) is no loop: the call ends
    /// the allocation, so it gets the ordinary thresholds, not the loop's. x6, used twice, is
    /// swapped in when the block ends in `j` back to its start, not when it ends in `jal ra`.
    @Test func selfCallIsNoLoop() throws {
        func block(link: Int) -> [UInt32] {
            [RV.addi(10, 10, -1), RV.beq(10, 0, 12), RV.r(.add, 6, 6, 7), RV.jal(link, -12)] + RV.exit
        }
        func hostBytes(_ code: [UInt32], registers: Bool) throws -> Int {
            let (hart, _) = Program(code: code).makeHart()
            var options = JITOptions(cacheSize: 1 << 20)
            options.blockRegisters = registers
            return try #require(JIT(options: options).listing(hart, at: Layout.code)).hostCode.count
        }
        let selfCall = block(link: 1), loop = block(link: 0)
        #expect(try hostBytes(selfCall, registers: true) == hostBytes(selfCall, registers: false))
        #expect(try hostBytes(loop, registers: true) > hostBytes(loop, registers: false))
        for code in [selfCall, loop] {
            let p = Program(code: code, setup: { s in
                for r in 1..<30 { s.setX(r, 0x9e37_79b9_7f4a_7c15 &* UInt64(r)) }
                s.setX(10, 30)
            })
            expectSame(p)
            for limit in stride(from: 1, through: 60, by: 3) { expectSame(p, maxInstructions: UInt64(limit)) }
        }
    }
}

extension BlockRegisterTests {
    /// The host code of the block at the program's start.
    func hostText(_ code: [UInt32]) throws -> [String] {
        let (hart, _) = program(code).makeHart()
        let listing = try #require(smallJIT().listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    /// rdx, the spare (BlockRegisters.spare), holds a guest register in a block of integer,
    /// memory and control instructions only; one mulhu (whose lowering uses rdx) or an FP CSR
    /// access (a helper call) keeps it out. Against the interpreter, mulhu in the middle of
    /// the loop would clobber a guest register kept there.
    @Test func spareRegister() throws {
        let loads = { (text: [String]) in text.filter { $0.hasPrefix("mov rdx, qword ptr [rbx") }.count }
        #expect(try loads(hostText(loopBody())) == 1)
        let mulhu = RV.r(.mulhu, 24, 20, 21)
        #expect(try loads(hostText(loopBody(extra: [mulhu], at: 9))) == 0)
        #expect(try loads(hostText(loopBody(extra: [RV.csr(.csrrs, 22, 3, 0)], at: 9))) == 0)
        expectSame(program(loopBody(extra: [mulhu], at: 9)))
        for limit in stride(from: 3, through: 60, by: 4) {
            expectSame(program(loopBody(extra: [mulhu], at: 9)), maxInstructions: UInt64(limit))
        }
        // Straight-line code: x5 (3 uses) takes the spare; a host fault and a side exit after
        // it was written, and a call at the end.
        let straight: [UInt32] = [RV.r(.add, 5, 5, 6), RV.r(.xor, 7, 5, 7), RV.addi(5, 5, 3), RV.ld(20, 30, 0),
                                  RV.beq(28, 0, 8), RV.r(.add, 21, 21, 7), RV.jal(1, 8)] + RV.exit + RV.exit
        #expect(try loads(hostText(straight)) == 1)
        let faulting = expectSame(program(straight))
        #expect(faulting.exceptions.count == 1)
        expectSame(program(straight, x30: Layout.data))
        let taken = Program(code: straight + RV.exit, setup: { s in
            for r in 1..<30 { s.setX(r, UInt64(r) &* 0x0101_0101_0101) }
            s.setX(28, 0)
            s.setX(30, Layout.data)
        })
        expectSame(taken)
    }

    /// The budget register (r11) holds one more guest register in a long self-loop of integer,
    /// memory and control instructions (`BlockRegisters.spillsBudget`): stored to its slot at
    /// entry, the loop's budget check then subtracts from the slot, and every way out reloads
    /// it. Not with a helper call or mulhu in the loop (the spare's conditions), not in a loop
    /// shorter than `budgetSpillMinimumInstructions`, not with the option off. Against the
    /// interpreter (spill on and off): every budget, host faults that give budget back to the
    /// slot, on the first iteration and after many.
    @Test func budgetRegister() throws {
        func text(_ code: [UInt32], spill: Bool = true) throws -> [String] {
            let (hart, _) = program(code).makeHart()
            var options = JITOptions(cacheSize: 1 << 20)
            options.spillBudget = spill
            let listing = try #require(JIT(options: options).listing(hart, at: Layout.code))
            return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
        }
        let guestInR11 = { (t: [String]) in t.filter { $0.hasPrefix("mov r11, qword ptr [rbx + 0x") }.count }
        let budgetInSlot = { (t: [String]) in t.filter { $0.hasPrefix("sub qword ptr [rbx") }.count }
        let body = try text(loopBody())
        #expect(guestInR11(body) >= 1 && budgetInSlot(body) >= 1, "\(body.joined(separator: "\n"))")
        for off in [try text(loopBody(), spill: false), try text(loopBody(extra: [RV.r(.mulhu, 24, 20, 21)], at: 9)),
                    try text(loopBody(extra: [RV.csr(.csrrs, 22, 3, 0)], at: 9))] {
            #expect(budgetInSlot(off) == 0)
        }
        // A short loop keeps the budget in r11.
        let short: [UInt32] = [RV.r(.add, 5, 5, 6), RV.r(.xor, 6, 5, 7), RV.r(.add, 7, 7, 5), RV.r(.add, 16, 16, 7),
                               RV.r(.xor, 17, 16, 5), RV.r(.add, 18, 18, 17), RV.addi(28, 28, -1), RV.bne(28, 0, -28)]
        #expect(try budgetInSlot(text(short)) == 0)
        expectSame(program(short))
        for limit in stride(from: 1, through: 300, by: 7) { expectSame(program(loopBody()), maxInstructions: UInt64(limit)) }
        // Faults after the budget moved to its slot, at several points, with budgets.
        for position in [0, 9, 30] {
            for limit in [nil, 50, 97] as [UInt64?] {
                let load = expectSame(program(loopBody(extra: [RV.ld(20, 30, 0)], at: position)), maxInstructions: limit)
                if limit == nil { #expect(load.exceptions.count == 1) }
                expectSame(program(loopBody(extra: [RV.sd(21, 30, 8)], at: position), x30: Layout.readOnly), maxInstructions: limit)
            }
        }
    }
}
