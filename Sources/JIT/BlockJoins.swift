import RISCV
import X86

/// Forward branches that stay inside their block (issue 20, class 3: large branchy code).
///
/// Decoding goes on past a forward conditional branch (a side exit, BlockDecoder.swift). When the
/// branch's target is itself a later instruction of the block — an `if` without `else`, whose
/// body the block holds — the taken side jumps to that instruction's code in the block instead
/// of leaving: the *join*. Before, it left for a block of its own at the target, which held
/// another copy of the code from there on; in statemachine (3000 `if`s) every guest instruction
/// was translated three times over, and the 1.25 MB of host code this made did not fit the
/// host's L2 cache.
///
/// Two ways lead to a join, so the translator treats it as a merge point:
/// - the budget: a join starts a segment (`Translator.charged`), whose budget check both ways
///   pass, so each instruction is charged once whichever way was taken. That check may leave
///   the block at the join, so there every register is observed in full (`UpperBits` extends
///   what is live there, `RotatePlan` keeps the shifts);
/// - what the translator knows of registers (checked bases, sign extension, index bounds, the
///   folded MXCSR flags) is what both ways know (`JoinFacts.meet`); the block's register
///   allocation is in effect on both, and the dirty set is their union (storing a swapped-in
///   register that was not written is harmless, `BlockRegisters`);
/// - peepholes that pair instructions do not pair across a join: `lui`/`addi` folding
///   (Lower+Constant.swift) and rotates (Peephole+Rotate.swift), whose first half the taken
///   side would skip.
/// With joins the decoder also goes on past short forward branches late in a block and cuts a
/// block that reaches the length limit at its last join (`BlockDecoder.joinReach`).
///
/// In system mode too: there a join also ends the shared TLB probe groups open before it
/// (SystemSharedProbes.swift), whose members rely on their head having run, unless every way
/// in passed the head with the base moved alike; whether mstatus.FS was checked
/// (`floatStatusKnown`) is what both ways know.
/// `JITOptions.joins` (`TRAPEZE_JIT_JOINS=0`) turns it off.
///
/// User mode, with side-exit refunds: a join reached by one branch over a plain body (no join
/// and no branch to a join inside it, the `if` of statemachine's step functions) is *hoisted*
/// (`JITOptions.joinBudgets`, `TRAPEZE_JIT_JOIN_BUDGETS=0`): the segment before the branch also
/// charges the instructions from the join on, the body charges its own after the branch, and
/// the join takes nothing — one budget check per `if` fewer on either way. `Translator.charged`
/// skips such bodies ahead of an instruction, so faults and exits give back exactly what was
/// charged and not retired.
struct BlockJoins {
    /// Per instruction: for a side exit whose target is a later instruction of the block, that
    /// instruction's index, else -1. Empty when the block has no such branch (most blocks: no
    /// allocation).
    private var target: [Int] = []
    /// Per instruction: some side exit of the block branches to it.
    private var joined: [Bool] = []
    /// Per instruction: a hoisted join (see above); the side exit branching to one.
    private var hoistedJoin: [Bool] = []
    private var hoistedBranch: [Bool] = []

    var isEmpty: Bool { target.isEmpty }

    init() {}

    init(_ block: GuestBlock, hoist: Bool = false) {
        let n = block.instructions.count
        var branches: [Int] = [] // per join, how many side exits branch to it
        for j in 0..<n where block.isSideExit(j) {
            let to = block.pcs[j] &+ UInt64(bitPattern: block.instructions[j].imm)
            guard let k = block.pcs[(j + 1)...].firstIndex(of: to) else { continue }
            if target.isEmpty {
                target = [Int](repeating: -1, count: n)
                joined = [Bool](repeating: false, count: n)
                branches = [Int](repeating: 0, count: n)
            }
            target[j] = k
            joined[k] = true
            branches[k] += 1
        }
        guard hoist, !target.isEmpty else { return }
        hoistedJoin = [Bool](repeating: false, count: n)
        hoistedBranch = [Bool](repeating: false, count: n)
        for j in 0..<n where target[j] >= 0 {
            let k = target[j]
            guard branches[k] == 1, !(j + 1..<k).contains(where: { joined[$0] || target[$0] >= 0 }) else { continue }
            hoistedBranch[j] = true
            hoistedJoin[k] = true
        }
    }

    /// The index of the instruction side exit `j` branches to, when it is in the block.
    func target(of j: Int) -> Int? {
        guard j < target.count, target[j] >= 0 else { return nil }
        return target[j]
    }

    /// Whether a side exit of the block branches to instruction `k`.
    func isJoin(_ k: Int) -> Bool { k < joined.count && joined[k] }

    /// Whether instruction `k` is a hoisted join.
    func isHoisted(_ k: Int) -> Bool { k < hoistedJoin.count && hoistedJoin[k] }

    /// The hoisted join side exit `j` branches to, if it does.
    func hoistedTarget(of j: Int) -> Int? {
        j < hoistedBranch.count && hoistedBranch[j] ? target[j] : nil
    }

    /// Whether a join at `k` starts a budget segment (not when hoisted).
    func startsSegment(_ k: Int) -> Bool { isJoin(k) && !isHoisted(k) }
}

/// What the translator knows on one way into a join, and the join's label.
struct JoinFacts {
    var label: Label
    var dirty: UInt32
    var checkedBases: CheckedBases
    var signExtended: SignExtended
    var indexBounds: IndexBounds
    var mxcsrFolded: Bool
    var frmChecked: Bool
    var floatStatusKnown: Bool

    /// What holds on both ways.
    mutating func meet(_ t: Translator) {
        dirty |= t.regs.dirty
        checkedBases.meet(t.checkedBases)
        signExtended.meet(t.signExtended)
        indexBounds.meet(t.indexBounds)
        mxcsrFolded = mxcsrFolded && t.mxcsrFolded
        frmChecked = frmChecked && t.frmChecked
        floatStatusKnown = floatStatusKnown && t.floatStatusKnown
    }
}

extension Translator {
    /// The label of join `k`, for a side exit branching there now: what is known here is met
    /// with what the other ways into it know.
    mutating func joinLabel(_ k: Int) -> Label {
        if let p = pendingJoins.firstIndex(where: { $0.index == k }) {
            pendingJoins[p].facts.meet(self)
            return pendingJoins[p].facts.label
        }
        let facts = JoinFacts(label: a.newLabel(), dirty: regs.dirty, checkedBases: checkedBases, signExtended: signExtended,
                              indexBounds: indexBounds, mxcsrFolded: mxcsrFolded, frmChecked: frmChecked,
                              floatStatusKnown: floatStatusKnown)
        pendingJoins.append((k, facts))
        return facts.label
    }

    /// At join `k`, reached by falling through too: binds its label with what holds on every
    /// way in, and takes its segment's budget (none when hoisted: charged before the branch).
    mutating func bindJoin(_ k: Int) {
        if let p = pendingJoins.firstIndex(where: { $0.index == k }) {
            var facts = pendingJoins.remove(at: p).facts
            facts.meet(self)
            a.bind(facts.label)
            regs.dirty = facts.dirty
            checkedBases = facts.checkedBases
            signExtended = facts.signExtended
            indexBounds = facts.indexBounds
            mxcsrFolded = facts.mxcsrFolded
            frmChecked = facts.frmChecked
            floatStatusKnown = facts.floatStatusKnown
            addendInRAX = (-2, -1) // the other way may have left anything in rax
            knownConstants = KnownConstants()
        }
        if !joins.isHoisted(k) { takeBudget(from: k) }
    }
}
