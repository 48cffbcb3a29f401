#if canImport(Glibc)
import Glibc
#endif
import Guest
import Interpreter
import RISCV

/// The translating engine: runs guest code as x86-64 translated a block at a time (DESIGN.md §1).
///
/// The dispatcher (`run`) finds or translates the block at `state.pc`, enters it through libffi,
/// and handles whatever made translated code return: linking a direct exit to its now-translated
/// target, an indirect-jump miss, an instruction for the trap-and-emulate handler, an exception,
/// or the instruction budget running out (at `maxInstructions`, finished exactly by stepping the
/// interpreter, and periodically so that asynchronous events get polled even in chained loops).
public final class JIT: Engine {
    public let options: JITOptions
    public private(set) var stats = JITStats()

    private(set) var cache: CodeCache
    private let entry: FFIEntry
    private var faults: FaultSites
    private let tables = SideTables()
    private(set) var coldSites = ColdSites()
    private var coldExit: UInt64 = 0
    /// Helper address -> its shared call thunk in the cache (`Stubs.emitHelperThunk`).
    private var helperThunks: [UInt64: UInt64] = [:]
    /// Reused by every translation (Translator.swift).
    private var buffers = TranslationBuffers()
    /// The last block decoded, whose arrays the next decoding reuses (BlockDecoder.swift).
    private var spareBlock = GuestBlock(start: 0)
    /// A saved block's storage, and its chain sites as the engine keeps them, reused from one
    /// block read from the persistent cache to the next (no allocations per block).
    private var spareSaved = SavedBlock()
    private var spareChainSites: [ChainSite] = []
    /// Observer, execution counters and block records for tools (Observer.swift).
    let instrumentation = Instrumentation()
    let indirect = IndirectTable(low: true, zeroIsEmpty: true) // user mode's (system mode probes SystemJumpCache's)
    /// Guest pc → host address of its block, for this cache generation.
    private(set) var blocks = BlockMap(minimumCapacity: 1024)
    /// User mode: which blocks lie on which guest page, and the entries of blocks dropped since
    /// the last flush (CodeIndex.swift).
    private var codeIndex = CodeIndex()
    private var retired = RetiredEntries()
    /// Host address → size of its code, for listings.
    private(set) var blockSizes = BlockExtents()
    /// Every chainable exit emitted since the last flush, by id; displacement offsets absolute.
    private(set) var chainSites: [ChainSite] = []
    private var prologue: UInt64 = 0
    private var epilogue: UInt64 = 0
    /// Bumped at every flush, so a link requested before one is not patched after it.
    private var cacheGeneration = 0
    /// The memory's `codeGeneration` the translations were made under.
    private var memoryGeneration: UInt64? = nil
    /// The guest limit of the memory the block being translated runs in (KnownConstants.swift).
    private var translationLimit: UInt64 = 0

    /// The environment's `hostProcess` when last seen: the process this code cache belongs to.
    private var hostProcess: Int32?

    /// The hart being run, for the slow path (set only inside `run`).
    var currentHart: Hart?
    /// An exception raised in a slow-path helper, reported once translated code has left.
    var pendingTrap: GuestTrap?
    /// Set when the dispatcher raised an exception (system mode charges it to the budget).
    private var trapRaised = false
    /// System mode: instructions between looks for interrupts while nothing else leaves.
    private var pollingQuantum = PollingQuantum()
    /// System mode: how many more instructions the dispatcher may step in the interpreter to
    /// reach a translated block after the polling quantum ran out in the middle of one
    /// (`stepToBlock`).
    private var stepsToBlock = 0
    /// Set when the system slow path made translated code leave early (`requestExit`: a device
    /// was touched, code was stored to): the dispatcher then looks for events.
    var exitRequested = false
    /// System mode: the environment's `nextEventInstruction` when translated code was last
    /// entered (`deviceExit`).
    var nextEventAtEntry: UInt64? = nil
    /// System mode's inline data TLB and slow path (SystemTLB.swift), made for the first hart
    /// on a platform this engine runs; nil in user mode.
    var systemTLB: SystemTLB?
    /// User mode: ra is cached in a host register (`JITOptions.returnAddressRegister`).
    var returnAddressRegister: Bool { options.returnAddressRegister && systemTLB == nil }

    /// The smallest cache that still holds the stubs and a worst-case block.
    public static let minimumCacheSize = 64 << 10

    /// The fault handler forgets this cache before its code is unmapped (stored properties go
    /// only after this body), so a new cache another thread maps at the same addresses is never
    /// mistaken for it.
    deinit { faults.retire() }

    static let reservedChainSites = 1 << 15
    static let reservedColdSites = 1 << 16

    public init(options: JITOptions = JITOptions()) {
        self.options = options
        guard let cache = CodeCache(capacity: max(options.cacheSize, JIT.minimumCacheSize)) else {
            HostFailure.exit("cannot map the JIT code cache")
        }
        guard let entry = FFIEntry() else { HostFailure.exit("libffi refused the JIT entry signature", errno: 0) }
        self.cache = cache
        self.entry = entry
        faults = FaultSites(codeStart: cache.start, codeEnd: cache.end)
        // Room for a process's blocks from the start: growing these by doubling copied each
        // table several times and faulted in every new buffer (a static hello has 442 blocks,
        // ~1000 chain sites and ~4000 cold sites; a warm `dpkg --version` 2600 blocks and
        // twice that; the chain sites' growth was 4% of a warm `rm`'s start, in page faults).
        // Untouched capacity costs no pages: buffers this size are mmap'd by malloc.
        chainSites.reserveCapacity(JIT.reservedChainSites)
        coldSites.reserve(JIT.reservedColdSites)
        resetCache()
        stats.persistentCache = options.translationStore != nil
    }

    /// Drops every translation (the next run retranslates on demand).
    public func flush() {
        resetCache()
        stats.cacheFlushes &+= 1
    }

    private func resetCache() {
        cacheWillReset()
        cache.reset()
        tables.reset()
        faults.reset()
        indirect.clear()
        blocks.removeAll()
        blockSizes.removeAll()
        chainSites.removeAll(keepingCapacity: true)
        coldSites.reset()
        codeIndex.removeAll()
        retired.removeAll()
        firstRuns.removeAll() // after a flush, code is interpreted once again before it is translated
        if let systemTLB {
            systemTLB.stepper.forgetCode()
            systemTLB.clearIndirect()
            systemTLB.forgetBlocks()
            systemTLB.straddling.removeAll(keepingCapacity: true)
            systemTLB.onPage.removeAll(keepingCapacity: true)
        }
        cacheGeneration &+= 1
        let stubs = Stubs.emit(at: cache.address(0), returnAddress: returnAddressRegister)
        guard let offset = cache.append(stubs.code) else { fatalError("trapeze: JIT code cache too small") }
        prologue = cache.address(offset + stubs.prologue)
        epilogue = cache.address(offset + stubs.epilogue)
        coldExit = cache.address(offset + stubs.coldExit)
        helperThunks = [JIT.address(of: slowPathEntry): cache.address(offset + stubs.slowPathThunk),
                        JIT.address(of: floatEntry): cache.address(offset + stubs.floatThunk)]
        faults.epilogue = epilogue
        cacheDidReset()
    }

    // MARK: Dispatcher

    public func run(_ hart: Hart, maxInstructions: UInt64?) -> ExitStatus {
        FaultHandler.ensureAlternateStack()
        let state = hart.state
        let memory = hart.memory
        state.raw.storeBytes(of: Unmanaged.passUnretained(self).toOpaque(), toByteOffset: ScratchSlot.context,
                             as: UnsafeMutableRawPointer.self)
        state.raw.storeBytes(of: indirect.address, toByteOffset: ScratchSlot.indirectTable, as: UInt64.self)
        currentHart = hart
        let system: SystemTLB? = hart.platform == nil ? nil : systemContext()
        if let system {
            state.raw.storeBytes(of: system.address, toByteOffset: ScratchSlot.systemTLB, as: UInt64.self)
            system.epochs.attach(state.raw)
            state.raw.storeBytes(of: 0, toByteOffset: ScratchSlot.exitDebt, as: UInt64.self)
        }
        if hostProcess == nil, let environment = hart.environment { hostProcess = environment.hostProcess }
        let started = state.instret
        defer {
            currentHart = nil
            stats.guestInstructionsExecuted &+= state.instret &- started
            stats.indirectHits &+= state.raw.load(fromByteOffset: ScratchSlot.indirectHits, as: UInt64.self)
            state.raw.storeBytes(of: 0, toByteOffset: ScratchSlot.indirectHits, as: UInt64.self)
        }
        // Absolute instret at which to stop, if any.
        var limit: UInt64? = maxInstructions.map { n in
            let (sum, overflow) = started.addingReportingOverflow(n)
            return overflow ? UInt64.max : sum
        }

        // System mode looks for interrupts and stop requests only after an exit that may have
        // let one in (a trap, a system instruction, a device touched, the budget spent: the
        // quantum bounds the delay) or when an --icount timer fell due, not after an exit that
        // only asked for the next block (a chain request, a `jalr` table miss): that check
        // reads the host clock, and those exits were most of a Linux boot's 1.6 million.
        var lookForEvents = true
        var lastDue: UInt64? = nil
        stepsToBlock = 0
        while true {
            if let system {
                // Translations are keyed by virtual pc, privilege and physical page: a store to
                // a code page drops that page's blocks, fence.i those of the pages written behind
                // the hart's back since the last one (fenceInstructions). A change of translation
                // (satp, sfence.vma, PMP) only updates the inline TLB and the jump caches, the
                // ways into a block that do not check the mapping (SystemTLB.swift).
                // Either kind of change moves translation epochs (SystemEpochs.swift).
                var dropped = 0
                for page in system.stepper.takeStoredCodePages() { dropped += system.drop(page: page) }
                let generation = memory.codeGeneration
                if generation != system.codeGeneration {
                    if system.codeGeneration != nil { dropped += fenceInstructions(hart, system) }
                    system.codeGeneration = generation
                }
                stats.systemBlocksDropped &+= UInt64(dropped)
                if dropped > 0 { system.epochs.move(SystemEpochs.allModes) }
                system.followMappings(hart)
                if system.epochs.wrapped {
                    flush() // no chained exit is left to compare with an old epoch
                    system.epochs.restart()
                }
            } else if memory.codeGeneration != memoryGeneration {
                let now = memory.codeGeneration
                if let before = memoryGeneration {
                    if let pages = memory.codeChanges(since: before, through: now) { drop(pages) } else { flush() }
                }
                memoryGeneration = now
            }
            if let d = lastDue, state.instret >= d { lookForEvents = true }
            if system == nil || lookForEvents, let environment = hart.environment, environment.eventPending,
               case .stop(let status) = environment.deliverEvents(hart) {
                return status
            }
            lookForEvents = false
            system?.revalidate(hart)
            let now = state.instret
            if let limit, now >= limit { return .instructionLimit }
            if system == nil, !ConfinedBases.hold(state) || !FRMInvariant.holds(state) {
                // Translated code assumes sp, gp and tp within the guest range (ConfinedBases.swift)
                // and frm 0–3 (FloatInline.swift).
                switch stepInterpreter(hart) {
                case .stop(let status): return status
                case .waitForInterrupt: hart.waitForInterrupt()
                case .resume: break
                }
                continue
            }

            if stepsToBlock > 0, let outcome = stepToBlock(hart, &limit) {
                switch outcome {
                case .stop(let status): return status
                case .waitForInterrupt: hart.waitForInterrupt()
                case .resume: break
                }
                lookForEvents = true // as the interpreter does before every instruction
                continue
            }

            if interpretsFirst, interpretsNext(state.pc, hart) {
                switch interpretFirstRun(hart, limit: limit) {
                case .stop(let status): return status
                case .waitForInterrupt: hart.waitForInterrupt()
                case .resume: break
                }
                continue
            }

            let host: UInt64
            switch block(at: state.pc, hart) {
            case .success(let h): host = h
            case .failure(let trap):
                if case .stop(let status) = hart.raise(trap) { return status }
                if system != nil { chargeTrap(&limit, state) }
                lookForEvents = true
                continue
            }

            // System mode: a polling quantum kept to a fraction of a millisecond (`PollingQuantum`).
            let quantum = now.addingReportingOverflow(system == nil ? options.eventQuantum
                                                      : min(options.eventQuantum, pollingQuantum.instructions))
            let polling = quantum.overflow ? UInt64.max : quantum.partialValue
            var budget = min(limit ?? UInt64.max, polling)
            // Time counted in instructions (--icount): stop exactly where an interrupt is due.
            // Also when it is due exactly where the run would stop anyway (the limit, the polling
            // quantum): `due` is what makes the dispatcher look for it there, as the interpreter
            // does at every instruction.
            var due: UInt64? = nil
            nextEventAtEntry = system != nil ? hart.environment?.nextEventInstruction : nil
            if let at = nextEventAtEntry, at > now, at <= budget {
                budget = at
                due = at
            }
            lastDue = due
            let granted = budget &- now
            state.raw.storeBytes(of: granted, toByteOffset: ScratchSlot.budget, as: UInt64.self)

            // System mode: translated code addresses host memory itself (through the inline
            // TLB), and the memory register holds the TLB's base instead.
            let base = system.map { UnsafeMutableRawPointer(bitPattern: UInt($0.address))! } ?? memory.base
            var code = entry.call(prologue: prologue, state: state.raw, memoryBase: base, block: host)
            var left = state.raw.load(fromByteOffset: ScratchSlot.budget, as: UInt64.self)
            if system != nil {
                left &+= state.raw.load(fromByteOffset: ScratchSlot.exitDebt, as: UInt64.self)
                state.raw.storeBytes(of: 0, toByteOffset: ScratchSlot.exitDebt, as: UInt64.self)
            }
            // instret is stored once, final: another thread of the process sums every hart's
            // count against a shared --max-insns and must never see a cold exit's instructions
            // that did not retire.
            var ran = granted &- left
            if code == ColdExit.marker { code = resolveColdExit(state, ran: &ran) }
            state.instret = now &+ ran
            guard let reason = ExitReason(rawValue: code) else {
                fatalError("trapeze: translated code returned an unknown exit reason \(code)")
            }
            stats.exits[Int(code)] &+= 1
            switch reason {
            case .chainRequest, .indirect, .direct: break
            default: lookForEvents = true
            }
            if exitRequested {
                exitRequested = false
                lookForEvents = true
            }
            let outcome = handle(reason, hart, limit: limit, budget: budget, due: due)
            if system != nil, trapRaised {
                trapRaised = false
                chargeTrap(&limit, state)
            }
            switch outcome {
            case .stop(let status): return status
            case .waitForInterrupt: hart.waitForInterrupt()
            case .resume: break
            }
        }
    }

    /// `--stats`: a system-mode slow-path call for `inst`.
    func countSlowPath(_ inst: Instruction) { stats.slowPathsByOpcode[Int(inst.opcode.rawValue)] &+= 1 }

    /// System mode: a trap spends one unit of the instruction budget though nothing retires, as
    /// in the interpreter, so a guest trapping in a loop (a fetch fault at its own handler)
    /// still reaches `--max-insns`.
    private func chargeTrap(_ limit: inout UInt64?, _ state: GuestState) {
        guard let l = limit else { return }
        limit = l > state.instret &+ 1 ? l &- 1 : state.instret
    }

    /// Does what the cold stub whose call returned to the recorded address stands for: store its
    /// pc and argument, un-count (from `ran`) the instructions that did not retire; returns its
    /// exit reason.
    private func resolveColdExit(_ state: GuestState, ran: inout UInt64) -> UInt32 {
        let returnAddress = state.raw.load(fromByteOffset: ScratchSlot.coldSite, as: UInt64.self)
        guard let offset = UInt32(exactly: returnAddress &- cache.start) else {
            fatalError("trapeze: translated code left through an unknown cold exit")
        }
        if let pc = retired.pc(returnOffset: offset) {
            state.pc = pc
            state.exitArgument = 0
            return ExitReason.direct.rawValue
        }
        guard let site = coldSites.site(returnOffset: offset) else {
            fatalError("trapeze: translated code left through an unknown cold exit")
        }
        if site.pc != ColdSite.keepsPC { state.pc = site.pc }
        state.exitArgument = site.argument
        ran &-= UInt64(site.undo)
        return site.reason
    }

    /// What the dispatcher does after translated code returned for `reason`.
    private func handle(_ reason: ExitReason, _ hart: Hart, limit: UInt64?, budget: UInt64, due: UInt64? = nil) -> Continuation {
        let state = hart.state
        switch reason {
        case .direct:
            return .resume
        case .chainRequest:
            // A target not translated yet whose first run is interpreted stays unlinked for now.
            if interpretsFirst, interpretsNext(state.pc, hart) { return .resume }
            let site = Int(state.exitArgument)
            let generation = cacheGeneration
            if options.chaining, case .success(let target) = block(at: state.pc, hart),
               generation == cacheGeneration, site < chainSites.count {
                if systemTLB?.straddling.contains(target) != true {
                    link(site, to: target, hart)
                } else if let at = chainSites[site].epochOffset {
                    // Never chained to: the site goes through the jump cache from now on.
                    cache.patch32(at: at, SystemEpochs.never)
                } else if let fallback = chainSites[site].fallbackOffset {
                    // Within the page: the jump goes to its way through the jump cache.
                    link(site, to: cache.address(fallback))
                }
            }
            return .resume
        case .indirect:
            stats.indirectMisses &+= 1
            let translated = stats.blocksTranslated
            defer { if systemTLB != nil, stats.blocksTranslated == translated { stats.indirectMissesKnown &+= 1 } }
            if interpretsFirst, interpretsNext(state.pc, hart) { return .resume }
            // System mode: `block(at:)` fills the privilege's table itself.
            if options.chaining, case .success(let target) = block(at: state.pc, hart), systemTLB == nil {
                indirect.insert(guest: state.pc, host: target)
            }
            return .resume
        case .system:
            let index = Int(state.exitArgument)
            // A block of one system instruction takes no budget (the handler retires it), so it
            // runs even when a chained block before it spent the last: the dispatcher stops at
            // the limit, or takes the interrupt due here (--icount), before it runs, as the
            // interpreter does (events first: a run of N instructions that ends at an interrupt
            // takes it before returning, on both engines).
            if let limit, state.instret >= limit { return .resume }
            if let due, state.instret >= due { return .resume }
            guard index < tables.systemInstructions.count else {
                fatalError("trapeze: translated code named a missing system instruction")
            }
            let inst = tables.systemInstructions[index]
            if systemTLB != nil {
                stats.systemExitsByOpcode[Int(inst.opcode.rawValue)] &+= 1
                switch inst.opcode {
                case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci: stats.systemExitsByCSR[Int(inst.csr & 0xFFF)] &+= 1
                default: break
                }
            }
            let outcome = hart.emulateSystem(inst)
            noteHostProcess(after: inst, hart)
            switch outcome {
            case .retired(let next):
                state.instret &+= 1
                return next
            case .exception(let trap):
                trapRaised = true
                return hart.raise(trap)
            }
        case .helper:
            let trap = pendingTrap ?? GuestTrap(.illegalInstruction, pc: state.pc, tval: UInt64(state.exitArgument))
            pendingTrap = nil
            trapRaised = true
            return hart.raise(trap)
        case .budget:
            // The block would pass `budget`. If that is the caller's limit or where an interrupt
            // is due, finish exactly by stepping one instruction at a time; otherwise it was
            // only the polling quantum.
            if budget != limit, budget != due, systemTLB != nil {
                stepsToBlock = JIT.stepsToBlockLimit
                pollingQuantum.ranOut()
            }
            guard budget == limit || budget == due, state.instret < budget else { return .resume }
            // The stepped instruction may raise an exception (a page fault, its fetch): that trap
            // is charged to the limit like every other, as the interpreter charges a trap in
            // the middle of its block (an uncharged one let the JIT run one instruction more).
            let before = state.instret
            let outcome = stepInterpreter(hart)
            if state.instret == before { trapRaised = true }
            return outcome
        case .loadFault, .storeFault:
            let address = state.raw.load(fromByteOffset: ScratchSlot.faultAddress, as: UInt64.self)
            let cause: ExceptionCause = reason == .loadFault ? .loadAccessFault : .storeAccessFault
            trapRaised = true
            return hart.raise(GuestTrap(cause, pc: state.pc, tval: address))
        }
    }

    /// System mode stops every polling quantum to look for interrupts, wherever the budget
    /// ran out, mostly at a segment in the middle of a block (after a side exit or at a join).
    /// Translating a block there, which runs once, cost more than the rest: a U-mode
    /// `statemachine` translated 143 thousand guest instructions (68 thousand in user mode) in
    /// 0.72 s of its ~2 s. So the dispatcher steps from there in the interpreter until pc is
    /// at a translated block, a trap was raised or the privilege changed (a block will start
    /// there anyway), or after this many instructions. (Not only until a jump: a taken
    /// forward branch mostly lands in the middle of a block too, at a join.)
    static let stepsToBlockLimit = 256

    /// One step of `stepsToBlock`, or nil (and no more steps) when a block is translated at pc;
    /// clears `stepsToBlock` when stepping should end after this one.
    private func stepToBlock(_ hart: Hart, _ limit: inout UInt64?) -> Continuation? {
        let state = hart.state
        guard case .missing = lookUp(state.pc, hart) else {
            stepsToBlock = 0
            return nil
        }
        stepsToBlock -= 1
        let (privilege, before) = (state.privilege, state.instret)
        let outcome = stepInterpreter(hart)
        if state.instret == before {
            chargeTrap(&limit, state) // a trap, charged as in `handle(.budget)`
            stepsToBlock = 0
        } else if state.privilege != privilege {
            stepsToBlock = 0
        }
        if outcome != .resume { stepsToBlock = 0 }
        return outcome
    }

    /// `JITOptions.interpretFirst` in effect: user mode, not counting executions for a dump, no
    /// fault injected. With a persistent cache only code the cache has no block for is
    /// interpreted first (`interpretsNext`): a saved block is loaded at its first arrival, as
    /// loading one costs about what interpreting its first four runs does, so the cache holds
    /// the blocks that ran often enough to be translated in some earlier run, and code that runs
    /// once is interpreted in every run instead of being loaded (a warm static hello loaded ~450
    /// blocks, most of them run once).
    private var interpretsFirst: Bool {
        options.interpretFirst && systemTLB == nil && !options.countBlockExecutions && options.faultInjection == nil
    }

    /// How many times the dispatcher came to each pc that had no block (`interpretFirstRun`).
    private var firstRuns = ArrivalCounts()
    /// Arrivals at a pc without a block that are interpreted before one is translated there: 5,
    /// or `TRAPEZE_JIT_INTERPRET_RUNS` (1–100) from the environment, for measurements. Measured
    /// without a cache (`perf stat` task-clock, 40 interleaved runs, minimum): a static hello
    /// 3.42 ms with 1, 3.13 with 2, 3.04 with 3, 2.88 with 5 (6.03 translating everything);
    /// `dpkg --version` in a Debian chroot 25.1 ms with 1, 23.4 with 3, 21.8 with 5, 22.9 with 10.
    static let interpretedRuns: UInt8 = {
        guard let v = getenv("TRAPEZE_JIT_INTERPRET_RUNS"), let n = UInt8(String(cString: v)), n >= 1, n <= 100 else { return 5 }
        return n
    }()
    /// The most instructions one interpreted run steps (a block of straight-line code is at most
    /// `maxBlockInstructions` long when translated; this only bounds a run between polls).
    static let interpretedRunLimit = 256

    /// Whether the dispatcher's arrival at `pc` is to be interpreted: no block is translated
    /// there, and fewer than `interpretedRuns` arrivals were.
    private func interpretsNext(_ pc: UInt64, _ hart: Hart) -> Bool {
        guard firstRuns.count(pc) < JIT.interpretedRuns, case .missing = lookUp(pc, hart) else { return false }
        if let store = options.translationStore, store.holds(pc) { return false } // load it now
        return true
    }

    /// Steps the interpreter from pc through the next instruction that ends a block (a jump,
    /// branch or system instruction), a trap, the instruction limit or `interpretedRunLimit`
    /// instructions, and counts the arrival at pc. Nothing is translated.
    private func interpretFirstRun(_ hart: Hart, limit: UInt64?) -> Continuation {
        let state = hart.state
        let start = state.pc
        firstRuns.add(start)
        stats.blocksInterpreted &+= 1
        let before = state.instret
        defer { stats.instructionsInterpreted &+= state.instret &- before }
        for _ in 0..<JIT.interpretedRunLimit {
            if let limit, state.instret >= limit { return .resume }
            let inst: Instruction
            do { inst = try hart.fetchInstruction(state.pc) } catch { return hart.raise(error) }
            let retired = state.instret
            let outcome = Interpreter.step(inst, hart)
            noteHostProcess(after: inst, hart)
            if outcome != .resume || state.instret == retired || BlockDecoder.endsBlock(inst, system: false) { return outcome }
        }
        return .resume
    }

    /// Runs the one instruction at pc in the interpreter.
    private func stepInterpreter(_ hart: Hart) -> Continuation {
        stats.instructionsStepped &+= 1
        do {
            let inst = try hart.fetchInstruction(hart.state.pc)
            if let systemTLB { return systemTLB.stepper.step(inst, hart) }
            let outcome = Interpreter.step(inst, hart)
            noteHostProcess(after: inst, hart) // a fork stepped here (sp outside the guest range, say)
            return outcome
        } catch {
            return hart.raise(error)
        }
    }

    /// After `inst` ran, wherever it ran (the trap-and-emulate exit, an interpreted first run, a
    /// dispatcher step): only an environment call can fork the host process.
    private func noteHostProcess(after inst: Instruction, _ hart: Hart) {
        if inst.opcode == .ecall, let environment = hart.environment { noteHostProcess(environment.hostProcess) }
    }

    /// Records the environment's host process; when it changed, this is the child of a host fork
    /// made inside an environment call (a guest `fork`), which still shares the parent's code
    /// cache, a shared file mapping: it gets its own before it translates anything.
    private func noteHostProcess(_ process: Int32) {
        defer { hostProcess = process }
        if let known = hostProcess, known != process { separateFromParent() }
    }

    private func separateFromParent() {
        options.translationStore?.forgetUnsaved() // the parent saves what it translated
        guard let fresh = CodeCache(capacity: cache.capacity) else { HostFailure.exit("cannot map the JIT code cache") }
        faults.retire()  // before the old cache's code is unmapped
        cache = fresh
        faults = FaultSites(codeStart: fresh.start, codeEnd: fresh.end)
        resetCache()
    }

    // MARK: Translation

    /// What `lookUp` found at a pc: a translated block, the trap its fetch raises, or nothing
    /// yet, with the keys a translation there is recorded under.
    enum Lookup {
        case found(UInt64)
        case fault(GuestTrap)
        case missing(key: UInt64, systemKey: SystemBlockKey?, physical: UInt64)
    }

    /// The block translated for `pc` as `hart` fetches it now, without translating one.
    func lookUp(_ pc: UInt64, _ hart: Hart) -> Lookup {
        let mode: UInt8? = systemTLB == nil ? nil : hart.state.privilege.rawValue
        guard let key = BlockKey.key(pc, mode: mode) else {
            // Not a pc any mode can fetch from: the fetch says which fault.
            do { _ = try hart.fetchInstruction(pc) } catch { return .fault(error) }
            return .fault(GuestTrap(.instructionAccessFault, pc: pc, tval: pc))
        }
        if let systemTLB {
            // The jump cache of this privilege maps virtual pcs whose translation still holds
            // (it follows satp, sfence.vma, PMP and code drops) to blocks that need no mapping
            // check: a hit spares the page translation and the dictionary.
            let jumps = systemTLB.jumps[Int(hart.state.privilege.rawValue & 3)]
            if let host = jumps.lookup(pc) { return .found(host) }
            guard let physical = hart.codePhysicalAddress(pc) else {
                do { _ = try hart.fetchInstruction(pc) } catch { return .fault(error) }
                return .fault(GuestTrap(.instructionAccessFault, pc: pc, tval: pc))
            }
            let k = SystemBlockKey(virtual: key, physicalPage: physical >> 12)
            if let known = systemTLB.block(k), known.valid(hart) {
                jumps.insert(known, pc: pc, physical: physical, hart)
                return .found(known.host)
            }
            return .missing(key: key, systemKey: k, physical: physical)
        }
        if let host = blocks[key] { return .found(host) }
        return .missing(key: key, systemKey: nil, physical: 0)
    }

    /// The host code for the block at `pc`, translating it if needed.
    func block(at pc: UInt64, _ hart: Hart) -> Result<UInt64, GuestTrap> {
        let mode: UInt8? = systemTLB == nil ? nil : hart.state.privilege.rawValue
        translationLimit = hart.memory.limit
        let key: UInt64, systemKey: SystemBlockKey?, codePhysical: UInt64
        switch lookUp(pc, hart) {
        case .found(let host): return .success(host)
        case .fault(let trap): return .failure(trap)
        case .missing(let k, let s, let p): (key, systemKey, codePhysical) = (k, s, p)
        }
        // Only sigreturn or an ELF entry can make pc odd; the interpreter raises the same fault.
        if pc & 1 != 0 { return .failure(GuestTrap(.instructionMisaligned, pc: pc, tval: pc)) }
        // Timed only for --stats (which also counts indirect hits): two clock reads per block
        // were 1.2% of a warm `rm`'s start, which loads thousands of blocks.
        let timed = options.countIndirectHits
        let started = timed ? Hart.hostNanoseconds() : 0
        defer { if timed { stats.translationNanoseconds &+= Hart.hostNanoseconds() &- started } }
        if systemTLB == nil, let store = persistentStore(mode: nil) {
            var saved = SavedBlock()
            swap(&saved, &spareSaved) // held only here while in use: its arrays are refilled in place
            defer { swap(&saved, &spareSaved) }
            switch store.lookup(pc, into: &saved) {
            case .found:
                if saved.matches(hart), let host = installSaved(&saved, key: key) { return .success(host) }
                stats.blocksLoadRejected &+= 1
            case .stale: stats.blocksLoadRejected &+= 1
            case .none: break
            }
        }
        var guest: GuestBlock
        switch BlockDecoder.decode(hart, at: pc, limit: options.maxBlockInstructions,
                                   joins: options.joins, inlineCalls: options.inlineCalls && systemTLB == nil,
                                   reusing: &spareBlock) {
        case .success(let b): guest = b
        case .failure(let trap): return .failure(trap)
        }
        if options.gatherChains && systemTLB == nil { ChainGather.gather(&guest) } // user mode

        if let host = install(guest, key: key, mode: mode) {
            noteCode(guest, hart)
            if systemTLB == nil { codeIndex.record(guest) }
            if let systemKey { systemTLB?.record(guest, host: host, key: systemKey, physical: codePhysical, hart) }
            spareBlock = guest
            return .success(host)
        }
        // Full: start over with an empty cache (the block then fits: see `minimumCacheSize`).
        flush()
        guard let host = install(guest, key: key, mode: mode) else { fatalError("trapeze: a block does not fit the JIT code cache") }
        noteCode(guest, hart)
        if systemTLB == nil { codeIndex.record(guest) }
        if let systemKey { systemTLB?.record(guest, host: host, key: systemKey, physical: codePhysical, hart) }
        spareBlock = guest
        return .success(host)
    }

    /// Translates `guest` at the cache's next free address; nil if it does not fit.
    private func install(_ guest: GuestBlock, key: UInt64, mode: UInt8?) -> UInt64? {
        let offset = cache.nextOffset()
        let counter = nextExecutionCounter()
        let store = persistentStore(mode: mode)
        let translated = translate(guest, at: offset, counter: counter, mode: mode, persistent: store != nil)
        guard let placed = cache.append(translated.code), placed == offset else { return nil }
        if let store,
           let saved = SavedBlock(guest, translated, firstChainSiteID: chainSites.count, epilogue: epilogue, coldExit: coldExit) {
            store.add(saved)
        }
        let host = place(code: translated.code.count, faultSites: translated.faultSites, coldSites: translated.coldSites,
                         chainSites: translated.chainSites, at: offset, key: key, linkExits: store != nil)
        blockInstalled(guest, host: host, code: translated, counter: counter)
        stats.blocksTranslated &+= 1
        stats.guestInstructionsTranslated &+= UInt64(translated.guestInstructions)
        return host
    }

    /// Installs a block from the persistent cache whose instructions `block(at:)` found in guest
    /// memory word for word (so they decode as they did when it was translated): its code is
    /// copied into the cache and relocated there. Nil if a field cannot be relocated (the block
    /// is then translated). Flushes a full cache like `install`.
    private func installSaved(_ saved: inout SavedBlock, key: UInt64) -> UInt64? {
        guard let offset = saved.withCode({ cache.append($0) }) ?? { flush(); return saved.withCode { cache.append($0) } }() else {
            fatalError("trapeze: a block does not fit the JIT code cache")
        }
        guard relocate(&saved, at: offset) else {
            cache.discard(from: offset)
            return nil
        }
        let base = cache.address(offset)
        var sites: [ChainSite] = []
        swap(&sites, &spareChainSites)
        defer { swap(&sites, &spareChainSites) }
        sites.removeAll(keepingCapacity: true)
        for c in saved.chainSites {
            sites.append(ChainSite(displacementOffset: Int(c.offset), jumpEnd: base &+ UInt64(c.offset) &+ 4, target: c.target))
        }
        let host = place(code: saved.codeSize, faultSites: saved.faultSites, coldSites: saved.coldSites,
                         chainSites: sites, at: offset, key: key, linkExits: true)
        var low = saved.start, high = saved.start
        for k in saved.instructions.indices {
            let pc = saved.pc(k)
            low = min(low, pc)
            high = max(high, pc &+ saved.length(k))
        }
        codeIndex.record(start: saved.start, low: low, highestEnd: high)
        savedBlockInstalled(start: saved.start, highestEnd: high, host: host, size: saved.codeSize)
        stats.blocksLoaded &+= 1
        return host
    }

    /// Enters a block's code, already copied to cache offset `offset`, in the engine's tables:
    /// fault sites, cold exits, chain sites, the block map. `linkExits`: its exits were left
    /// unchained (code for the persistent cache), so link them to the blocks already here, as
    /// translation would have.
    private func place(code size: Int, faultSites: [FaultSite], coldSites colds: [ColdSite], chainSites sites: [ChainSite],
                       at offset: Int, key: UInt64, linkExits: Bool) -> UInt64 {
        let firstChainSite = chainSites.count
        for var site in faultSites {
            site.hostOffset &+= UInt32(offset)
            if site.resume != 0 { site.resume &+= UInt32(offset) }
            faults.append(site)
        }
        coldSites.append(colds, at: offset)
        for var site in sites {
            site.displacementOffset += offset
            if let e = site.epochOffset { site.epochOffset = e + offset }
            if let f = site.fallbackOffset { site.fallbackOffset = f + offset }
            chainSites.append(site)
        }
        let host = cache.address(offset)
        blocks[key] = host
        blockSizes.append(host: host, size: size)
        if linkExits {
            for id in firstChainSite..<chainSites.count {
                if let target = blocks[chainSites[id].target] { link(id, to: target) }
            }
        }
        stats.hostCodeBytes &+= UInt64(size)
        return host
    }

    /// The persistent cache, when blocks of this run may come from it and go to it.
    private func persistentStore(mode: UInt8?) -> TranslationStore? {
        guard let store = options.translationStore, mode == nil, !options.countBlockExecutions,
              options.faultInjection == nil else { return nil }
        return store
    }

    /// Relocates a saved block's code, copied to cache offset `offset` (Relocation.swift), and
    /// numbers its cold sites' chain requests for this engine; false if some field does not fit
    /// (the block is then translated afresh).
    private func relocate(_ saved: inout SavedBlock, at offset: Int) -> Bool {
        let base = cache.address(offset)
        func put(_ value: UInt64, at: Int, width: Int) -> Bool {
            if width == 4 {
                guard let v = Int32(exactly: Int64(bitPattern: value)) else { return false }
                cache.write(UInt32(bitPattern: v).littleEndian, at: offset + at)
            } else {
                cache.write(value.littleEndian, at: offset + at)
            }
            return true
        }
        for b in saved.stubBranches {
            let target = b.stub == SavedBlock.Stub.epilogue.rawValue ? epilogue : coldExit
            guard put(target &- (base &+ UInt64(b.at) &+ 4), at: Int(b.at), width: 4) else { return false }
        }
        var decoded = saved.decoded.makeIterator()
        for i in saved.immediates {
            let payload = Relocation.payload(of: i.tag)
            let value: UInt64
            switch Relocation.kind(of: i.tag) {
            case .helper: value = Relocation.helpers[payload]
            case .indirectTable: value = indirect.address
            case .floatConstants: value = FloatConstants.address
            case .instruction:
                guard let inst = decoded.next() else { return false }
                value = UInt64(UInt(bitPattern: tables.keep(inst)))
            case .systemInstruction:
                guard let inst = decoded.next() else { return false }
                value = UInt64(tables.addSystemInstruction(inst))
            case nil: return false
            }
            guard put(value, at: i.at, width: i.width) else { return false }
        }
        let first = chainSites.count
        for k in saved.coldSites.indices where saved.coldSites[k].reason == ExitReason.chainRequest.rawValue {
            saved.coldSites[k].argument = UInt32(truncatingIfNeeded: first + Int(saved.coldSites[k].argument))
        }
        return true
    }

    /// Runs the translator. Its own function so that the `TranslationTargets` sharing `blocks` is
    /// gone before `install` adds to `blocks`: a live second reference would make that insertion
    /// copy the whole dictionary, once per block (most of the translation time in big programs).
    private func translate(_ guest: GuestBlock, at offset: Int, counter: UnsafeMutablePointer<UInt64>?, mode: UInt8?,
                           persistent: Bool = false) -> TranslatedBlock {
        var targets = TranslationTargets(epilogue: epilogue, coldExit: coldExit, slowPath: JIT.address(of: slowPathEntry), float: JIT.address(of: floatEntry),
                                         chaining: options.chaining, translated: persistent ? BlockMap.empty : blocks)
        targets.persistent = persistent
        targets.faultInjection = options.faultInjection
        targets.features = options.hostFeatures
        targets.countIndirectHits = options.countIndirectHits
        targets.blockRegisters = options.blockRegisters
        targets.hostCalls = options.hostCalls
        targets.joins = options.joins
        targets.loopPeeling = options.loopPeeling
        targets.loopMotion = options.loopMotion
        targets.fallThroughLoops = options.fallThroughLoops && systemTLB != nil
        targets.allocatedThunks = options.allocatedThunks
        targets.groupsAcrossJoins = options.groupsAcrossJoins
        targets.addendRegisters = options.addendRegisters
        targets.pagePairs = options.pagePairs
        targets.addendReloads = options.addendReloads
        targets.joinRelations = options.joinRelations
        targets.constantGroups = options.constantGroups
        targets.gatherChains = options.gatherChains && systemTLB == nil
        targets.spillBudget = options.spillBudget && systemTLB == nil
        targets.returnAddressRegister = returnAddressRegister
        targets.sideExitRefunds = options.sideExitRefunds && systemTLB == nil
        targets.joinBudgets = options.joinBudgets && systemTLB == nil
        targets.floatInPlace = options.floatInPlace
        // Saved blocks may run under another limit.
        targets.constantLimit = options.constantAddresses && systemTLB == nil && !persistent ? translationLimit : 0
        targets.indirectTable = indirect.address
        if !persistent {
            // FloatUnit fallbacks (NaN results, RMM…) through the shared thunk: a call site is a
            // few stores and a call instead of ~370 bytes of register traffic. Not in blocks
            // saved for a later run, whose calls may lead only to the epilogue and cold exit.
            let float = JIT.address(of: floatEntry)
            targets.helperThunks[float] = helperThunks[float]
        }
        if let mode, let systemTLB {
            targets.system = mode
            targets.epoch = systemTLB.epochs.current(mode)
            targets.helperThunks = helperThunks
            targets.indirectTable = systemTLB.jumps[Int(mode & 3)].table.address
        }
        targets.executionCounter = counter.map { UInt64(UInt(bitPattern: $0)) }
        return Translator.translate(guest, at: cache.address(offset), targets: targets, tables: tables,
                                    firstChainSiteID: chainSites.count, buffers: &buffers)
    }

    static func address(of helper: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32) -> UInt64 {
        UInt64(UInt(bitPattern: unsafeBitCast(helper, to: UnsafeRawPointer.self)))
    }

    func hostBytes(at address: UInt64, count: Int) -> [UInt8] {
        cache.bytes(at: Int(address &- cache.start), count: count)
    }

    /// User mode: drops the blocks on the changed pages (page-number ranges). Their entries exit
    /// to the dispatcher from now on, and the `jalr` table forgets them.
    private func drop(_ pages: [Range<UInt64>]) {
        stats.codeChanges &+= 1
        var dropped: UInt64 = 0
        for range in pages {
            for pc in codeIndex.take(pages: range) {
                guard let host = blocks.removeValue(forKey: pc) else { continue }
                let offset = Int(host &- cache.start)
                guard let entry = RetiredEntries.entryBytes(host: host, thunk: coldExit) else { flush(); return }
                cache.patch64(at: offset, entry)
                retired.add(returnOffset: UInt32(offset + ColdSite.callLength), pc: pc)
                dropped &+= 1
            }
        }
        if dropped > 0 { indirect.clear() }
        stats.blocksDropped &+= dropped
    }

    /// Points chain site `id` straight at `target`; an exit to another guest page (system mode)
    /// also takes the current epoch of its privilege level (SystemEpochs.swift).
    private func link(_ id: Int, to target: UInt64, _ hart: Hart? = nil) {
        let site = chainSites[id]
        let rel = Int64(bitPattern: target &- site.jumpEnd)
        guard let rel32 = Int32(exactly: rel) else { return }
        if let at = site.epochOffset {
            guard let hart, let systemTLB else { return }
            cache.patch32(at: at, systemTLB.epochs.linked(site.target, hart))
        }
        cache.patch32(at: site.displacementOffset, UInt32(bitPattern: rel32))
        stats.chainPatches &+= 1
    }
}
