import Testing
@testable import JIT

/// The interpreted-first-runs counter table against a dictionary, across growth and reset.
@Suite struct ArrivalCountsTests {
    @Test func countsAsADictionaryWould() {
        var table = ArrivalCounts(capacity: 4)
        var model: [UInt64: Int] = [:]
        var x: UInt64 = 0x1234_5678
        for _ in 0..<20_000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            // Even pcs in a few clusters, including 0 and the top of the address space.
            let pc = [x & 0xffe, 0x1_0000 + (x & 0x3_fffe), x & ~1, UInt64.max - 1 - (x & 0x1e)][Int(x >> 60) & 3]
            table.add(pc)
            model[pc, default: 0] += 1
        }
        for (pc, n) in model { #expect(Int(table.count(pc)) == min(n, 255), "pc \(pc)") }
        #expect(table.count(0x7777_7776) == UInt8(min(model[0x7777_7776] ?? 0, 255)))
        table.removeAll()
        for pc in model.keys.prefix(100) { #expect(table.count(pc) == 0) }
        table.add(8)
        #expect(table.count(8) == 1)
    }

    @Test func countsSaturate() {
        var table = ArrivalCounts()
        for _ in 0..<300 { table.add(0x1000) }
        #expect(table.count(0x1000) == 255)
        table.add(UInt64.max) // never counted: such a pc cannot be fetched
        #expect(table.count(UInt64.max) == 0)
    }
}
