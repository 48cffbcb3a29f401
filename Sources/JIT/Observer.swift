/// Told about host code as the JIT places it in its cache, for tools outside the engine: a perf
/// map for Linux `perf` (`trapeze run --perf-map`), or a record of translations.
///
/// Calls arrive on the thread running the guest, between blocks, never from translated code.
public protocol JITObserver: AnyObject {
    /// The shared prologue/epilogue code sits at `host ..< host + size`. Called when the observer
    /// is attached and again whenever the cache starts over (a flush, or a forked child's own cache).
    func jitEmittedStubs(host: UInt64, size: Int)
    /// The guest block starting at `guestStart` (its last instruction ends before `guestEnd`) now
    /// runs as host code at `host ..< host + size`.
    func jitTranslated(guestStart: UInt64, guestEnd: UInt64, host: UInt64, size: Int)
}

extension JIT {
    /// Who hears about new code (nil: nobody, and translation pays nothing for it).
    public var observer: JITObserver? {
        get { instrumentation.observer }
        set {
            instrumentation.observer = newValue
            announceStubs()
        }
    }

    func announceStubs() {
        guard let observer = instrumentation.observer else { return }
        // The stubs are emitted first after every reset; re-emitting them measures their size.
        observer.jitEmittedStubs(host: cache.start, size: Stubs.emit(at: cache.start, returnAddress: returnAddressRegister).code.count)
    }

    /// Called by `resetCache` before it forgets the blocks: keeps what a dump needs of them.
    func cacheWillReset() {
        guard options.countBlockExecutions else { return }
        instrumentation.retired += currentBlockInfos(flushed: true)
        instrumentation.forgetCounters()
    }

    /// Called by `resetCache` once the stubs are back in the cache.
    func cacheDidReset() { announceStubs() }

    /// The execution counter for the block about to be translated (nil unless counting).
    func nextExecutionCounter() -> UnsafeMutablePointer<UInt64>? {
        options.countBlockExecutions ? instrumentation.allocateCounter() : nil
    }

    /// Called once a block from the persistent cache is in the cache (never while counting:
    /// counting runs do not use that cache).
    func savedBlockInstalled(start: UInt64, highestEnd: UInt64, host: UInt64, size: Int) {
        instrumentation.observer?.jitTranslated(guestStart: start, guestEnd: highestEnd, host: host, size: size)
    }

    /// Called by `install` once a block's code is in the cache.
    func blockInstalled(_ guest: GuestBlock, host: UInt64, code: TranslatedBlock, counter: UnsafeMutablePointer<UInt64>?) {
        if options.countBlockExecutions {
            instrumentation.records[host] = BlockRecord(guest: guest, instructionStarts: code.instructionStarts,
                                                        coldStart: code.coldStart, counter: counter, order: instrumentation.nextOrder)
            instrumentation.nextOrder += 1
        }
        instrumentation.observer?.jitTranslated(guestStart: guest.start, guestEnd: guest.highestEnd, host: host, size: code.code.count)
    }
}

/// What a translated block's record keeps for `translatedBlocks()` (only while counting).
struct BlockRecord {
    var guest: GuestBlock
    var instructionStarts: [Int]
    var coldStart: Int
    var counter: UnsafeMutablePointer<UInt64>?
    /// Translation order across the whole run.
    var order: Int
}

/// The JIT's hooks for tools (observer, execution counters, block records). Idle unless asked for.
final class Instrumentation {
    var observer: JITObserver?
    var records: [UInt64: BlockRecord] = [:]
    /// Blocks dropped by cache flushes, as they were just before.
    var retired: [BlockInfo] = []
    var nextOrder = 0
    /// Counters live in chunks that never move: translated code has their addresses baked in.
    private var chunks: [UnsafeMutablePointer<UInt64>] = []
    private var usedInLast = Instrumentation.chunkSize
    private static let chunkSize = 1024

    deinit { for c in chunks { c.deallocate() } }

    func allocateCounter() -> UnsafeMutablePointer<UInt64> {
        if usedInLast == Instrumentation.chunkSize {
            chunks.append(.allocate(capacity: Instrumentation.chunkSize))
            usedInLast = 0
        }
        let p = chunks[chunks.count - 1] + usedInLast
        p.initialize(to: 0)
        usedInLast += 1
        return p
    }

    /// After a flush no code refers to the counters any more.
    func forgetCounters() {
        for c in chunks { c.deallocate() }
        chunks = []
        usedInLast = Instrumentation.chunkSize
        records.removeAll(keepingCapacity: true)
    }
}

extension Translator {
    /// `trapeze dump`'s "ran N times": one increment per entry that got past the budget check.
    /// rcx and the flags are free at block entry (every way in is a jump).
    mutating func countExecution(_ counter: UInt64) {
        a.mov(.rcx, imm: Int64(bitPattern: counter))
        a.add(.qword(.rcx, 0), imm: 1)
    }
}
