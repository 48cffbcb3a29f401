import Guest
import JIT

/// Which engine to build and how to drive a run on it: what the commands ask for on their
/// command lines, whatever environment the hart runs in.
public struct EngineSettings: Equatable, Sendable {
    public var kind: EngineKind
    /// `--jit-cache-size`: bytes of host code before the JIT flushes its cache.
    public var cacheSize: Int
    /// `--no-chain` clears it.
    public var chaining: Bool
    /// Count each translated block's executions (`trapeze dump`).
    public var countBlockExecutions = false
    /// `--max-insns`.
    public var maxInstructions: UInt64?
    /// `--timeout`: wall-clock seconds before the run stops with status 124.
    public var timeout: Double?
    /// `--stats`: print engine statistics on stderr when the guest stops.
    public var stats = false
    /// `--perf-map`: write `/tmp/perf-PID.map` naming the JIT's code for `perf report`.
    public var perfMap = false
    /// `--jit-cache-dir`: where the JIT keeps translations for later runs (TranslationStore).
    public var jitCacheDirectory: String?
    /// Tests: where system mode's translation epochs start (`JITOptions.systemEpochStart`).
    public var systemEpochStart: UInt32 = 0
    /// User mode: interpret the first run of code before translating it
    /// (`JITOptions.interpretFirst`; `TRAPEZE_JIT_INTERPRET_FIRST=0` turns it off).
    public var interpretFirst = JITOptions.interpretFirstDefault

    public init(kind: EngineKind = .default, cacheSize: Int = JITOptions.defaultCacheSize, chaining: Bool = true,
                maxInstructions: UInt64? = nil, timeout: Double? = nil) {
        self.kind = kind
        self.cacheSize = cacheSize
        self.chaining = chaining
        self.maxInstructions = maxInstructions
        self.timeout = timeout
    }

    /// The JIT's options; `--stats` also counts the inline `jalr` table's hits.
    var jitOptions: JITOptions {
        var options = JITOptions(cacheSize: cacheSize, chaining: chaining)
        options.countBlockExecutions = countBlockExecutions
        options.countIndirectHits = stats
        options.systemEpochStart = systemEpochStart
        options.interpretFirst = interpretFirst
        return options
    }

    /// A fresh engine of this kind; the interpreter ignores the JIT's settings. `store` is the
    /// process's persistent translation cache, if it has one.
    public func makeEngine(store: TranslationStore? = nil) -> any Engine {
        var options = jitOptions
        options.translationStore = store
        return kind.make(jit: options)
    }
}
