import Testing
@testable import JIT

/// The jalr table is empty again after a clear, whether or not anything was written to it.
@Suite struct IndirectTableTests {
    func entry(_ t: IndirectTable, _ pc: UInt64) -> (UInt64, UInt64) {
        let i = Int((pc >> 1) & UInt64(t.mask))
        return (t.base[2 * i], t.base[2 * i + 1])
    }

    @Test(arguments: [true, false]) func fillsClearsAndRefills(low: Bool) {
        let t = IndirectTable(low: low, zeroIsEmpty: true)
        let pcs = (0..<96).map { UInt64(0x1_0000 + 0x1234 * $0) & ~1 }
        #expect(entry(t, pcs[0]).0 != pcs[0])
        for (k, pc) in pcs.enumerated() { t.insert(guest: pc, host: 0x5000 + UInt64(k)) }
        for (k, pc) in pcs.enumerated() { #expect(entry(t, pc) == (pc, 0x5000 + UInt64(k))) }
        t.clear()
        for pc in pcs { #expect(entry(t, pc).0 != pc, "entry for \(pc) survived a clear") }
        #expect(t.base[0] == t.emptyKey(0))
        t.clear() // nothing written since: still empty
        for pc in pcs { #expect(entry(t, pc).0 != pc) }
        t.insert(guest: pcs[1], host: 7)
        #expect(entry(t, pcs[1]) == (pcs[1], 7))
        t.clear()
        #expect(entry(t, pcs[1]).0 != pcs[1])
    }
}
