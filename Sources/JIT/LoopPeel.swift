import X86

/// Self-loops whose later iterations check no base (issue 20: lu's and fmatmul's inner loops paid
/// two limit checks per iteration).
///
/// A block that branches back to its own start is translated twice: the first copy runs from the
/// block's entry and checks its bases as usual (CheckedBases.swift); its back edge, and the
/// second copy's, go to the second copy. That one starts knowing what the first knew at its
/// back edge: every base x for which an access at `x + d` passed its check (or was covered) on
/// every way through the loop body, `d` moved by the body's `addi x, x, c`. On the next iteration
/// that access has happened, at an address that was inside guest memory; an access off x within
/// `CheckedBases.reach` of it is then inside guest memory or in a `PROT_NONE` guard, where the
/// host fault is reported exactly as the check would have (the same argument as for a check
/// earlier in the block). And since the second copy runs the same instructions, the accesses
/// that made those facts true happen in each of its iterations too, so they hold at its own back
/// edge. A pointer walking by a small stride thus cannot leave guest memory without touching
/// a guard first.
///
/// System mode has no base checks; there the second copy starts knowing what the first knew
/// at its back edges of the state a block checks once (mstatus.FS, `floatStatusKnown`; frm,
/// `frmChecked`): nothing inside a run of translated code changes them but the block's own
/// instructions, which the translator follows. And its loads and stores check their addresses
/// against the page their group's probe hit last, kept in the state block
/// (`StateOffset.loopProbes`), before probing the inline TLB (`checkLoopProbe`,
/// SystemSharedProbes.swift): a walk by a small stride probes once per page, a loop-invariant
/// address once per run of the block.
///
/// Only blocks of up to `maximumInstructions` with chaining: in user mode with an access off
/// a register other than sp/gp/tp (those need no check at all, ConfinedBases.swift), in system
/// mode with a load, store or F/D instruction.
/// `JITOptions.loopPeeling` (`TRAPEZE_JIT_PEEL=0`) turns it off. `trapeze dump` lists the second
/// copy under the block's last instruction.
struct LoopPeel {
    /// The second copy's entry (a budget check, for blocks without a register allocation, whose
    /// back edges jump straight to it) and its first instruction (where an allocated block's
    /// `loopBack` jumps after taking the budget).
    var entry: Label
    var body: Label
    /// What the first copy knew at its back edges, met over them.
    var checked: CheckedBases? = nil
    var floatStatusKnown = true
    var frmChecked = true
    /// The second copy is being emitted.
    var second = false

    /// As long as a block may be (`JITOptions.defaultMaxBlockInstructions`): AES's round loop
    /// is 97 instructions, which at 64 kept three limit checks per iteration.
    static let maximumInstructions = 128

    /// How a block's last instruction goes back to the block's start.
    enum BackEdge: Equatable {
        /// A branch or plain jump whose target is the start.
        case taken
        /// A conditional branch whose way not taken is the start (`JITOptions.fallThroughLoops`):
        /// a loop entered at its test, `body; j test` (followed, BlockDecoder.swift) then
        /// `test: b<cc> out`, with the body right after the test (sieve's marking loop).
        case fallThrough
    }

    /// The back edge that makes `block` a self-loop (with chaining), if it is one. A call to its
    /// own start (`jal ra`, recursion) is no loop: it leaves through `directCall`.
    static func backEdge(_ block: GuestBlock, _ targets: TranslationTargets) -> BackEdge? {
        guard targets.chaining, let last = block.instructions.last, let at = block.pcs.last else { return nil }
        let branch = BlockDecoder.isConditionalBranch(last)
        if branch || (last.opcode == .jal && last.rd != 1), at &+ UInt64(bitPattern: last.imm) == block.start { return .taken }
        if branch, targets.fallThroughLoops, at &+ UInt64(last.length) == block.start { return .fallThrough }
        return nil
    }

    /// Whether `block` is a self-loop worth a second copy.
    static func wanted(_ block: GuestBlock, _ targets: TranslationTargets) -> Bool {
        guard targets.loopPeeling, targets.faultInjection == nil,
              block.instructions.count <= maximumInstructions,
              backEdge(block, targets) != nil else { return false }
        if targets.system != nil {
            return block.instructions.contains { i in
                SharedProbes.access(i) != nil || i.opcode.group == .float
            }
        }
        return block.instructions.contains { i in
            (i.opcode.group == .memory || i.opcode.group == .floatMemory) && !ConfinedBases.covers(i.rs1, system: nil)
        }
    }
}

extension Translator {
    /// At a back edge (the block's last instruction, branching to its start): what the first copy
    /// knows here holds at the second copy's start.
    mutating func noteBackEdge() {
        guard var p = peel, !p.second else { return }
        if var c = p.checked {
            c.meet(checkedBases)
            p.checked = c
        } else {
            p.checked = checkedBases
        }
        p.floatStatusKnown = p.floatStatusKnown && floatStatusKnown
        p.frmChecked = p.frmChecked && frmChecked
        peel = p
    }

    /// Where a back edge without a register allocation goes: the second copy, else the entry.
    var loopEntry: Label { peel?.entry ?? entry }

    /// Starts the second copy: what the translator knows is what held at the first copy's back
    /// edges; the registers are as a back edge leaves them.
    mutating func beginSecondCopy() {
        guard var p = peel else { return }
        p.second = true
        peel = p
        checkedBases = p.checked ?? CheckedBases()
        signExtended = SignExtended()
        indexBounds = IndexBounds()
        knownConstants = KnownConstants()
        mxcsrFolded = false
        frmChecked = p.frmChecked // true in user mode (FRMInvariant)
        floatStatusKnown = p.floatStatusKnown
        addendInRAX = (-2, -1)
        foldedNext = false
        raxBase = nil
        leftUnextended = false
        pendingJoins.removeAll()
        a.bind(p.entry)
        if blockRegisters.isEmpty {
            regs = .standard
            takeBudget(from: 0)
            if let counter = targets.executionCounter { countExecution(counter) }
        } else {
            regs = RegisterState(allocated: true, dirty: blockRegisters.loops ? blockRegisters.written : 0)
        }
        a.bind(p.body)
    }
}
