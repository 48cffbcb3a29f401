#if canImport(Glibc)
import Glibc
#endif
import Guest
import JIT
import Linux
import RISCV

/// Everything `trapeze run` needs to start one guest program.
public struct RunConfiguration: Sendable {
    public var program: String
    /// The guest's arguments after argv[0].
    public var arguments: [String]
    /// argv[0] as the guest sees it (defaults to `program`).
    public var argv0: String?
    public var environment: [String]
    public var sysroot: String?
    /// The engine and how it runs (`--engine`, `--max-insns`, `--timeout`, `--stats`, ...).
    public var engine: EngineSettings
    public var strace: Bool
    /// `--memory-limit`, `--max-processes`.
    public var limits: GuestLimits
    /// `--sandbox`, with its `--allow-path` and `--allow-net`.
    public var sandbox: SandboxPolicy?
    /// Started by binfmt_misc: execve of a riscv64 program goes through the kernel (and binfmt_misc).
    public var execThroughKernel = false
    /// `--cpu`: the extensions the guest's harts have.
    public var cpu: CPUModel = .all

    public init(program: String, arguments: [String] = [], argv0: String? = nil,
                environment: [String] = RunConfiguration.hostEnvironment(),
                sysroot: String? = nil, engine: EngineSettings = EngineSettings(), strace: Bool = false,
                limits: GuestLimits = GuestLimits()) {
        self.program = program
        self.arguments = arguments
        self.argv0 = argv0
        self.environment = environment
        self.sysroot = sysroot
        self.engine = engine
        self.strace = strace
        self.limits = limits
    }

    /// Trapeze's own environment, passed on to the guest the way qemu-riscv64 does.
    public static func hostEnvironment() -> [String] {
        HostIO.environment()
    }

    /// The sysroot: the explicit one, else `TRAPEZE_SYSROOT`, else `/usr/riscv64-linux-gnu` if present.
    public var resolvedSysroot: String? {
        sysroot ?? SysrootPath.defaultSysroot(environment: HostIO.variable("TRAPEZE_SYSROOT").map { ["TRAPEZE_SYSROOT": $0] } ?? [:])
    }
}

/// A loaded guest, ready to run: its hart, memory and Linux process, wired to the configured
/// engine through `EngineRun`.
public final class GuestRun {
    public let configuration: RunConfiguration
    public let memory: GuestMemory
    public let hart: Hart
    public let process: LinuxProcess
    /// The run ended because `--timeout` expired (`run()` then returns `.instructionLimit`).
    public var timedOut: Bool { engineRun?.timedOut ?? false }
    /// The engine of the last `run()` (for tools that inspect it afterwards, like `trapeze dump`).
    public var engine: (any Engine)? { engineRun?.engine }
    private var engineRun: EngineRun?
    /// The persistent translation cache (`--jit-cache-dir`), shared by the process's engines.
    public let translationStore: TranslationStore?

    /// Loads the program. Loader problems become a `TrapezeError` with a one-line message.
    public init(_ configuration: RunConfiguration) throws(TrapezeError) {
        self.configuration = configuration
        try GuestRun.checkFile(configuration.program)
        memory = GuestMemory()
        hart = Hart(memory: memory)
        hart.cpu = configuration.cpu
        var options = LinuxOptions(program: configuration.program,
                                   arguments: [configuration.argv0 ?? configuration.program] + configuration.arguments,
                                   environment: configuration.environment,
                                   sysroot: configuration.resolvedSysroot,
                                   strace: configuration.strace, limits: configuration.limits,
                                   sandbox: configuration.sandbox)
        options.execThroughKernel = configuration.execThroughKernel
        do {
            process = try LinuxProcess(hart: hart, options: options)
        } catch {
            throw TrapezeError(error.description, status: 126)
        }
        let store = TranslationCacheKey.store(configuration, program: process.program.main.elf)
        translationStore = store
        if let store { process.willExec = { store.save() } }
        let threads = process.threads
        process.reexecCommand = GuestRun.reexecCommand(configuration, started: Hart.hostNanoseconds(), retired: { threads.retired })
        // Every guest thread gets an engine of its own (its own code cache: README "Threads").
        let settings = configuration.engine
        process.prepareForThreads = { JIT.prepareForThreads() }
        process.threadRunner = { [weak self] hart in
            let engine = settings.makeEngine(store: store)
            // One perf map per process: a thread's code is named in the leader's file.
            if let map = (self?.engineRun?.engine as? JIT)?.observer, let jit = engine as? JIT { jit.observer = map }
            return GuestRun.runThread(hart, engine, limit: settings.maxInstructions, threads: threads)
        }
    }

    /// Distinguishes "does not exist" (127) and "is a directory" (126) before the loader runs.
    public static func checkFile(_ path: String) throws(TrapezeError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw TrapezeError("\(path): no such file or directory", status: 127)
        }
        if st.st_mode & S_IFMT == S_IFDIR { throw TrapezeError("\(path): is a directory", status: 126) }
        guard access(path, R_OK) == 0 else {
            throw TrapezeError("\(path): permission denied", status: 126)
        }
    }

    /// How a guest `execve` re-runs Trapeze on the new program, keeping this run's options.
    /// `retired` says how many instructions this process has run: `--max-insns` is one budget.
    static func reexecCommand(_ c: RunConfiguration, started: UInt64 = 0,
                              retired: @escaping () -> UInt64 = { 0 }) -> (String, [String], [String]) -> [String] {
        { path, argv, _ in
            var cmd = ["trapeze", "run", "--engine", c.engine.kind.rawValue, "--jit-cache-size", String(c.engine.cacheSize)]
            if !c.engine.chaining { cmd.append("--no-chain") }
            if let d = c.engine.jitCacheDirectory { cmd += ["--jit-cache-dir", d] }
            if !c.cpu.isAll { cmd += ["--cpu", c.cpu.name] }
            if let s = c.sysroot { cmd += ["--sysroot", s] }
            if c.strace { cmd.append("--strace") }
            if c.engine.perfMap { cmd.append("--perf-map") }
            // Limits survive execve; the new program gets what is left of the time.
            if let t = c.engine.timeout {
                let left = max(0, t - Double(Hart.hostNanoseconds() &- started) / 1e9)
                cmd += ["--timeout", String(left)]
            }
            if let m = c.limits.memoryBytes { cmd += ["--memory-limit", String(m)] }
            if let p = c.limits.processes { cmd += ["--max-processes", String(p)] }
            if let sandbox = c.sandbox {
                cmd.append("--sandbox")
                for p in sandbox.allowedPaths { cmd += ["--allow-path", p.directory + (p.writable ? "" : ":ro")] }
                if sandbox.allowNetwork { cmd.append("--allow-net") }
            }
            if let n = c.engine.maxInstructions {
                let done = retired()
                cmd += ["--max-insns", String(n > done ? n - done : 0)]
            }
            // One word, so an argv[0] starting with '-' (a login shell's) is not read as a flag.
            cmd += ["--argv0=" + (argv.first ?? path), "--", path]
            return cmd + argv.dropFirst()
        }
    }

    /// Runs a thread other than the leader. `--max-insns` is one budget for all threads: the
    /// thread runs in slices and stops the process once all threads together used it up.
    static func runThread(_ hart: Hart, _ engine: any Engine, limit: UInt64?, threads: ThreadGroup) -> ExitStatus {
        guard let limit else { return engine.run(hart, maxInstructions: nil) }
        return EngineRun.run(engine, hart, limit: limit, used: { threads.retired })
    }

    /// Runs `body` with the host set up as `run` sets it up (host signals forwarded to the guest,
    /// the process slot freed at the end): for tools that drive the hart themselves (`--trace`,
    /// `difftest`).
    public func hosted<T>(_ body: () -> T) -> T {
        defer { process.accounting.processEnded() }
        process.signals.installHostHandlers()
        defer { process.signals.uninstallHostHandlers() }
        return body()
    }

    /// Writes the translations this process made to the persistent cache, if there is one.
    public func saveTranslations() { translationStore?.save() }

    /// Runs the guest to completion on the configured engine.
    public func run() -> ExitStatus {
        // Only the perf map names code: reading and sorting the ELF symbols costs a plain run
        // about 2% of a short program's start-up.
        let run = EngineRun(configuration.engine, symbols: configuration.engine.perfMap ? symbols : GuestSymbols(tables: []),
                            store: translationStore)
        let threads = process.threads
        run.retiredInstructions = { _ in threads.retired }
        run.sharedBudget = { threads.retired }
        engineRun = run
        let status = hosted { run.run(hart) }
        // Whatever ended the leader ends the other threads.
        process.threads.leaderReturned(status)
        return status
    }
}
