#if canImport(Glibc)
import Glibc
#endif
import Guest
/// How the JIT engine is configured (`trapeze run` flags).
public struct JITOptions: Sendable {
    /// Bytes of host code before the cache is flushed (`--jit-cache-size`).
    public var cacheSize: Int
    /// Patch direct exits into jumps and probe the `jalr` table (`--no-chain` clears it).
    public var chaining: Bool
    /// Most guest instructions per translated block.
    public var maxBlockInstructions: Int
    /// Retired instructions between polls of `Environment.eventPending` while code runs chained.
    public var eventQuantum: UInt64
    /// Count each block's executions and keep block records for `JIT.translatedBlocks()` (`trapeze dump`).
    public var countBlockExecutions = false
    /// Count `jalr` lookups that hit the inline table (`trapeze run --stats`). Off by default:
    /// the count is a read-modify-write of memory on every indirect jump.
    public var countIndirectHits = false

    /// The host instruction-set extensions translated code may use: the detected ones by default;
    /// `.baseline` forces the plain x86-64 lowerings (the bit group's tests compare both).
    public var hostFeatures: CPUFeatures = .host

    /// Per-block register allocation (BlockRegisters.swift): a block may swap the guest registers
    /// it uses most into the cache registers. On by default; `TRAPEZE_JIT_BLOCK_REGISTERS=0` in
    /// the environment turns it off (for A/B measurements), as does setting this to false.
    public var blockRegisters = JITOptions.blockRegistersDefault

    static let blockRegistersDefault = environmentFlag("TRAPEZE_JIT_BLOCK_REGISTERS", default: true)

    /// User mode: guest calls as host `call`s and returns as host `ret`s through a checked frame
    /// (Lower+Call.swift). Off by default: on this host (AMD EPYC) the frames cost more than the
    /// return prediction saves; `TRAPEZE_JIT_HOST_CALLS=1` turns them on (for A/B measurements).
    public var hostCalls = JITOptions.hostCallsDefault

    static let hostCallsDefault = environmentFlag("TRAPEZE_JIT_HOST_CALLS", default: false)

    /// A forward branch to a later instruction of its block jumps there instead of leaving for
    /// a block of its own (BlockJoins.swift). On by default; `TRAPEZE_JIT_JOINS=0`
    /// turns it off (for A/B measurements).
    public var joins = JITOptions.joinsDefault

    static let joinsDefault = environmentFlag("TRAPEZE_JIT_JOINS", default: true)

    /// A block that loops to its own start gets a second copy, run from the second iteration
    /// on, that checks no base the first copy's iteration accessed, or in system mode checks
    /// its accesses against the pages they hit last (LoopPeel.swift). On by default;
    /// `TRAPEZE_JIT_PEEL=0` turns it off (for A/B measurements).
    public var loopPeeling = JITOptions.loopPeelingDefault

    static let loopPeelingDefault = environmentFlag("TRAPEZE_JIT_PEEL", default: true)

    /// System mode: in a peeled loop's second copy, a group whose base only moves one way by
    /// `addi` checks its loop slot on that side only, and one whose base does not move checks
    /// nothing (`SharedProbes.LoopMotion`). On by default; `TRAPEZE_JIT_LOOP_MOTION=0` turns it
    /// off (for A/B measurements).
    public var loopMotion = JITOptions.loopMotionDefault

    static let loopMotionDefault = environmentFlag("TRAPEZE_JIT_LOOP_MOTION", default: true)

    /// System mode: a shared-probe group goes on past a join when every side exit to it was
    /// taken after the group's head, with the base where the way falling through has it
    /// (SystemSharedProbes.swift). On by default; `TRAPEZE_JIT_GROUP_JOINS=0` turns it off
    /// (for A/B measurements).
    public var groupsAcrossJoins = JITOptions.groupsAcrossJoinsDefault

    static let groupsAcrossJoinsDefault = environmentFlag("TRAPEZE_JIT_GROUP_JOINS", default: true)

    /// System mode: a block's busiest shared-probe groups keep their addend in a host register
    /// whose guest the block does not use, instead of reloading it from the state block at every
    /// member (SystemSharedProbes.swift, `BlockRegisters.addendHosts`). On by default;
    /// `TRAPEZE_JIT_ADDEND_REGISTERS=0` turns it off (for A/B measurements).
    public var addendRegisters = JITOptions.addendRegistersDefault

    static let addendRegistersDefault = environmentFlag("TRAPEZE_JIT_ADDEND_REGISTERS", default: true)

    /// System mode: a group outside a loop gets an addend register only if at least three of its
    /// accesses would reload the addend (those not right after another access of the group,
    /// which finds it still in rax), not for any four accesses (`SharedProbes.addendCandidates`).
    /// On by default; `TRAPEZE_JIT_ADDEND_RELOADS=0` counts accesses again (for A/B measurements).
    public var addendReloads = JITOptions.addendReloadsDefault

    static let addendReloadsDefault = environmentFlag("TRAPEZE_JIT_ADDEND_RELOADS", default: true)

    /// System mode: a group's probe that missed tries, out of line, the two pages its span
    /// straddles: when both are in the TLB with one addend (neighbouring virtual pages on
    /// neighbouring RAM) the group goes on instead of leaving the block after its head
    /// (SystemSharedProbes.swift). On by default; `TRAPEZE_JIT_PAGE_PAIRS=0` turns it off (for
    /// A/B measurements).
    public var pagePairs = JITOptions.pagePairsDefault

    static let pagePairsDefault = environmentFlag("TRAPEZE_JIT_PAGE_PAIRS", default: true)

    /// System mode: at a join, shared probes keep what every way in knows of registers related
    /// to a base (`addi a4, gp, -1984`) instead of forgetting it, so an access through one
    /// after an `if` joins its base's group (SystemSharedProbes.swift). On by default;
    /// `TRAPEZE_JIT_JOIN_RELATIONS=0` turns it off (for A/B measurements).
    public var joinRelations = JITOptions.joinRelationsDefault

    static let joinRelationsDefault = environmentFlag("TRAPEZE_JIT_JOIN_RELATIONS", default: true)

    /// System mode: loads and stores off registers whose value the block knows (`auipc`, `lui`,
    /// `li`) share probes by address, whatever the register, and probe a page known when
    /// translating (SystemSharedProbes.swift). On by default; `TRAPEZE_JIT_CONSTANT_GROUPS=0`
    /// turns it off (for A/B measurements).
    public var constantGroups = JITOptions.constantGroupsDefault

    static let constantGroupsDefault = environmentFlag("TRAPEZE_JIT_CONSTANT_GROUPS", default: true)

    /// System mode: a block whose last instruction is a conditional branch that falls through
    /// to the block's own start (a loop entered at its test: the body, its `j test` followed,
    /// then `test: b<cc> out`) is a self-loop like one that branches back: it keeps its register
    /// allocation round the loop and is peeled (LoopPeel.swift). On by default;
    /// `TRAPEZE_JIT_FALL_LOOPS=0` turns it off (for A/B measurements).
    public var fallThroughLoops = JITOptions.fallThroughLoopsDefault

    static let fallThroughLoopsDefault = environmentFlag("TRAPEZE_JIT_FALL_LOOPS", default: true)

    /// Blocks with a register allocation call the slow-path and float helpers through their
    /// shared thunks (a 5-byte call and the stores of the registers the instruction names)
    /// instead of saving every caller-saved register inline around the call. On by default;
    /// `TRAPEZE_JIT_ALLOCATED_THUNKS=0` turns it off (for A/B measurements).
    public var allocatedThunks = JITOptions.allocatedThunksDefault

    static let allocatedThunksDefault = environmentFlag("TRAPEZE_JIT_ALLOCATED_THUNKS", default: true)

    /// System mode: translated code leaves after every device access, not only after one that
    /// let an event in (`JIT.deviceExit`). Off by default; `TRAPEZE_JIT_DEVICE_EXITS=1` turns
    /// it on (for A/B measurements).
    public var deviceExits = JITOptions.deviceExitsDefault

    static let deviceExitsDefault = environmentFlag("TRAPEZE_JIT_DEVICE_EXITS", default: false)

    /// User mode: a chain of in-place operations on one register moves up next to its previous
    /// write, and a register in the state block is then chained through a host register with one
    /// store (ChainGather.swift). On by default; `TRAPEZE_JIT_GATHER=0` turns it off (for A/B
    /// measurements).
    public var gatherChains = JITOptions.gatherChainsDefault

    static let gatherChainsDefault = environmentFlag("TRAPEZE_JIT_GATHER", default: true)

    /// User mode: a long self-loop whose instructions call no helper may give the budget
    /// register (r11) to one more guest register while it loops, the budget counting down in
    /// its state-block slot meanwhile (BlockRegisters.swift). On by default;
    /// `TRAPEZE_JIT_SPILL_BUDGET=0` turns it off (for A/B measurements).
    public var spillBudget = JITOptions.spillBudgetDefault

    static let spillBudgetDefault = environmentFlag("TRAPEZE_JIT_SPILL_BUDGET", default: true)

    /// User mode: a block takes its budget once for all its instructions up to its first join,
    /// not again after every side exit, and a side exit that is taken gives back what the
    /// instructions after it were charged (`Translator.charged`). On by default;
    /// `TRAPEZE_JIT_REFUNDS=0` turns it off (for A/B measurements).
    public var sideExitRefunds = JITOptions.sideExitRefundsDefault

    static let sideExitRefundsDefault = environmentFlag("TRAPEZE_JIT_REFUNDS", default: true)

    /// User mode, with `sideExitRefunds`: a join reached by one branch over a plain `if` body
    /// takes no budget of its own; the segment before the branch charges what follows the join
    /// and the body charges itself (BlockJoins.swift). On by default;
    /// `TRAPEZE_JIT_JOIN_BUDGETS=0` turns it off (for A/B measurements).
    public var joinBudgets = JITOptions.joinBudgetsDefault

    static let joinBudgetsDefault = environmentFlag("TRAPEZE_JIT_JOIN_BUDGETS", default: true)

    /// User mode: double-precision add, sub, mul, div and sqrt write a cached rd in place also
    /// when rd is one of their sources (a NaN result is made canonical there instead of going to
    /// the helper), and exact integer-to-double conversions write it directly: no copy through
    /// xmm0 (FloatInline+Rounded.swift). (Fused multiply-adds keep theirs: computed in place,
    /// with the overwritten source kept in xmm0 for the helper, fmatmul ran 8% slower.) On by default; `TRAPEZE_JIT_FLOAT_IN_PLACE=0` turns it
    /// off (for A/B measurements).
    public var floatInPlace = JITOptions.floatInPlaceDefault

    static let floatInPlaceDefault = environmentFlag("TRAPEZE_JIT_FLOAT_IN_PLACE", default: true)

    /// User mode: a call of a short straight-line leaf function (`__ctype_b_loc` and the like)
    /// is decoded into the calling block, its `ret` followed back to the return address
    /// (`BlockDecoder.leafCallee`). On by default; `TRAPEZE_JIT_INLINE_CALLS=0` turns it off
    /// (for A/B measurements).
    public var inlineCalls = JITOptions.inlineCallsDefault

    static let inlineCallsDefault = environmentFlag("TRAPEZE_JIT_INLINE_CALLS", default: true)

    /// User mode: a load or store off a register whose value the block knows (`lui`, `auipc`,
    /// `li`, `addi` of such) at an address below the guest limit has no limit check
    /// (KnownConstants.swift). On by default; `TRAPEZE_JIT_CONSTANT_ADDRESSES=0` turns it off
    /// (for A/B measurements).
    public var constantAddresses = JITOptions.constantAddressesDefault

    static let constantAddressesDefault = environmentFlag("TRAPEZE_JIT_CONSTANT_ADDRESSES", default: true)

    /// User mode: ra has a cache register between blocks, in place of a1
    /// (`RegisterMap.returnAddressCallerSaved`). On by default; `TRAPEZE_JIT_RA_REGISTER=0`
    /// turns it off (for A/B measurements).
    public var returnAddressRegister = JITOptions.returnAddressRegisterDefault

    static let returnAddressRegisterDefault = environmentFlag("TRAPEZE_JIT_RA_REGISTER", default: true)

    /// User mode: the dispatcher's first arrivals at a pc that has no block interpret the guest
    /// code from there to the next jump, branch or system instruction instead of translating (or
    /// loading from the persistent cache) a block; the fifth translates (`JIT.interpretedRuns`). Most blocks of
    /// a short process run once (316 of a static hello's 418; 987 of a warm `dpkg --version`'s
    /// 2567), and stepping their few instructions costs far less than translating them (or even
    /// loading them from the persistent cache). Translations are the same either way, so it is
    /// not part of the cache key. Off in `JITOptions()` (engines built by tests, `fuzz` and
    /// `difftest` translate everything they run); `trapeze run` turns it on
    /// (`EngineSettings.interpretFirst`) unless `TRAPEZE_JIT_INTERPRET_FIRST=0`. With a
    /// persistent cache, a pc the cache has a block for is loaded at once (`JIT.interpretsNext`).
    /// Ignored in system mode, by `trapeze dump` (counting block executions) and with faults
    /// injected.
    public var interpretFirst = false

    public static let interpretFirstDefault = environmentFlag("TRAPEZE_JIT_INTERPRET_FIRST", default: true)

    /// The persistent translation cache (`--jit-cache-dir`, TranslationStore.swift), shared by
    /// the engines of one process; nil: none. Used in user mode only, and not while counting
    /// block executions or injecting faults.
    public var translationStore: TranslationStore? = nil

    /// Test-only: a lowering broken on purpose (see `JITFaultInjection`).
    public var faultInjection: JITFaultInjection? = nil
    /// Tests: the value system mode's translation epochs start at (SystemEpochs.swift), so that a
    /// short run reaches their wrap-around.
    public var systemEpochStart: UInt32 = 0

    public static let defaultCacheSize = 64 << 20
    /// System mode's cache: a kernel boot translates firmware, kernel and every program it
    /// starts, and a full cache is flushed whole; 256 MiB of host address space (only what is
    /// written costs memory) keeps a Linux boot far from that.
    public static let systemCacheSize = 256 << 20

    /// The default most guest instructions per block: 128, or `TRAPEZE_JIT_BLOCK_INSNS` from the
    /// environment (for A/B measurements). 128 rather than 64 lets loops of up to 128
    /// instructions (AES's round: 97) be one self-looping block that keeps its register
    /// allocation round the back edge: aes 6000000 1.00 -> 0.94 s user.
    public static let defaultMaxBlockInstructions: Int = {
        guard let v = getenv("TRAPEZE_JIT_BLOCK_INSNS"), let n = Int(String(cString: v)), n > 0 else { return 128 }
        return min(n, 1024)
    }()

    /// The default `eventQuantum`: 1Mi instructions (system mode polls at least every 64Ki), or
    /// `TRAPEZE_JIT_QUANTUM` from the environment: tests make it small so that runs stop in the
    /// middle of blocks often (the dispatcher's `stepToBlock`). At least 1024: a quantum shorter
    /// than a block's first segment would never let the block start.
    public static let defaultEventQuantum: UInt64 = {
        guard let v = getenv("TRAPEZE_JIT_QUANTUM"), let n = UInt64(String(cString: v)) else { return 1 << 20 }
        return max(n, 1024)
    }()

    public init(cacheSize: Int = JITOptions.defaultCacheSize, chaining: Bool = true,
                maxBlockInstructions: Int = JITOptions.defaultMaxBlockInstructions,
                eventQuantum: UInt64 = JITOptions.defaultEventQuantum) {
        self.cacheSize = cacheSize
        self.chaining = chaining
        self.maxBlockInstructions = max(1, maxBlockInstructions)
        self.eventQuantum = max(1, eventQuantum)
    }
}
