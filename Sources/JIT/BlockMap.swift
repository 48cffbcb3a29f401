/// Block key (a guest pc in user mode) → host address of its code: the dispatcher's map.
///
/// Open addressing with linear probing and Fibonacci hashing over two flat arrays, instead of a
/// `Dictionary`: every dispatcher lookup, every block installed and every chain site of a block
/// loaded from the persistent cache hashed its key with SipHash, and the hashing and probing
/// were ~3% of a warm short process's CPU time (`perf record` of `rm` in a Debian chroot). Keys
/// are pcs, evenly spread by the multiply; the table stays at most half full. Removal shifts the
/// probe run back (no tombstones), so lookups never slow down after code is dropped. A value
/// type over arrays: a copy (the translator's `TranslationTargets.translated`) shares storage
/// until either side writes, like the dictionary did.
public struct BlockMap: Sendable {
    /// Marks a free slot. A key equal to it (only an odd pc, which has no block) is kept aside.
    private static let free = UInt64.max
    private var keys: [UInt64]
    private var values: [UInt64]
    /// 64 − log2(slots): the multiply's top bits index the table.
    private var shift: UInt64
    private var freeKeyValue: UInt64?
    public private(set) var count = 0

    /// A map that stays empty (what a block translated for the persistent cache may link to).
    static let empty = BlockMap()

    public init(minimumCapacity: Int = 16) {
        var slots = 16
        while slots < minimumCapacity * 2 { slots *= 2 }
        keys = Array(repeating: BlockMap.free, count: slots)
        values = Array(repeating: 0, count: slots)
        shift = UInt64(64 - slots.trailingZeroBitCount)
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The slot holding `key`, or the free slot where it would go.
    @inline(__always)
    private func slot(_ key: UInt64) -> (index: Int, found: Bool) {
        let mask = keys.count - 1
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key { return (i, true) }
            if k == BlockMap.free { return (i, false) }
            i = (i + 1) & mask
        }
    }

    public subscript(key: UInt64) -> UInt64? {
        get {
            if key == BlockMap.free { return freeKeyValue }
            let s = slot(key)
            return s.found ? values[s.index] : nil
        }
        set {
            guard let newValue else { _ = removeValue(forKey: key); return }
            if key == BlockMap.free {
                if freeKeyValue == nil { count += 1 }
                freeKeyValue = newValue
                return
            }
            let s = slot(key)
            if s.found { values[s.index] = newValue; return }
            keys[s.index] = key
            values[s.index] = newValue
            count += 1
            if count * 2 > keys.count { grow() }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: UInt64) -> UInt64? {
        if key == BlockMap.free {
            defer { if freeKeyValue != nil { count -= 1; freeKeyValue = nil } }
            return freeKeyValue
        }
        let s = slot(key)
        guard s.found else { return nil }
        let removed = values[s.index]
        // Backward shift: move later members of the probe run into the hole when the hole lies
        // between their home slot and where they sit, so every key stays reachable.
        let mask = keys.count - 1
        var hole = s.index
        var i = (hole + 1) & mask
        while keys[i] != BlockMap.free {
            let h = home(keys[i])
            if (i - h) & mask >= (i - hole) & mask {
                keys[hole] = keys[i]
                values[hole] = values[i]
                hole = i
            }
            i = (i + 1) & mask
        }
        keys[hole] = BlockMap.free
        count -= 1
        return removed
    }

    public mutating func removeAll() {
        if count == 0 { return }
        for i in keys.indices { keys[i] = BlockMap.free }
        freeKeyValue = nil
        count = 0
    }

    /// Every (key, host address) pair, in no particular order (for listings).
    public var pairs: [(key: UInt64, value: UInt64)] {
        var all: [(key: UInt64, value: UInt64)] = []
        all.reserveCapacity(count)
        for i in keys.indices where keys[i] != BlockMap.free { all.append((keys[i], values[i])) }
        if let freeKeyValue { all.append((BlockMap.free, freeKeyValue)) }
        return all
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: BlockMap.free, count: oldKeys.count * 2)
        values = Array(repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        for i in oldKeys.indices where oldKeys[i] != BlockMap.free {
            let s = slot(oldKeys[i])
            keys[s.index] = oldKeys[i]
            values[s.index] = oldValues[i]
        }
    }
}
