import RISCV

/// Small indexes added to a base: table lookups without a limit check of their own (issue 20).
///
/// Table-driven code (AES's T tables, CRC's table, a switch's jump table) computes
/// `zext.b t, s; slli t, t, 2; add t, t, base; lw d, off(t)`: the index is known small from the
/// instructions that made it, the base is the same register for every lookup. Each lookup used to
/// pay the limit check (`cmp; jae`, and the `add` of its displacement) because `t` is a fresh
/// value every time. This tracks, per guest register at a point of the block being translated,
///
/// - an unsigned upper **bound** of its value, from the instruction that wrote it (`andi` with a
///   non-negative mask, `srliw`/`srli` by 1 or more, `lbu`/`lhu`, `slli`, `add`/`addi` of bounded
///   values), and
/// - a **relation** `x = base + offset + i` with `0 ≤ i ≤ extent`, from an `add` (or Zba's
///   `shNadd`) of a bounded value to another register (offset 0), or from an `addi` of another
///   register or of a related one (`addi a4, gp, -1984`, `addi a5, sp, 16`, a pointer bumped
///   off a checked one), valid while neither x nor base has been written since.
///
/// An access `off(x)` with such a relation is then an access off `base` at displacement
/// `off + offset + [0, extent]`: covered when `base` was checked earlier in the block (CheckedBases) or is
/// sp/gp/tp (ConfinedBases), and, when it is checked, it checks `base` for the lookups after it.
/// The facts are about guest values, like `SignExtended`'s: they start empty at the block's start
/// (which a loop's back edge returns to) and are updated after each instruction.
struct IndexBounds {
    /// The largest extent worth recording: a relation must leave room in the guards
    /// (`CheckedBases.reach`) for the displacements of the lookups around it.
    static let maximumExtent: UInt64 = 16 << 10
    /// The largest |offset| of a relation (two 12-bit immediates).
    static let maximumOffset: Int64 = 4096

    /// Bits of registers with a bound, and the bounds.
    private var bounded: UInt32 = 0
    private var bound = [UInt64](repeating: 0, count: 32)
    /// Bits of registers with a relation, their bases and extents.
    private var related: UInt32 = 0
    private var base = [UInt8](repeating: 0, count: 32)
    private var extent = [UInt64](repeating: 0, count: 32)
    private var offset = [Int64](repeating: 0, count: 32)

    /// The known upper bound of x's value (x0: 0).
    func bound(of x: UInt8) -> UInt64? {
        if x == 0 { return 0 }
        return bounded & (1 << UInt32(x & 31)) != 0 ? bound[Int(x & 31)] : nil
    }

    /// `x = base + offset + i`, `0 ≤ i ≤ extent`, when known.
    func relation(of x: UInt8) -> (base: UInt8, offset: Int64, extent: UInt64)? {
        guard x != 0, related & (1 << UInt32(x & 31)) != 0 else { return nil }
        return (base[Int(x)], offset[Int(x)], extent[Int(x)])
    }

    /// Records what `inst` (which the block executed in full) wrote.
    mutating func update(_ inst: Instruction) {
        guard inst.opcode.files.writesX else { return }
        if inst.secondWritten != 0 { forget(inst.rd &+ 1) }
        guard inst.rd != 0 else { return }
        let newBound = IndexBounds.result(inst, self)
        let newRelation = IndexBounds.relationResult(inst, self)
        forget(inst.rd)
        let bit: UInt32 = 1 << UInt32(inst.rd)
        if let b = newBound, b <= UInt64(UInt32.max) {
            bounded |= bit
            bound[Int(inst.rd)] = b
        }
        if let r = newRelation, r.base != inst.rd {
            related |= bit
            base[Int(inst.rd)] = r.base
            offset[Int(inst.rd)] = r.offset
            extent[Int(inst.rd)] = r.extent
        }
    }

    /// What holds on both of two ways into a join (BlockJoins.swift): the larger of two bounds,
    /// and the relations both ways have with the same base and offset, over the larger extent.
    mutating func meet(_ other: IndexBounds) {
        bounded &= other.bounded
        var rest = bounded
        while rest != 0 {
            let x = rest.trailingZeroBitCount
            rest &= rest &- 1
            bound[x] = Swift.max(bound[x], other.bound[x])
        }
        related &= other.related
        rest = related
        while rest != 0 {
            let x = rest.trailingZeroBitCount
            rest &= rest &- 1
            if base[x] != other.base[x] || offset[x] != other.offset[x] {
                related &= ~(1 << UInt32(x))
            } else {
                extent[x] = Swift.max(extent[x], other.extent[x])
            }
        }
    }

    /// x was written with a value nothing is known of (or the write was not emitted): forgets its
    /// bound, its relation and every relation based on it.
    mutating func forget(_ x: UInt8) {
        guard x != 0, x < 32 else { return }
        let bit: UInt32 = 1 << UInt32(x)
        bounded &= ~bit
        related &= ~bit
        var rest = related
        while rest != 0 {
            let y = rest.trailingZeroBitCount
            rest &= rest &- 1
            if base[y] == x { related &= ~(1 << UInt32(y)) }
        }
    }

    /// The bound of `inst`'s result given what is known of its sources, if any.
    static func result(_ inst: Instruction, _ known: IndexBounds) -> UInt64? {
        let shamt = UInt64(truncatingIfNeeded: inst.imm) & 63
        switch inst.opcode {
        case .andi:
            let mask = inst.imm >= 0 ? UInt64(inst.imm) : nil
            return min(mask, known.bound(of: inst.rs1))
        case .and:
            return min(known.bound(of: inst.rs1), known.bound(of: inst.rs2))
        case .srliw:
            // Bit 31 of the shifted word is clear from a shift of 1 on, so no sign extension.
            let k = shamt & 31
            return k == 0 ? nil : UInt64(UInt32.max) >> k
        case .srli:
            if shamt == 0 { return known.bound(of: inst.rs1) }
            let b = UInt64.max >> shamt
            return known.bound(of: inst.rs1).map { Swift.min($0 >> shamt, b) } ?? b
        case .slli:
            guard shamt < 32, let b = known.bound(of: inst.rs1), b <= UInt64(UInt32.max) >> shamt else { return nil }
            return b << shamt
        case .lbu: return 0xff
        case .lhu: return 0xffff
        case .zext_h: return 0xffff
        case .addi:
            guard inst.imm >= 0, let b = known.bound(of: inst.rs1) else { return nil }
            return b + UInt64(inst.imm)
        case .add:
            guard let b1 = known.bound(of: inst.rs1), let b2 = known.bound(of: inst.rs2) else { return nil }
            return b1 + b2
        default:
            return nil
        }
    }

    /// The relation `rd = base + offset + i` that `inst` establishes, if any: an add of a small
    /// bounded value to another register, or an addi of a register that is no small value.
    static func relationResult(_ inst: Instruction, _ known: IndexBounds) -> (base: UInt8, offset: Int64, extent: UInt64)? {
        let scaled: (index: UInt8, shift: UInt64, base: UInt8)
        switch inst.opcode {
        case .add:
            if let b = known.bound(of: inst.rs1), b <= maximumExtent, inst.rs2 != 0, known.bound(of: inst.rs2) == nil {
                return (inst.rs2, 0, b)
            }
            if let b = known.bound(of: inst.rs2), b <= maximumExtent, inst.rs1 != 0, known.bound(of: inst.rs1) == nil {
                return (inst.rs1, 0, b)
            }
            return nil
        case .addi:
            guard inst.rs1 != 0, known.bound(of: inst.rs1) == nil else { return nil }
            if let r = known.relation(of: inst.rs1) {
                let o = r.offset + inst.imm
                return abs(o) <= maximumOffset ? (r.base, o, r.extent) : nil
            }
            return (inst.rs1, inst.imm, 0)
        case .sh1add: scaled = (inst.rs1, 1, inst.rs2)
        case .sh2add: scaled = (inst.rs1, 2, inst.rs2)
        case .sh3add: scaled = (inst.rs1, 3, inst.rs2)
        default: return nil
        }
        guard scaled.base != 0, let b = known.bound(of: scaled.index), b <= maximumExtent >> scaled.shift else { return nil }
        return (scaled.base, 0, b << scaled.shift)
    }
}

private func min(_ a: UInt64?, _ b: UInt64?) -> UInt64? {
    switch (a, b) {
    case (let x?, let y?): Swift.min(x, y)
    case (let x?, nil): x
    case (nil, let y?): y
    case (nil, nil): nil
    }
}
