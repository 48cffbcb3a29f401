import CHost

/// Atomic read-modify-writes on host memory holding guest data, so that engines stay correct when
/// several guest threads share memory (AMOs, sc). Each is a `lock`-prefixed instruction: a full
/// barrier on x86.
public enum HostAtomic {
    /// Replaces the 4- or 8-byte value at `p` by `update(old)` atomically (a compare-and-exchange
    /// loop); returns the old value. Other widths are not atomic (no RISC-V AMO has them).
    @inline(__always)
    public static func modify<T: FixedWidthInteger>(_ p: UnsafeMutableRawPointer, as: T.Type, _ update: (T) -> T) -> T {
        switch MemoryLayout<T>.size {
        case 4:
            var old = p.load(as: UInt32.self)
            while true {
                let new = UInt32(truncatingIfNeeded: update(T(truncatingIfNeeded: old)))
                if trapeze_cas32(p, &old, new) != 0 { return T(truncatingIfNeeded: old) }
            }
        case 8:
            var old = UInt(p.load(as: UInt64.self))
            while true {
                let new = UInt(UInt64(truncatingIfNeeded: update(T(truncatingIfNeeded: old))))
                if trapeze_cas64(p, &old, new) != 0 { return T(truncatingIfNeeded: old) }
            }
        default:
            let old = p.loadUnaligned(as: T.self)
            p.storeBytes(of: update(old), as: T.self)
            return old
        }
    }

    /// amocas.q on host memory: stores `desired` (low, high) at the 16-byte-aligned `p` if it
    /// holds `expected`; returns what it held (the same value, when it stored).
    @inline(__always)
    public static func compareExchange128(_ p: UnsafeMutableRawPointer, expected: (UInt64, UInt64),
                                          desired: (UInt64, UInt64)) -> (UInt64, UInt64) {
        var seen: (UInt, UInt) = (UInt(expected.0), UInt(expected.1))
        _ = withUnsafeMutableBytes(of: &seen) { bytes in
            trapeze_cas128(p, bytes.baseAddress!.assumingMemoryBound(to: UInt.self), UInt(desired.0), UInt(desired.1))
        }
        return (UInt64(seen.0), UInt64(seen.1))
    }

    /// A full barrier: orders earlier stores before later loads (the one reordering x86 does).
    @inline(__always) public static func fence() { trapeze_full_fence() }
}
