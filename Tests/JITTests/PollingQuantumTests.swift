import Testing
import JIT

/// System mode's polling quantum follows host time: it grows while runs of a quantum are short
/// and shrinks while they are long, within its bounds (PollingQuantum.swift).
@Suite struct PollingQuantumTests {
    @Test("the quantum doubles while its runs take under 100 µs, up to 1Mi instructions")
    func grows() {
        var q = PollingQuantum()
        #expect(q.instructions == PollingQuantum.least)
        q.ranOut(at: 1_000_000) // the first exit only starts the clock
        #expect(q.instructions == 1 << 16)
        var now: UInt64 = 1_000_000
        for expected in [1 << 17, 1 << 18, 1 << 19, 1 << 20, 1 << 20] as [UInt64] {
            now += 20_000
            q.ranOut(at: now)
            #expect(q.instructions == expected)
        }
    }

    @Test("the quantum halves while its runs take over 400 µs, down to 64Ki, and holds in between")
    func shrinks() {
        var q = PollingQuantum()
        var now: UInt64 = 5_000
        q.ranOut(at: now)
        for _ in 0..<4 { now += 10_000; q.ranOut(at: now) }
        #expect(q.instructions == 1 << 20)
        now += 250_000
        q.ranOut(at: now)
        #expect(q.instructions == 1 << 20, "between fast and slow the quantum stays")
        for expected in [1 << 19, 1 << 18, 1 << 17, 1 << 16, 1 << 16] as [UInt64] {
            now += 2_000_000
            q.ranOut(at: now)
            #expect(q.instructions == expected)
        }
    }
}
