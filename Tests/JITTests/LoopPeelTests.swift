import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Self-loops get a second copy that checks no base the previous iteration accessed
/// (LoopPeel.swift): the code shape, and random pointer-walking loops (strides up to the guard's
/// reach, off the top of memory, below 0, bases rewritten or accessed on one way only) against
/// the interpreter with every budget.
@Suite struct LoopPeelTests {
    /// fmatmul's inner loop in integers: two loads, two pointer bumps, a store, the back edge.
    static let walk: [UInt32] = [RV.ld(10, 15, 0), RV.ld(11, 14, 0), RV.addi(15, 15, 8), RV.addi(14, 14, 8),
                                 RV.add(10, 10, 11), RV.sd(10, 15, -8), RV.bne(13, 15, -24)]

    func host(_ code: [UInt32], peel: Bool) throws -> [String] {
        let (hart, _) = Program(code: code + RV.exit).makeHart()
        var options = JITOptions(cacheSize: 1 << 20)
        options.loopPeeling = peel
        let listing = try #require(JIT(options: options).listing(hart, at: Layout.code))
        return X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    @Test func secondCopyChecksNothing() throws {
        let limit = "0x" + String(StateOffset.memoryLimit, radix: 16)
        func checks(_ text: [String]) -> Int { text.filter { $0.hasPrefix("cmp") && $0.contains(limit) }.count }
        func stores(_ text: [String]) -> Int { text.filter { $0.hasPrefix("mov qword ptr [r15") }.count }
        let peeled = try host(Self.walk, peel: true), plain = try host(Self.walk, peel: false)
        #expect(checks(plain) == 2)
        #expect(stores(plain) == 1)
        // Two copies of the body (two stores), the same two checks, both in the first.
        #expect(stores(peeled) == 2)
        #expect(checks(peeled) == 2)
        // A base rewritten other than by addi is checked in the second copy too (pointer chase).
        let chase = [RV.ld(15, 15, 0), RV.bne(15, 0, -4)]
        #expect(checks(try host(chase, peel: true)) == 2)
        // A base accessed on one way through the body only is checked again.
        let oneWay = [RV.beq(10, 0, 8), RV.ld(11, 14, 0), RV.addi(14, 14, 8), RV.bne(13, 14, -12)]
        #expect(checks(try host(oneWay, peel: true)) == 2)
    }

    /// A loop as long as a block may be (AES's round: 97 instructions) is peeled too: the walk
    /// padded with ALU work to 120 instructions checks its bases in the first copy only. Against
    /// the interpreter, walking off the top of memory.
    @Test func longLoopIsPeeled() throws {
        let limit = "0x" + String(StateOffset.memoryLimit, radix: 16)
        func checks(_ text: [String]) -> Int { text.filter { $0.hasPrefix("cmp") && $0.contains(limit) }.count }
        func stores(_ text: [String]) -> Int { text.filter { $0.hasPrefix("mov qword ptr [r15") }.count }
        var body = Array(Self.walk.dropLast())
        for k in 0..<(120 - Self.walk.count) { body.append(RV.r(k % 2 == 0 ? .add : .xor, 5 + k % 3, 6 + k % 2, 7)) }
        body.append(RV.bne(13, 15, -4 * body.count))
        #expect(body.count == 120)
        let peeled = try host(body, peel: true)
        #expect(stores(peeled) == 2)
        #expect(checks(peeled) == 2)
        let p = Program(code: body + RV.exit) { s in
            s.setX(15, Layout.limit - 0x40)
            s.setX(14, Layout.data)
            s.setX(13, Layout.limit + 0x1000)
        }
        for budget in [nil, 1, 119, 121, 250, 361] as [UInt64?] { IndexBoundsTests.expectAsInterpreter(p, budgets: [budget], "long loop") }
    }

    func walkProgram(start: UInt64, end: UInt64) -> Program {
        Program(code: Self.walk + RV.exit) { s in
            s.setX(15, start)
            s.setX(14, Layout.data)
            s.setX(13, end)
        }
    }

    /// The walk runs off the top of memory, and from below 0 (wrapping) into the first page.
    @Test func walksOffTheEnds() {
        let budgets: [UInt64?] = [nil, 3, 10, 17, 50, 200]
        IndexBoundsTests.expectAsInterpreter(walkProgram(start: IndexBoundsTests.top + 0xf00, end: 0), budgets: budgets, "off the top")
        IndexBoundsTests.expectAsInterpreter(walkProgram(start: 0 &- 64, end: 0x200), budgets: budgets, "from below 0")
        IndexBoundsTests.expectAsInterpreter(walkProgram(start: Layout.data, end: Layout.data + 0x400), budgets: budgets, "inside")
    }

    /// Random loops over three pointers that start anywhere (inside the data, near the top of
    /// memory, near 0, past the limit), with accesses at displacements up to ±2 KiB, bumps up to
    /// ±2 KiB, rewrites, and forward branches around some of it.
    static func randomLoop(_ r: inout SeededRandom) -> [UInt32] {
        var body: [UInt32] = []
        let bases = [12, 13, 14]
        var branches: [Int] = []
        while body.count < 4 + r.below(16) {
            let x = r.pick(bases)
            switch r.below(12) {
            case 0...3: body.append(RV.ld(r.pick([5, 6, 7]), x, 8 * (r.below(64) - 32)))
            case 4...5: body.append(RV.sd(r.pick([5, 6, 7]), x, 8 * (r.below(64) - 32)))
            case 6: body.append(RV.i(.lw, r.pick([5, 6]), x, r.chance(2) ? 2040 : -2040))
            case 7...8: body.append(RV.addi(x, x, r.chance(3) ? 8 * (r.below(512) - 256) : 8 * (r.below(8) - 3)))
            case 9: body.append(r.chance(2) ? RV.add(x, x, 5) : RV.ld(x, 31, 0))
            default:
                branches.append(body.count)
                body.append(0)
            }
        }
        for b in branches {
            let target = b + 1 + r.below(body.count - b)
            body[b] = RV.b(r.pick([.beq, .bne, .blt]), r.pick([5, 6, 9]), 0, 4 * (target - b))
        }
        body.append(RV.addi(9, 9, -1))
        body.append(RV.bne(9, 0, -4 * body.count))
        return body
    }

    @Test(arguments: 0..<40) func randomLoopsAsInterpreter(_ seed: Int) {
        var r = SeededRandom(seed: 0x9ee1_0000 &+ UInt64(seed))
        let body = Self.randomLoop(&r)
        let places: [UInt64] = [Layout.data + 0x800, Layout.data + 0x1000, IndexBoundsTests.top + 0x800,
                                IndexBoundsTests.top + 0xff8, 0x100, 0 &- 0x100, Layout.limit + 0x40]
        let start = [12, 13, 14].map { ($0, r.pick(places)) }
        let values = [5, 6, 7].map { ($0, r.pick([0, 1, 8, 0x80, UInt64.max])) }
        let p = Program(code: body + RV.exit, data: [8, 0, 0, 0]) { s in
            for (x, v) in start + values { s.setX(x, v) }
            s.setX(9, 40)
        }
        IndexBoundsTests.expectAsInterpreter(p, budgets: [nil, 5, 23, 101, 333], "seed \(seed)")
    }
}
