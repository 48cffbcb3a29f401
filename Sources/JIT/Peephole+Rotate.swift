import RISCV
import X86

/// Rotates. RV64GC has none, so compilers write `(x << k) | (x >> (w − k))` as two shifts into
/// temporaries and an `or`, which gcc schedules apart (SHA-256 interleaves three rotates). The
/// `or` becomes one x86 `rol` of the shifts' common source, and a shift is not emitted at all when
/// nothing else reads its result and no one can see it: it is overwritten before any instruction
/// that may leave the block, fault or call a helper (each of which shows every register, to the
/// dispatcher, a signal frame or a fault report), so what those see stays exact.
struct RotatePlan {
    /// Per instruction: for a rotating `or`, its source register and left amount (else nil).
    private(set) var rotates: [(source: UInt8, left: UInt8, word: Bool)?] = []
    /// Per instruction: a shift whose result only rotates read and nothing observes.
    private(set) var skipped: [Bool] = []

    var isEmpty: Bool { rotates.isEmpty }

    init() {}

    static func isLeft(_ op: Opcode) -> Bool { op == .slli || op == .slliw }
    static func isRight(_ op: Opcode) -> Bool { op == .srli || op == .srliw }

    /// A join (BlockJoins.swift) is reached with registers as another way left them: there every
    /// value so far counts as seen, and no rotate pairs a shift before it with an `or` after it.
    init(_ block: GuestBlock, joins: BlockJoins = BlockJoins()) {
        let insts = block.instructions
        // Most blocks have no left shift at all: nothing to plan.
        guard insts.contains(where: { RotatePlan.isLeft($0.opcode) }) else { return }
        let n = insts.count
        // The instruction whose result each register holds (−1: the value from before the
        // block), and for each shift the definition of its source it read.
        var lastDef = [Int](repeating: -1, count: 32)
        var sourceDef = [Int](repeating: -1, count: n)
        var uses = [Int](repeating: 0, count: n)
        var rotateUses = [Int](repeating: 0, count: n)
        var observed = [Bool](repeating: false, count: n)
        var plan = [(source: UInt8, left: UInt8, word: Bool)?](repeating: nil, count: n)
        var found = false
        for (k, i) in insts.enumerated() {
            if joins.isJoin(k) {
                for r in 1..<32 where lastDef[r] >= 0 { observed[lastDef[r]] = true }
                for r in 0..<32 { lastDef[r] = -1 }
            }
            guard i.opcode.group == .integer else {
                // May leave, fault or call out: every register's value is seen.
                for r in 1..<32 where lastDef[r] >= 0 { observed[lastDef[r]] = true }
                if i.opcode.files.writesX, i.rd != 0 { lastDef[Int(i.rd)] = k }
                continue
            }
            let spec = i.opcode.files
            var rotated = false
            if i.opcode == .or, i.rs1 != 0, i.rs2 != 0, i.rs1 != i.rs2,
               let r = RotatePlan.rotate(insts, lastDef[Int(i.rs1)], lastDef[Int(i.rs2)], sourceDef, lastDef) {
                plan[k] = r
                rotated = true
                found = true
            }
            for x in [spec.rs1 == .x ? i.rs1 : 0, spec.rs2 == .x ? i.rs2 : 0] where x != 0 {
                let d = lastDef[Int(x)]
                guard d >= 0 else { continue }
                uses[d] += 1
                if rotated { rotateUses[d] += 1 }
            }
            if spec.rs1 == .x, RotatePlan.isLeft(i.opcode) || RotatePlan.isRight(i.opcode) {
                sourceDef[k] = lastDef[Int(i.rs1)]
            }
            if spec.writesX, i.rd != 0 { lastDef[Int(i.rd)] = k }
        }
        guard found else { return }
        for r in 1..<32 where lastDef[r] >= 0 { observed[lastDef[r]] = true } // live out
        rotates = plan
        skipped = (0..<n).map { k in
            rotateUses[k] > 0 && rotateUses[k] == uses[k] && !observed[k]
        }
    }

    /// The rotate an `or` of the values defined by instructions `a` and `b` computes, if one is
    /// a left and the other a right shift of the same value by amounts adding up to the width
    /// (both W forms or neither), and that value is still in its register.
    private static func rotate(_ insts: [Instruction], _ a: Int, _ b: Int, _ sourceDef: [Int],
                               _ lastDef: [Int]) -> (source: UInt8, left: UInt8, word: Bool)? {
        guard a >= 0, b >= 0 else { return nil }
        var (l, r) = (insts[a], insts[b])
        var (ld, rd) = (a, b)
        if isRight(l.opcode) { swap(&l, &r); swap(&ld, &rd) }
        guard isLeft(l.opcode), isRight(r.opcode), (l.opcode == .slliw) == (r.opcode == .srliw) else { return nil }
        let width: Int64 = l.opcode == .slliw ? 32 : 64
        guard l.rs1 == r.rs1, l.rs1 != 0, sourceDef[ld] == sourceDef[rd], lastDef[Int(l.rs1)] == sourceDef[ld],
              l.imm > 0, r.imm > 0, l.imm + r.imm == width else { return nil }
        return (l.rs1, UInt8(l.imm), width == 32)
    }

    func rotate(at k: Int) -> (source: UInt8, left: UInt8, word: Bool)? { rotates.isEmpty ? nil : rotates[k] }
    func skips(_ k: Int) -> Bool { !skipped.isEmpty && skipped[k] }
}

extension Translator {
    /// `rd = rol(source, left)` for a rotating `or` (`RotatePlan`); `word`: of the low 32 bits,
    /// sign-extended, as `slliw`/`srliw`/`or` leave it (an OR of sign extensions is the sign
    /// extension of the OR).
    mutating func rotate(_ i: Instruction, source: UInt8, left: UInt8, word: Bool) {
        guard i.rd != 0 else { return }
        let d = destination(i.rd)
        load(d, source)
        if word {
            a.rol(.r32(d), imm: left)
            signExtendResult(d)
        } else {
            a.rol(.r64(d), imm: left)
        }
        store(i.rd, d)
    }
}
