import Guest
import Interpreter
import JIT
import Testing
import TestSupport

/// User-mode code changes drop only the translations on the changed pages (CodeIndex.swift),
/// from the change log `GuestMemory` keeps (CodeChangeLog.swift), instead of the whole cache.
@Suite struct CodeChangeTests {
    static let page = Int(GuestMemory.pageSize)

    // MARK: The log

    @Test func logNamesTheChangedPages() {
        let memory = GuestMemory(limit: Layout.limit)
        memory.mapAnonymous(0x10000, 0x4000, [.read, .execute])
        memory.mapAnonymous(0x20000, 0x1000, [.read, .write])
        let start = memory.codeGeneration
        // New executable pages and data pages are no change to existing code.
        memory.mapAnonymous(0x30000, 0x2000, [.read, .execute])
        memory.protect(0x20000, 0x1000, [.read])
        #expect(memory.codeGeneration == start)
        memory.protect(0x11000, 0x2000, [.read])
        memory.unmap(0x30000, 0x1000)
        let now = memory.codeGeneration
        #expect(now == start + 2)
        #expect(memory.codeChanges(since: start, through: now) == [0x11..<0x13, 0x30..<0x31])
        #expect(memory.codeChanges(since: start + 1, through: now) == [0x30..<0x31])
        #expect(memory.codeChanges(since: now, through: now) == [])
        memory.invalidateCode(0x10ffe, 4) // straddles two pages
        #expect(memory.codeChanges(since: now, through: memory.codeGeneration) == [0x10..<0x12])
        memory.invalidateCode() // fence.i: everything
        #expect(memory.codeChanges(since: now, through: memory.codeGeneration) == nil)
    }

    @Test func logThatNoLongerReachesBackMeansEverything() {
        let memory = GuestMemory(limit: Layout.limit)
        memory.mapAnonymous(0x10000, 0x1000, [.read, .execute])
        let start = memory.codeGeneration
        for _ in 0..<300 { memory.invalidateCode(0x10000, 4) }
        #expect(memory.codeChanges(since: start, through: memory.codeGeneration) == nil)
        let recent = memory.codeGeneration - 10
        #expect(memory.codeChanges(since: recent, through: memory.codeGeneration)?.count == 10)
    }

    // MARK: The JIT

    /// Calls g (on the second code page) 50 times, adding its results; the caller's `jal` is
    /// chained to g's translation. After 301 instructions the run stops there, g is replaced, and
    /// a second loop of 50 calls runs: the sum must come from the new g, through the old link.
    static var program: Program {
        let g = Layout.code + 0x1000
        var code: [UInt32] = [
            RV.addi(7, 0, 50),                       // 0
            RV.jal(1, Int(g) - Int(Layout.code + 4)),// 4: loop 1
            RV.add(12, 12, 10),                      // 8
            RV.addi(7, 7, -1),                       // 12
            RV.bne(7, 0, -12),                       // 16
            RV.addi(7, 0, 50),                       // 20: the run pauses here (after 301)
            RV.jal(1, Int(g) - Int(Layout.code + 24)),// 24: loop 2
            RV.add(13, 13, 10),                      // 28
            RV.addi(7, 7, -1),                       // 32
            RV.bne(7, 0, -12),                       // 36
            RV.addi(10, 12, 0),
            RV.add(10, 10, 13),
        ] + RV.exit
        code += Array(repeating: 0, count: 1024 - code.count)
        code += [RV.addi(10, 7, 3), RV.jalr(0, 1, 0)] // g(x7) = x7 + 3
        return Program(code: code)
    }
    static let pause: UInt64 = 1 + 50 * 6

    /// Runs the program, applying `change` to memory at the pause; the outcome and the engine.
    static func run(_ engine: Engine, change: (GuestMemory) -> Void) -> (status: Guest.ExitStatus, a0: UInt64) {
        let (hart, _) = program.makeHart()
        let first = engine.run(hart, maxInstructions: pause)
        #expect(first == .instructionLimit)
        #expect(hart.state.pc == Layout.code + 20)
        change(hart.memory)
        let status = engine.run(hart, maxInstructions: 10_000)
        return (status, hart.state.x(10))
    }

    /// g becomes x7 * 2 (a debugger-style write to its page, which is executable).
    static func replaceG(_ memory: GuestMemory) {
        let g = Layout.code + 0x1000
        let bytes = [RV.slli(10, 7, 1), RV.jalr(0, 1, 0)].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        #expect(memory.poke(g, bytes))
    }

    @Test(arguments: [true, false]) func replacedCodeRunsThroughOldLinks(chaining: Bool) {
        let reference = CodeChangeTests.run(Interpreter(), change: CodeChangeTests.replaceG)
        // 50·(x+3) over x = 50..1, then 50·2x.
        let before: Int = (1...50).map { $0 + 3 }.reduce(0, +)
        let after: Int = (1...50).map { 2 * $0 }.reduce(0, +)
        #expect(reference.a0 == UInt64(before + after))
        let jit = CodeChangeTests.jitWithoutLeafCalls(chaining: chaining)
        let outcome = CodeChangeTests.run(jit, change: CodeChangeTests.replaceG)
        #expect(outcome.status == reference.status)
        #expect(outcome.a0 == reference.a0)
        #expect(jit.stats.cacheFlushes == 0)
        #expect(jit.stats.codeChanges == 1)
        #expect(jit.stats.blocksDropped == 1) // g's block only: the caller's page did not change
    }

    /// g is a leaf, so by default the caller's loop blocks hold its code (`BlockDecoder.leafCallee`)
    /// and are listed under g's page too: replacing g drops them, and the second loop runs the new g.
    @Test(arguments: [true, false]) func replacedLeafInsideCallers(chaining: Bool) {
        let reference = CodeChangeTests.run(Interpreter(), change: CodeChangeTests.replaceG)
        let jit = smallJIT(chaining: chaining)
        let outcome = CodeChangeTests.run(jit, change: CodeChangeTests.replaceG)
        #expect(outcome.status == reference.status)
        #expect(outcome.a0 == reference.a0)
        #expect(jit.stats.cacheFlushes == 0)
        #expect(jit.stats.codeChanges == 1)
        #expect(jit.stats.blocksDropped >= 2) // the callers that hold g
    }

    /// A JIT that leaves calls as block ends, so that g has a block of its own.
    static func jitWithoutLeafCalls(chaining: Bool = true) -> JIT {
        var options = JITOptions(cacheSize: 1 << 20, chaining: chaining)
        options.inlineCalls = false
        return JIT(options: options)
    }

    /// Reprotecting and unmapping other executable pages changes nothing the JIT translated.
    @Test func unrelatedChangesDropNothing() {
        let jit = smallJIT()
        let change: (GuestMemory) -> Void = { memory in
            memory.protect(Layout.code + 0x3000, 0x1000, PageFlags.read)
            memory.unmap(Layout.code + 0x2000, 0x1000)
        }
        let reference = CodeChangeTests.run(Interpreter(), change: change)
        let outcome = CodeChangeTests.run(jit, change: change)
        #expect(outcome.a0 == reference.a0)
        #expect(jit.stats.cacheFlushes == 0)
        #expect(jit.stats.blocksDropped == 0)
        #expect(jit.stats.codeChanges == 1) // both changes, seen together at the next dispatch
    }

    /// fence.i (an "everything" change) still flushes the whole cache.
    @Test func everythingStillFlushes() {
        let jit = smallJIT()
        let outcome = CodeChangeTests.run(jit) { memory in
            CodeChangeTests.replaceG(memory)
            memory.invalidateCode()
        }
        let reference = CodeChangeTests.run(Interpreter(), change: CodeChangeTests.replaceG)
        #expect(outcome.a0 == reference.a0)
        #expect(jit.stats.cacheFlushes == 1)
    }

    /// g's page unmapped and mapped again with new code: the caller's `jal` into it still leads
    /// to the new code; code on a page that went away is never run.
    @Test func remappedPage() {
        let remap: (GuestMemory) -> Void = { memory in
            let g = Layout.code + 0x1000
            memory.unmap(g, 0x1000)
            memory.mapAnonymous(g, 0x1000, [.read, .write])
            let bytes = [RV.addi(10, 7, -1), RV.jalr(0, 1, 0)].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
            _ = try? memory.write(g, bytes)
            memory.protect(g, 0x1000, [.read, .execute])
        }
        let reference = CodeChangeTests.run(Interpreter(), change: remap)
        let jit = CodeChangeTests.jitWithoutLeafCalls()
        let outcome = CodeChangeTests.run(jit, change: remap)
        #expect(outcome.a0 == reference.a0)
        #expect(jit.stats.cacheFlushes == 0)
        #expect(jit.stats.blocksDropped == 1)
        // With g inside its callers, the remapped g runs too.
        let inlined = CodeChangeTests.run(smallJIT(), change: remap)
        #expect(inlined.a0 == reference.a0)
    }
}
