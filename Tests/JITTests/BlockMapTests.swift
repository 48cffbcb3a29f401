import JIT
import Testing
import TestSupport

/// The dispatcher's block map (BlockMap.swift) against a `Dictionary` doing the same things:
/// inserts that grow the table, overwrites, removals from the middle of probe runs (the backward
/// shift must keep every later key reachable), the key that marks a free slot, and a reset.
@Suite struct BlockMapTests {
    @Test(arguments: [1, 2, 3]) func agreesWithDictionary(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var map = BlockMap()
        var reference: [UInt64: UInt64] = [:]
        // Keys from a narrow range (2-byte aligned pcs of a few pages) collide and form long
        // runs; a few far keys and UInt64.max ride along.
        func key() -> UInt64 {
            switch rng.next() % 16 {
            case 0: return UInt64.max
            case 1: return rng.next()
            default: return 0x1_0000 + (rng.next() % 4096) * 2
            }
        }
        for step in 0..<20_000 {
            let k = key()
            switch rng.next() % 8 {
            case 0, 1, 2:
                let removed = map.removeValue(forKey: k)
                #expect(removed == reference.removeValue(forKey: k), "step \(step): remove \(k)")
            default:
                let v = rng.next()
                map[k] = v
                reference[k] = v
            }
            if step % 997 == 0 {
                for (rk, rv) in reference { #expect(map[rk] == rv, "step \(step): key \(rk)") }
            }
            #expect(map.count == reference.count)
        }
        for probe in 0..<5000 { let k = 0x1_0000 + UInt64(probe) * 2; #expect(map[k] == reference[k]) }
        #expect(Dictionary(uniqueKeysWithValues: map.pairs.map { ($0.key, $0.value) }) == reference)
        map.removeAll()
        #expect(map.count == 0 && map.pairs.isEmpty && map[UInt64.max] == nil && map[0x1_0000] == nil)
        map[0x1_0000] = 7
        #expect(map[0x1_0000] == 7 && map.count == 1)
    }

    /// A copy shares storage until one side writes, and never sees the other's writes.
    @Test func valueSemantics() {
        var a = BlockMap()
        for k in 0..<100 { a[UInt64(k) * 2] = UInt64(k) }
        var b = a
        b[0] = 99
        a.removeValue(forKey: 2)
        #expect(a[0] == 0 && b[0] == 99 && a[2] == nil && b[2] == 1)
    }
}
