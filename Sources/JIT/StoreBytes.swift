/// Little-endian encoding for the persistent cache's files (TranslationStore.swift).
struct StoreWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for k in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
    mutating func count(_ n: Int) { u32(UInt32(truncatingIfNeeded: n)) }
}

/// Reads what `StoreWriter` wrote; every read is bounds-checked and a short or malformed
/// input gives nil, never a trap (the file may be truncated, corrupt or hostile).
struct StoreReader {
    let bytes: UnsafeRawBufferPointer
    var at: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        at = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - at }

    mutating func take(_ n: Int) -> Int? {
        guard n >= 0, n <= remaining else { return nil }
        defer { at += n }
        return at
    }

    mutating func u8() -> UInt8? { take(1).map { bytes[$0] } }
    mutating func u16() -> UInt16? { take(2).map { bytes.loadUnaligned(fromByteOffset: $0, as: UInt16.self).littleEndian } }
    mutating func u32() -> UInt32? { take(4).map { bytes.loadUnaligned(fromByteOffset: $0, as: UInt32.self).littleEndian } }
    mutating func u64() -> UInt64? { take(8).map { bytes.loadUnaligned(fromByteOffset: $0, as: UInt64.self).littleEndian } }

    /// A count of items of at least `itemBytes` each that the rest of the input can hold.
    mutating func count(itemBytes: Int, limit: Int = 1 << 20) -> Int? {
        guard let n = u32().map(Int.init), n <= limit, n * max(1, itemBytes) <= remaining else { return nil }
        return n
    }

    mutating func bytesArray(_ n: Int) -> [UInt8]? {
        guard let start = take(n) else { return nil }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[start..<start + n]))
    }
}

/// A 64-bit checksum over a byte range, eight bytes at a time (not cryptographic: it catches
/// truncation and corruption; who may write the files is what keeps them trustworthy).
func storeChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    // Four independent lanes, so the multiplies overlap.
    var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count), 1, 2, 3)
    let m: UInt64 = 0x0000_0100_0000_01B3
    var i = 0
    let n = bytes.count
    while i + 32 <= n {
        lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* m
        lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* m
        lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* m
        lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* m
        lanes.0 ^= lanes.0 >> 29; lanes.1 ^= lanes.1 >> 29; lanes.2 ^= lanes.2 >> 29; lanes.3 ^= lanes.3 >> 29
        i += 32
    }
    var h = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7)
    while i + 8 <= n {
        h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* m
        h ^= h >> 29
        i += 8
    }
    while i < n {
        h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3
        i += 1
    }
    h ^= h >> 33
    h = h &* 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    return h
}

/// FNV-1a over a string, for the cache file's name.
func storeNameHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}
