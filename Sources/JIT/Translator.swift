import Guest
import RISCV
import X86

/// Addresses a block being translated refers to, fixed for one code-cache generation.
struct TranslationTargets {
    /// The common exit: writes cached guest registers back and returns to the dispatcher.
    var epilogue: UInt64
    /// The thunk the cold stubs call (ColdExits.swift).
    var coldExit: UInt64
    /// `slowPathEntry`, the C-convention helper that runs one instruction in the interpreter.
    var slowPath: UInt64
    /// `floatEntry`: F/D arithmetic in the interpreter's `FloatUnit`.
    var float: UInt64
    var chaining: Bool
    /// Address of the engine's `IndirectTable` (it lives as long as the engine).
    var indirectTable: UInt64 = 0
    /// Count inline `jalr` table hits (`JITOptions.countIndirectHits`).
    var countIndirectHits = false
    /// Host code of blocks already translated in this cache generation, which a direct exit
    /// can jump to straight away.
    var translated: BlockMap
    /// Where to count the block's executions (`JITOptions.countBlockExecutions`), if anywhere.
    var executionCounter: UInt64? = nil
    /// Test-only broken lowering (`JITOptions.faultInjection`).
    var faultInjection: JITFaultInjection? = nil
    /// What the bit group's lowerings may use (`JITOptions.hostFeatures`).
    var features: CPUFeatures = .host
    /// System mode: the privilege level the block runs at (its memory goes through the inline
    /// TLB, Lower+SystemMemory.swift); nil in user mode.
    var system: UInt8? = nil
    /// System mode: helper address -> its shared call thunk (`Stubs.emitHelperThunk`); a helper
    /// without one is called inline (`Translator.callHelper`).
    var helperThunks: [UInt64: UInt64] = [:]
    /// Blocks with a register allocation call helpers through those thunks too
    /// (`JITOptions.allocatedThunks`, `Translator.callHelper`).
    var allocatedThunks = true
    /// System mode: the translation epoch of the block's privilege level now, which its exits to
    /// other pages are first checked against (SystemEpochs.swift).
    var epoch: UInt32 = 0
    /// Per-block register allocation (`JITOptions.blockRegisters`, BlockRegisters.swift).
    var blockRegisters = true
    /// User mode: guest calls and returns as host call/ret (`JITOptions.hostCalls`, Lower+Call.swift).
    var hostCalls = false
    /// Forward branches to later instructions of the block jump there (`JITOptions.joins`,
    /// BlockJoins.swift).
    var joins = true
    /// Self-loops get a second copy that checks no base, or in system mode probes less
    /// (`JITOptions.loopPeeling`, LoopPeel.swift).
    var loopPeeling = true
    /// System mode: a last branch whose way not taken is the block's start makes a self-loop
    /// (`JITOptions.fallThroughLoops`, LoopPeel.swift).
    var fallThroughLoops = false
    /// System mode: loop slots checked on one side or not at all where the base moves one way
    /// or not at all (`JITOptions.loopMotion`, SystemSharedProbes.swift).
    var loopMotion = true
    /// System mode: shared-probe groups go on past joins every way into which passed their
    /// head (`JITOptions.groupsAcrossJoins`, SystemSharedProbes.swift).
    var groupsAcrossJoins = true
    /// System mode: busy groups keep their addend in a host register
    /// (`JITOptions.addendRegisters`, SystemSharedProbes.swift).
    var addendRegisters = true
    /// System mode: addend registers for groups by the reloads they save
    /// (`JITOptions.addendReloads`, SystemSharedProbes.swift).
    var addendReloads = true
    /// System mode: a missed group probe tries the two pages its span straddles
    /// (`JITOptions.pagePairs`, SystemSharedProbes.swift).
    var pagePairs = true
    /// System mode: index relations met at joins for shared probes
    /// (`JITOptions.joinRelations`, SystemSharedProbes.swift).
    var joinRelations = true
    /// System mode: accesses at known addresses grouped by address
    /// (`JITOptions.constantGroups`, SystemSharedProbes.swift).
    var constantGroups = true
    /// User mode: chain steps gathered after their register's previous write are done on the
    /// register that write's store came from (`JITOptions.gatherChains`, ChainGather.swift).
    var gatherChains = false
    /// User mode: a long self-loop without helper calls may swap a guest register into the
    /// budget register (`JITOptions.spillBudget`, BlockRegisters.swift).
    var spillBudget = false
    /// User mode: ra is cached in place of a1 (`JITOptions.returnAddressRegister`).
    var returnAddressRegister = false
    /// User mode: side exits do not end budget segments; a taken one gives back what the
    /// instructions after it were charged (`JITOptions.sideExitRefunds`, `charged`).
    var sideExitRefunds = false
    /// User mode, with `sideExitRefunds`: hoisted joins take no budget of their own
    /// (`JITOptions.joinBudgets`, BlockJoins.swift).
    var joinBudgets = false
    /// User mode: double arithmetic in place (`JITOptions.floatInPlace`).
    var floatInPlace = false
    /// User mode: the guest limit, below which an access off a register the block knows the
    /// value of needs no check (`JITOptions.constantAddresses`, KnownConstants.swift); 0: none.
    var constantLimit: UInt64 = 0
    /// The block may be saved for another run (TranslationStore.swift): keep its relocations.
    /// (`translated` is then empty: a saved block cannot jump straight into another.)
    var persistent = false
}

/// A direct exit that the dispatcher may later point straight at its target block.
struct ChainSite {
    /// Cache offset of the jump's 4-byte displacement.
    var displacementOffset: Int
    /// Final address of the end of the jump instruction (what the displacement is relative to).
    var jumpEnd: UInt64
    var target: UInt64
    /// System mode, an exit to another guest page: cache offset of the epoch its check compares
    /// with (the 4-byte immediate of `cmp dword [state + epoch], imm32`), rewritten whenever the
    /// site is linked (SystemEpochs.swift).
    var epochOffset: Int? = nil
    /// System mode, an exit within the page: cache offset of out-of-line code that reaches the
    /// target through the privilege's jump cache, where the dispatcher points the jump when the
    /// target may not be chained to (a block reaching into the next page), instead of leaving
    /// it on the chain request for ever.
    var fallbackOffset: Int? = nil
}

/// The host code for one guest block plus the side tables the engine keeps for it.
struct TranslatedBlock {
    var code: [UInt8]
    /// Host offsets relative to the block's start.
    var faultSites: [FaultSite]
    /// Displacement offsets relative to the block's start; `jumpEnd` already final.
    var chainSites: [ChainSite]
    /// Return offsets relative to the block's start (ColdExits.swift).
    var coldSites: [ColdSite] = []
    var guestInstructions: Int
    /// Offsets where each guest instruction's code starts, and where the out-of-line code starts.
    var instructionStarts: [Int] = []
    var coldStart = 0
    /// With `TranslationTargets.persistent`: the run-specific fields (Relocation.swift).
    var immediates: [TaggedImmediate] = []
    var absolutes: [AbsoluteFixup] = []
}

/// The growable buffers of a translation, kept by the engine from one block to the next so that
/// translating a block does not allocate them afresh (allocation and release were a fifth of
/// translation time). A block's results are copied out of them when it is installed.
struct TranslationBuffers {
    var assembler = Assembler()
    var faultSites: [FaultSite] = []
    var chainSites: [ChainSite] = []
    var coldSites: [ColdSite] = []
    var cold: [(label: Label, stub: Translator.ColdStub, regs: RegisterState)] = []
    var starts: [Int] = []
}

/// Translates one guest block into x86-64 (DESIGN.md §1).
///
/// Layout of a block: the budget check, the body (one lowering per guest instruction, in the
/// `Lower+*` files), then the cold stubs the body jumps to out of line (exits, faults), most of
/// them a single `call` to the shared cold-exit thunk (ColdExits.swift). Every way out of a block
/// goes through the shared epilogue or, once chained, straight into another block.
struct Translator {
    var a: Assembler
    let block: GuestBlock
    let targets: TranslationTargets
    /// Where slow-path instructions and system instructions are kept for the engine.
    let tables: SideTables
    /// Index of the instruction being lowered, and its pc.
    var index = 0
    /// Set once the block's body is done: a stub's exit to the block's start is a side exit's,
    /// taken before the back edge (and perhaps before heads the second copy relies on ran), so
    /// `linked` sends it to the entry, whatever instruction `index` was left at.
    var emittingColdStubs = false
    var pc: UInt64 = 0
    /// Instructions that count into `instret`: all but a final system instruction, which the
    /// trap-and-emulate handler retires.
    let counted: Int
    var faultSites: [FaultSite]
    /// Index register and displacement of the current guest access (see `guestAddress`).
    var access: (index: GPR, disp: Int32) = (Host.t0, 0)
    var chainSites: [ChainSite]
    var coldSites: [ColdSite]
    private var cold: [(label: Label, stub: ColdStub, regs: RegisterState)]
    /// The block's stubs are assigned ids from here on (the engine's running count).
    let firstChainSiteID: Int
    /// The block's first instruction (its budget check), for branches back to the block itself.
    let entry: Label
    /// perf-fp: whether frm is known to be 0–3 here: checked by the code emitted so far since it
    /// last changed, or in user mode always (`inlineMode`, `FRMInvariant`, FloatInline.swift).
    var frmChecked = false
    /// perf-fp: whether every exception flag pending in MXCSR is known to be in fflags at this
    /// point of the block (FloatInline+CSR.swift): after an inline fflags access, until an
    /// instruction that may raise flags inline.
    var mxcsrFolded = false
    /// System mode: whether the code emitted so far has checked that mstatus.FS is Dirty
    /// (`systemFloat`, Lower+SystemMemory.swift); it stays so to the end of the block.
    var floatStatusKnown = false
    /// System mode: the block's loads and stores that share one TLB probe, and the groups whose
    /// head has been emitted (SystemSharedProbes.swift).
    var sharedProbes = SharedProbes()
    var sharedHeads: Set<Int> = []
    /// System mode: the instruction (index) whose shared access left its group's addend in rax,
    /// and the group (SystemSharedProbes.swift).
    var addendInRAX = (index: -2, group: -1)
    /// Base registers already range-checked in this block (CheckedBases.swift).
    var checkedBases = CheckedBases()
    /// Registers whose value the block knows here (KnownConstants.swift).
    var knownConstants = KnownConstants()
    /// Set by a lowering that also did the next instruction's work (Lower+Constant.swift).
    var foldedNext = false
    /// The last store of a guest register to its slot from a host register (`store`): which
    /// guest, from where, and the code range of the `mov`; valid while it ends at `a.offset`
    /// (nothing emitted since), for `forwardChain` (ChainGather.swift).
    var lastStore: (guest: UInt8, register: GPR, disp: Int32, start: Int, end: Int)? = nil
    /// User mode: the guest register whose value the load or store of instruction `index` left in
    /// rax (its base, loaded from the state block), and that lowering's code range: the next
    /// instruction's access off the same base reuses it when nothing was emitted in between and
    /// no label lies after `start` (`guestAddress`, Lower+Memory.swift). AES reads its round
    /// key as four `lw` off `t1`.
    var raxBase: (guest: UInt8, index: Int, start: Int, end: Int)? = nil
    /// While `forwardRead` lowers a reader: its register, held in a host register (`operand`).
    var lent: (guest: UInt8, host: GPR)? = nil
    /// Guest registers known to hold sign-extended 32-bit values here (SignExtension.swift).
    var signExtended = SignExtended()
    /// Small indexes and the bases they are added to (IndexBounds.swift).
    var indexBounds = IndexBounds()
    /// W results whose sign extension nobody sees (UpperBits.swift).
    var upperBits = UpperBits()
    /// Set by a lowering that left its W result unextended (`signExtendResult`).
    var leftUnextended = false
    /// `RegisterMap.host` and `OperandFiles.table`, held here: reading a global table goes
    /// through its lazy initialiser's `swift_once` at every use, a few percent of translation time.
    let registerHost: [GPR?]
    private let operandFiles = OperandFiles.table
    /// This block's register allocation (BlockRegisters.swift), its host map, and where the
    /// registers are at the point being emitted.
    let blockRegisters: BlockRegisters
    let blockHost: [GPR?]
    /// System mode: per shared-probe group, the host register holding its addend in this block,
    /// if it has one (`BlockRegisters.addendHosts`).
    var addendHosts: [GPR?] = []
    var regs = RegisterState.standard
    /// Where the body starts, after the swap (a loop's back edge jumps there).
    var body: Label? = nil
    /// Resume paths of fault sites in allocated code: one stub per dirty set, and the sites.
    var resumeStubs: [(dirty: UInt32, label: Label)] = []
    var resumeSites: [(site: Int, label: Label)] = []
    /// System mode: chain sites (indices into `chainSites`) and the label of their jump-cache
    /// fallback (`ChainSite.fallbackOffset`).
    var fallbackSites: [(site: Int, label: Label)] = []
    /// Side exits that branch to later instructions of the block (BlockJoins.swift), and the
    /// joins branched to but not reached yet.
    let joins: BlockJoins
    var pendingJoins: [(index: Int, facts: JoinFacts)] = []
    /// A self-loop's second copy, whose bases are known accessed by the previous iteration
    /// (LoopPeel.swift).
    var peel: LoopPeel? = nil

    init(block: GuestBlock, at address: UInt64, targets: TranslationTargets, tables: SideTables, firstChainSiteID: Int,
         buffers: inout TranslationBuffers) {
        // Taken out of `buffers` (swapped with empty ones), not copied: a second reference would
        // make the first change to each copy it afresh.
        var a = Assembler()
        swap(&a, &buffers.assembler)
        a.reset(baseAddress: address)
        var sites: [FaultSite] = [], chains: [ChainSite] = [], colds: [ColdSite] = []
        var stubs: [(label: Label, stub: ColdStub, regs: RegisterState)] = []
        swap(&sites, &buffers.faultSites)
        swap(&chains, &buffers.chainSites)
        swap(&colds, &buffers.coldSites)
        swap(&stubs, &buffers.cold)
        sites.removeAll(keepingCapacity: true)
        chains.removeAll(keepingCapacity: true)
        colds.removeAll(keepingCapacity: true)
        stubs.removeAll(keepingCapacity: true)
        stubs.reserveCapacity(block.instructions.count + 4)
        faultSites = sites
        chainSites = chains
        coldSites = colds
        cold = stubs
        // About 16 host bytes per guest instruction plus the cold stubs; reserved so that the
        // buffers are allocated once per block rather than regrown.
        a.reserveCapacity(32 * block.instructions.count + 256, labels: 2 * block.instructions.count + 8)
        entry = a.newLabel()
        self.a = a
        self.block = block
        self.targets = targets
        self.tables = tables
        self.firstChainSiteID = firstChainSiteID
        let last = block.instructions.last.map { Lowering.kind($0, system: targets.system != nil) }
        // A last system instruction is retired by the handler, unless it is done in the block.
        let handled = last == .system && !Translator.retiresInline(block.instructions[block.instructions.count - 1], targets)
        counted = block.instructions.count - (handled ? 1 : 0)
        frmChecked = targets.system == nil // FRMInvariant
        joins = targets.joins ? BlockJoins(block, hoist: targets.joinBudgets && targets.sideExitRefunds) : BlockJoins()
        if targets.faultInjection == nil { upperBits = UpperBits(block, joins: joins) }
        if LoopPeel.wanted(block, targets) { peel = LoopPeel(entry: self.a.newLabel(), body: self.a.newLabel()) }
        if targets.system != nil, targets.faultInjection == nil {
            sharedProbes = SharedProbes(block, joins: joins, loop: peel != nil, motions: targets.loopMotion,
                                        acrossJoins: targets.groupsAcrossJoins, relationsAcrossJoins: targets.joinRelations,
                                        constants: targets.constantGroups, operandFiles: operandFiles)
        }
        if targets.blockRegisters {
            // A block that ends in a branch or jump back to its start keeps its allocation
            // around the loop (`loopBack`). A call to its own start (`jal ra`, recursion) is no
            // loop: it leaves through `directCall`, which ends the allocation.
            let loops = LoopPeel.backEdge(block, targets) != nil
            let addendGroups = targets.addendRegisters ? sharedProbes.addendCandidates(byReloads: targets.addendReloads) : []
            blockRegisters = BlockRegisters(block, loops: loops, system: targets.system != nil,
                                            spillBudget: targets.spillBudget && targets.system == nil,
                                            returnAddress: targets.returnAddressRegister, addends: addendGroups.count)
            addendHosts = [GPR?](repeating: nil, count: sharedProbes.groups.count)
            for (g, h) in zip(addendGroups, blockRegisters.addendHosts) { addendHosts[g] = h }
        } else {
            blockRegisters = BlockRegisters()
        }
        registerHost = RegisterMap.host(returnAddress: targets.returnAddressRegister)
        blockHost = blockRegisters.isEmpty ? registerHost : blockRegisters.hostMap()
    }

    /// Translates with `buffers` (left empty meanwhile, so that they are not shared and are reused
    /// in place), and gives them back.
    static func translate(_ block: GuestBlock, at address: UInt64, targets: TranslationTargets,
                          tables: SideTables, firstChainSiteID: Int, buffers: inout TranslationBuffers) -> TranslatedBlock {
        var t = Translator(block: block, at: address, targets: targets, tables: tables, firstChainSiteID: firstChainSiteID,
                           buffers: &buffers)
        var starts: [Int] = []
        swap(&starts, &buffers.starts) // see `init`
        starts.removeAll(keepingCapacity: true)
        starts.reserveCapacity(block.instructions.count)
        defer {
            buffers = TranslationBuffers(assembler: t.a, faultSites: t.faultSites, chainSites: t.chainSites,
                                         coldSites: t.coldSites, cold: t.cold, starts: starts)
        }
        t.emitBudgetCheck()
        if let counter = targets.executionCounter { t.countExecution(counter) }
        if !t.blockRegisters.isEmpty {
            t.emitSwapIn()
            let body = t.a.newLabel()
            t.a.bind(body)
            t.body = body
        }
        let rotates = targets.faultInjection == nil ? RotatePlan(block, joins: t.joins) : RotatePlan()
        let ended = t.lowerInstructions(rotates, starts: &starts)
        if !ended {
            // Cut at a page boundary, an undecodable instruction or the length limit.
            t.exit(to: block.end)
        }
        if t.peel != nil { // LoopPeel.swift (a self-loop ends in its back edge)
            t.beginSecondCopy()
            _ = t.lowerInstructions(rotates, starts: &starts, record: false)
        }
        let coldStart = t.a.offset
        t.emitColdStubs()
        for (site, label) in t.resumeSites {
            t.faultSites[site].resume = UInt32(t.a.offset(of: label) ?? 0)
        }
        for (site, label) in t.fallbackSites {
            t.chainSites[site].fallbackOffset = t.a.offset(of: label)
        }
        var translated = TranslatedBlock(code: t.a.bytes, faultSites: t.faultSites, chainSites: t.chainSites, coldSites: t.coldSites,
                                         guestInstructions: block.instructions.count, instructionStarts: starts, coldStart: coldStart)
        if targets.persistent {
            translated.immediates = t.a.taggedImmediates
            translated.absolutes = t.a.absoluteFixups
        }
        return translated
    }


    /// Lowers the block's instructions in order (the body between entry and cold stubs), noting
    /// where each one's code starts in `starts` if `record`; whether the last one ended the block.
    mutating func lowerInstructions(_ rotates: RotatePlan, starts: inout [Int], record: Bool = true) -> Bool {
        var ended = false
        for (i, inst) in block.instructions.enumerated() {
            if record { starts.append(a.offset) }
            if joins.isJoin(i) { bindJoin(i) } // BlockJoins.swift
            if foldedNext { foldedNext = false; continue }
            noteWrites(at: i)
            index = i
            pc = block.pcs[i]
            if block.isFollowedJump(i) { // nothing to do but retire (BlockDecoder.swift)
                if inst.rd != 0 { // a leaf call's `jal ra` (`BlockDecoder.leafCallee`) writes its link
                    storeConstant(inst.rd, pc &+ UInt64(inst.length))
                    checkedBases.forget(inst.rd)
                    knownConstants.forget(inst.rd)
                }
                signExtended.update(inst)
                indexBounds.update(inst)
                continue
            }
            if rotates.skips(i) {
                checkedBases.forget(inst.rd) // a shift only rotates read (Peephole+Rotate.swift)
                knownConstants.forget(inst.rd)
                signExtended.forget(inst)
                if inst.opcode.files.writesX { indexBounds.forget(inst.rd) }
                continue
            }
            if let r = rotates.rotate(at: i) {
                rotate(inst, source: r.source, left: r.left, word: r.word)
            } else if let from = forwardChain(inst) { // ChainGather.swift: took back the previous store
                if record { starts[starts.count - 1] = min(starts[starts.count - 1], from) }
            } else if forwardRead(inst) { // ChainGather.swift: read the stored value's register
            } else {
                lower(inst)
                if Translator.mayRaiseInline(inst) { mxcsrFolded = false }
            }
            signExtended.update(inst) // SignExtension.swift
            if leftUnextended { signExtended.forget(inst) } // UpperBits.swift
            leftUnextended = false
            if foldedNext { signExtended.update(block.instructions[i + 1]) }
            indexBounds.update(inst) // IndexBounds.swift
            if foldedNext { indexBounds.update(block.instructions[i + 1]) }
            knownConstants.update(inst, pc: pc) // KnownConstants.swift
            if foldedNext { knownConstants.update(block.instructions[i + 1], pc: block.pcs[i + 1]) }
            if OperandFiles(bits: operandFiles[Int(inst.opcode.rawValue)]).writesX, !BlockDecoder.endsBlock(inst, system: targets.system != nil) {
                confineWrittenBase(inst.rd, after: foldedNext ? i + 1 : i) // ConfinedBases.swift
            }
            if inst.opcode == .addi, inst.rd == inst.rs1 {
                checkedBases.add(inst.rd, inst.imm)
            } else if OperandFiles(bits: operandFiles[Int(inst.opcode.rawValue)]).writesX {
                checkedBases.forget(inst.rd) // an f register's number says nothing of the x one
            }
            access = (Host.t0, 0) // a fault site not set up by `guestAddress` has its address in rax
            if let fault = targets.faultInjection, fault.opcode == inst.opcode, !BlockDecoder.endsBlock(inst, system: targets.system != nil) {
                injectFault(inst, fault)
            }
            ended = BlockDecoder.endsBlock(inst, system: targets.system != nil)
        }
        return ended
    }

    // MARK: Block entry

    /// Takes the block's first segment from the budget (see `takeBudget`).
    mutating func emitBudgetCheck() {
        a.bind(entry)
        takeBudget(from: 0)
    }

    /// Takes the instructions from `start` up to the next side exit (or the block's end) from the
    /// budget, unless fewer are left: then leave before running them, so the dispatcher can poll
    /// events or finish the last ones one at a time. (The dispatcher turns budget spent into
    /// `instret`.) Taking each segment only once the side exit before it was not taken means a
    /// taken side exit owes nothing back, so it can jump straight to its target; with
    /// `sideExitRefunds`, segments go on past side exits that leave the block, which give back
    /// the rest of theirs when taken (`charged`).
    ///
    /// The body of a hoisted join (BlockJoins.swift) takes only its own instructions: those from
    /// the join on were taken before its branch, and are given back too if it leaves here.
    mutating func takeBudget(from start: Int) {
        let ahead = charged(through: start) - start
        var n = ahead
        if start > 0, let k = joins.hoistedTarget(of: start - 1) { n = k - start }
        guard n > 0 else { return }
        let over = outOfLine(.budget(pc: block.pcs[start], taken: ahead))
        subtractBudget(n)
        a.jcc(.b, over)
    }

    /// How many instructions the budget has been charged for while instruction `i` runs: all
    /// up to the end of its segment (the next side exit, the instruction before a join, or the
    /// block's last instruction). With `sideExitRefunds` only a side exit to a join ends a
    /// segment; one that leaves the block gives back, when taken, what the instructions after
    /// it were charged (`sideExitRefund`), so the way on pays no budget check of its own: in a
    /// block like strlen's unrolled byte tests, most side exits are never taken.
    ///
    /// A hoisted join's body (BlockJoins.swift) ahead of `i` is not charged yet: it is skipped.
    /// (Inside the body, what follows the join was charged before the branch.)
    @inline(__always) func charged(through i: Int) -> Int {
        var end = i
        var skipped = 0
        while end < block.instructions.count - 1 {
            if let k = joins.hoistedTarget(of: end), end < k - 1 {
                skipped += k - 1 - end
                end = k - 1
            }
            if end >= block.instructions.count - 1 || endsSegment(end) || joins.startsSegment(end + 1) { break }
            end += 1
        }
        return min(end + 1, counted) - skipped
    }

    /// Whether side exit or other instruction `i` ends its budget segment (see `charged`).
    func endsSegment(_ i: Int) -> Bool {
        guard block.isSideExit(i) else { return false }
        return !targets.sideExitRefunds || (joins.target(of: i) != nil && joins.hoistedTarget(of: i) == nil)
    }

    /// What a taken side exit at `index` gives back: the budget its segment took for the
    /// instructions after it (0 where the side exit ends its segment).
    @inline(__always) var sideExitRefund: Int { charged(through: index) - (index + 1) }

    /// Gives `n` instructions back to the budget, in r11 or in its slot (`subtractBudget`).
    mutating func addBudget(_ n: Int) {
        guard n > 0 else { return }
        if regs.allocated && blockRegisters.spillsBudget {
            a.alu(.add, .qword(Host.state, Int32(ScratchSlot.budget)), imm: Int32(n))
        } else {
            a.add(.r64(Host.budget), imm: Int32(n))
        }
    }

    // MARK: Cold code

    /// The rarely taken ways out of a block, emitted after its body.
    enum ColdStub {
        /// Not enough budget for the segment at `pc`: give back what was taken, leave there.
        case budget(pc: UInt64, taken: Int)
        /// A direct exit that is not linked yet: ask the dispatcher to link chain site `id`.
        case chainRequest(target: UInt64, id: Int)
        /// A guest access outside the guest range (address in rax, or in `address`, copied to rax
        /// first) by the instruction at `pc`.
        case fault(pc: UInt64, notRetired: Int, store: Bool, address: GPR?)
        /// A base at or above the limit (`checkBase`, Lower+Memory.swift): compare `base + disp`
        /// (base in rax when nil) and resume the access at `resume`, or take the fault exit.
        case recheck(pc: UInt64, notRetired: Int, store: Bool, base: GPR?, disp: Int32, resume: Label)
        /// A helper reported an exception for the instruction at `pc` (pc is already stored).
        case helperFailed(notRetired: Int, raw: UInt32)
        /// A direct exit taken out of line (a call with the host stack at its floor, Lower+Call.swift,
        /// or a side exit, Lower+Branch.swift).
        case exit(target: UInt64)
        /// A taken side exit that first gives back `refund` instructions' budget (`charged`).
        case refundedExit(target: UInt64, refund: Int)
        /// The out-of-line part of an inline F/D or A lowering (FloatInline.swift).
        case inline(InlineStub)
        /// A fault site's resume path: restore the static map, go to the epilogue (BlockRegisters.swift).
        case resume
        /// System mode: a direct exit through the privilege's jump cache, its miss the chain
        /// request `request` (`ChainSite.fallbackOffset`).
        case throughTable(target: UInt64, request: Label)
    }

    /// A label for a stub emitted after the block's body.
    mutating func outOfLine(_ stub: ColdStub) -> Label {
        let label = a.newLabel()
        cold.append((label, stub, regs))
        return label
    }

    private mutating func emitColdStubs() {
        emittingColdStubs = true
        var k = 0
        while k < cold.count { // an inline stub may call a helper, which adds a stub
            let (label, stub, state) = cold[k]
            k += 1
            a.bind(label)
            regs = state
            switch stub {
            case .budget(let pc, let taken):
                coldCall(.budget, pc: pc, undo: taken)
            case .chainRequest(let target, let id):
                coldCall(.chainRequest, pc: target, argument: UInt32(truncatingIfNeeded: id))
            case .fault(let pc, let undo, let store, let address):
                // Before the restore, which may reload `address`'s host register.
                if let address { a.mov(.rax, .r64(address)) }
                coldCall(store ? .storeFault : .loadFault, pc: pc, undo: undo)
            case .recheck(let pc, let undo, let store, let base, let disp, let resume):
                let reason = emitRecheck(store: store, base: base, disp: disp, resume: resume)
                coldCall(reason, pc: pc, undo: undo)
            case .helperFailed(let undo, let raw):
                // pc is still the instruction's; it did not retire.
                coldCall(.helper, pc: ColdSite.keepsPC, undo: undo, argument: raw)
            case .exit(let target):
                exit(to: target)
            case .refundedExit(let target, let refund):
                addBudget(refund) // before the restore, which reloads r11 from the slot
                exit(to: target)
            case .inline(let stub):
                emitInlineStub(stub)
            case .resume:
                emitRestore()
                a.jmp(absolute: targets.epilogue)
            case .throughTable(let target, let request):
                materialize(.rax, target)
                a.jmp(probeIndirectTable(miss: request))
            }
        }
    }

    /// A cold stub as one `call` to the shared thunk; the rest is the site's data (ColdExits.swift).
    private mutating func coldCall(_ reason: ExitReason, pc: UInt64, undo: Int = 0, argument: UInt32 = 0) {
        emitRestore()
        a.call(absolute: targets.coldExit)
        coldSites.append(ColdSite(returnOffset: UInt32(a.offset), reason: reason.rawValue, undo: UInt32(undo),
                                  argument: argument, pc: pc))
    }

    // MARK: Exits

    /// Instructions of this block not yet retired when instruction `index` faults.
    @inline(__always) var notRetired: Int { charged(through: index) - index }

    mutating func storePC(_ value: UInt64) {
        storeConstant(.qword(Host.state, Int32(StateOffset.pc)), value)
    }

    /// `mov qword [m], value` through a temporary when the value does not sign-extend from 32 bits.
    mutating func storeConstant(_ m: Mem, _ value: UInt64) {
        if let small = Int32(exactly: Int64(bitPattern: value)) {
            a.mov(m, imm: small)
        } else {
            a.mov(.rcx, imm: Int64(bitPattern: value))
            a.mov(m, .rcx)
        }
    }

    /// Sets the exit reason (and argument) and jumps to the epilogue.
    /// An argument that changes from run to run (a side-table index) carries its relocation `tag`.
    mutating func leave(_ reason: ExitReason, argument: UInt32? = nil, tag: UInt32? = nil) {
        let state = regs
        emitRestore()
        regs = .standard
        defer { regs = state }
        a.mov(.dword(Host.state, Int32(StateOffset.exitReason)), imm: Int32(bitPattern: reason.rawValue))
        if let argument, let tag {
            a.mov(.dword(Host.state, Int32(StateOffset.exitArgument)), imm: Int32(bitPattern: argument), tag: tag)
        } else if let argument {
            a.mov(.dword(Host.state, Int32(StateOffset.exitArgument)), imm: Int32(bitPattern: argument))
        }
        a.jmp(absolute: targets.epilogue)
    }

    /// Leaves the block for guest address `target`, known now. With chaining, through a patchable
    /// jump that first reaches a stub asking the dispatcher to link it; without, straight out.
    mutating func exit(to target: UInt64) {
        let state = regs
        emitRestore()
        regs = .standard
        defer { regs = state }
        if targets.system != nil, targets.chaining, target >> 12 != block.start >> 12 {
            chainAcrossPages(to: target)
            return
        }
        guard targets.chaining else {
            storePC(target)
            leave(.direct)
            return
        }
        switch linked(target) {
        case .label(let l): a.jmp(l); return
        case .absolute(let host): a.jmp(absolute: host); return
        case nil: break
        }
        let id = firstChainSiteID + chainSites.count
        let stub = outOfLine(.chainRequest(target: target, id: id))
        let site = a.patchableJmp(stub)
        chainSites.append(ChainSite(displacementOffset: site.displacementOffset,
                                    jumpEnd: a.baseAddress &+ UInt64(site.displacementOffset + 4), target: target))
        if targets.system != nil { fallbackSites.append((chainSites.count - 1, outOfLine(.throughTable(target: target, request: stub)))) }
    }

    enum Link { case label(Label), absolute(UInt64) }

    /// Where a direct exit to `target` can jump without asking the dispatcher: this block's own
    /// entry, or a block already in the cache. (Nil without chaining.)
    @inline(__always) func linked(_ target: UInt64) -> Link? {
        guard targets.chaining else { return nil }
        // The block's own last instruction, back to its start: the loop's second copy, if any.
        if target == block.start {
            return .label(index == block.instructions.count - 1 && !emittingColdStubs ? loopEntry : entry)
        }
        // System mode links only at run time, and only within the page (SystemTLB.swift).
        guard targets.system == nil else { return nil }
        return targets.translated[target].map { .absolute($0) }
    }

    /// Leaves with an exception raised by instruction `index` (memory access outside the guest's
    /// range): un-count what did not retire, record pc and the address in `rax`.
    mutating func faultExit(store: Bool, address: GPR? = nil) -> Label {
        outOfLine(.fault(pc: pc, notRetired: notRetired, store: store, address: address))
    }

    /// Records that the next host instruction is guest memory access that may fault in the host.
    mutating func markFaultSite(store: Bool) {
        // Bit 1: the budget is in its slot, r11 holds a guest register (BlockRegisters.swift).
        let budgetInSlot: UInt16 = regs.allocated && blockRegisters.spillsBudget ? FaultSite.budgetInSlot : 0
        faultSites.append(FaultSite(hostOffset: UInt32(a.offset), notRetired: UInt16(notRetired),
                                    isStore: (store ? 1 : 0) | budgetInSlot, guestPC: pc,
                                    addressRegister: FaultSite.gregsIndex[Int(access.index.rawValue)],
                                    addressDisplacement: access.disp))
        if regs.allocated { resumeSites.append((faultSites.count - 1, resumeLabel())) }
    }
}
