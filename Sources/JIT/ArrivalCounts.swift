/// How many times the dispatcher arrived at each pc that had no block (interpreted first runs,
/// `JIT.interpretsNext`): an open-addressed table of pcs and small counts. A Swift dictionary
/// hashed each pc with SipHash twice per arrival, 1.5% of a static hello's run.
struct ArrivalCounts {
    /// `pc + 1` (0: an empty slot; a pc of all ones is never counted: it cannot be fetched).
    private var keys: [UInt64]
    private var counts: [UInt8]
    private var used = 0

    init(capacity: Int = 1024) {
        keys = [UInt64](repeating: 0, count: capacity)
        counts = [UInt8](repeating: 0, count: capacity)
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & (keys.count - 1)
    }

    /// The arrivals counted at `pc`.
    func count(_ pc: UInt64) -> UInt8 {
        let key = pc &+ 1
        guard key != 0 else { return 0 }
        var i = slot(key)
        while keys[i] != 0 {
            if keys[i] == key { return counts[i] }
            i = (i + 1) & (keys.count - 1)
        }
        return 0
    }

    /// Counts one more arrival at `pc` (saturating).
    mutating func add(_ pc: UInt64) {
        let key = pc &+ 1
        guard key != 0 else { return }
        if 2 * (used + 1) > keys.count { grow() }
        var i = slot(key)
        while keys[i] != 0 && keys[i] != key { i = (i + 1) & (keys.count - 1) }
        if keys[i] == 0 { keys[i] = key; used += 1 }
        if counts[i] != UInt8.max { counts[i] += 1 }
    }

    mutating func removeAll() {
        guard used > 0 else { return }
        for i in keys.indices { keys[i] = 0; counts[i] = 0 }
        used = 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldCounts = counts
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        counts = [UInt8](repeating: 0, count: oldKeys.count * 2)
        for (k, c) in zip(oldKeys, oldCounts) where k != 0 {
            var i = slot(k)
            while keys[i] != 0 { i = (i + 1) & (keys.count - 1) }
            keys[i] = k
            counts[i] = c
        }
    }
}
