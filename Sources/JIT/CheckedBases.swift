import Guest

/// Guest registers whose value this block has already range-checked as a load/store base.
///
/// When `x + d0` passed the limit check, so `0 ≤ x + d0 < limit`, any later access at `x + d` with
/// x unchanged lands within `|d − d0|` of the guest range; `GuestMemory` reserves `PROT_NONE`
/// guards on both sides wider than that, so such an access needs no check of its own: it either
/// touches guest memory or faults in a guard, and the fault handler reports it exactly as the
/// check would have (the guest address is in rax either way). A block is straight-line code and
/// a failed check leaves it, so a check earlier in the block covers every later access. Writing
/// x (any instruction with rd = x) forgets it, except `addi x, x, c`, which moves the checked
/// displacement by −c (the pointer bump in `ld a4, 0(a5); addi a5, a5, 8; sd a4, -8(a5)`).
///
/// A base checked through a table lookup (`off(t)` with `t = x + i`, `0 ≤ i ≤ m`, IndexBounds.swift)
/// is known less exactly: `x + off + i` passed for some such i, so `x + off` lies within m below
/// the range. That m is its *slack*, and an access of its own extent (the index range of another
/// lookup) adds to the distance it may be from the checked one.
struct CheckedBases {
    private var known: UInt32 = 0
    /// Arrays, not `InlineArray`s: Swift 6.3 copies a struct holding an `InlineArray` whole to
    /// the stack before every call of a method on it (`covers` copied 520 bytes, `IndexBounds`'
    /// queries 816), which made memmove a third of translation time; an array is a pointer.
    /// (Entries whose bit in `known` is clear are never read.)
    private var displacement = [Int64](repeating: 0, count: 32)
    private var slack = [Int64](repeating: 0, count: 32)

    /// The largest |d − d0| an unchecked access may be from a checked one, leaving room for the
    /// access size inside the guard below 0 (the smaller of the two).
    static let reach: Int64 = Int64(GuestMemory.lowGuardSize) - 64

    /// Whether an access at `x + d + i`, `0 ≤ i ≤ extent`, is covered by an earlier check (never
    /// for x0).
    func covers(_ x: UInt8, _ d: Int32, extent: UInt64 = 0) -> Bool {
        guard x != 0, x < 32, known & (1 << UInt32(x)) != 0, extent <= UInt64(CheckedBases.reach) else { return false }
        return abs(Int64(d) - displacement[Int(x)]) + slack[Int(x)] + Int64(extent) <= CheckedBases.reach
    }

    /// Whether x has been checked (at any displacement).
    func knows(_ x: UInt8) -> Bool { x != 0 && x < 32 && known & (1 << UInt32(x)) != 0 }

    /// x + d passed the check, or, with a slack m, x + d + i did for some 0 ≤ i ≤ m.
    mutating func insert(_ x: UInt8, _ d: Int32, slack m: UInt64 = 0) {
        guard x != 0, x < 32 else { return }
        known |= 1 << UInt32(x)
        displacement[Int(x)] = Int64(d)
        slack[Int(x)] = Int64(min(m, UInt64(CheckedBases.reach)))
    }

    /// x became x + c (c a 12-bit immediate): the address it checked is now x + (d0 − c).
    mutating func add(_ x: UInt8, _ c: Int64) {
        guard x != 0, x < 32, known & (1 << UInt32(x)) != 0 else { return }
        displacement[Int(x)] &-= c
    }

    /// x was written: its old check says nothing about the new value.
    mutating func forget(_ x: UInt8) {
        if x < 32 { known &= ~(1 << UInt32(x)) }
    }

    /// What holds on both of two ways into a join (BlockJoins.swift): the registers checked on
    /// both, each at this way's displacement with a slack that also covers the other's (an
    /// access within `reach` of the one is then within `reach` of the other as well).
    mutating func meet(_ other: CheckedBases) {
        known &= other.known
        var rest = known
        while rest != 0 {
            let x = rest.trailingZeroBitCount
            rest &= rest &- 1
            let wider = other.slack[x] + abs(other.displacement[x] - displacement[x])
            slack[x] = max(slack[x], wider)
            if slack[x] > CheckedBases.reach { known &= ~(1 << UInt32(x)) }
        }
    }
}
