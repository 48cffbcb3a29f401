import ArgumentParser
import Guest
import Linux
import Trapeze

/// Everything `trapeze run` was asked to do, as plain values: what both of its parsers produce
/// (swift-argument-parser's `RunCommand`, and `RunLine`'s fast path for plain command lines).
public struct RunSettings: Equatable, Sendable {
    public var engine: EngineKind = .default
    /// `--cpu`: nil for every extension Trapeze implements.
    public var cpu: String?
    public var sysroot: String?
    public var strace = false
    public var maxInstructions: UInt64?
    public var trace = false
    public var traceFile: String?
    public var timeout: Double?
    public var memoryLimit: String?
    public var maxProcesses: Int?
    public var stats = false
    public var sandbox = false
    public var allowPaths: [String] = []
    public var allowNet = false
    public var jitCacheSize = "64M"
    /// `--jit-cache-dir`: the persistent translation cache (else TRAPEZE_JIT_CACHE_DIR).
    public var jitCacheDir: String?
    public var noChain = false
    /// `--no-interpret-first`: translate code the first time it runs (`JITOptions.interpretFirst`).
    public var noInterpretFirst = false
    public var perfMap = false
    public var argv0: String?
    /// `--gdb PORT`: serve gdb on this loopback port.
    public var gdbPort: UInt16?
    /// Started by binfmt_misc: a guest execve of a riscv64 program goes through the kernel again.
    public var execThroughKernel = false
    /// Started by binfmt_misc with `--log FILE` in its options: FILE also gets a line when the
    /// process, or a forked child of it, ends (`BinfmtLaunch.logExit`).
    public var exitLog: String?
    public var program: String
    /// The guest's arguments after argv[0].
    public var arguments: [String] = []

    public init(program: String) { self.program = program }

    /// The guest of this `run`, kept until Trapeze exits: tearing its memory, code cache and
    /// tables down piece by piece would only delay an exit that frees them all at once.
    nonisolated(unsafe) private static var finishedGuest: GuestRun?

    /// The checks `RunCommand.validate()` makes; a failure is a command-line error.
    func validate() throws {
        if let t = timeout, !(t >= 0 && t.isFinite) { throw ValidationError("--timeout wants a number of seconds, got \(t)") }
        if let m = memoryLimit, GuestLimits.parseSize(m) == nil { throw ValidationError("--memory-limit wants a size such as 4096, 64K, 256M or 2G, got '\(m)'") }
        _ = try parseCPU(cpu)
        if let p = maxProcesses, p < 1 { throw ValidationError("--max-processes wants at least 1, got \(p)") }
        if !sandbox && (!allowPaths.isEmpty || allowNet) { throw ValidationError("--allow-path and --allow-net go with --sandbox") }
        for p in allowPaths where SandboxPolicy.AllowedPath(argument: p) == nil {
            throw ValidationError("--allow-path wants an existing directory, optionally with :ro, got '\(p)'")
        }
        if gdbPort != nil, trace || traceFile != nil || timeout != nil || maxInstructions != nil {
            throw ValidationError("--gdb cannot be combined with --trace, --trace-file, --timeout or --max-insns")
        }
    }

    /// `--jit-cache-size` in bytes, or nil when it is not a positive size.
    var cacheBytes: Int? {
        GuestLimits.parseSize(jitCacheSize).flatMap { Int(exactly: $0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Runs the guest; ends by throwing `GuestExit` or `GuestKilled` with its outcome.
    func execute() throws {
        guard let cacheBytes else {
            throw ValidationError("--jit-cache-size: expected a size such as 65536, 512K or 64M")
        }
        var settings = EngineSettings(kind: engine, cacheSize: cacheBytes, chaining: !noChain,
                                      maxInstructions: maxInstructions, timeout: timeout)
        settings.stats = stats
        settings.perfMap = perfMap
        if noInterpretFirst { settings.interpretFirst = false }
        // A setuid start (AT_SECURE) ignores TRAPEZE_* variables, as binfmt's config does.
        let secure = (HostAuxv.value(HostAuxv.secure) ?? 0) != 0
        settings.jitCacheDirectory = jitCacheDir ?? (secure ? nil : HostIO.variable("TRAPEZE_JIT_CACHE_DIR").flatMap { $0.isEmpty ? nil : $0 })
        var config = RunConfiguration(program: program, arguments: arguments, argv0: argv0, sysroot: sysroot,
                                      engine: settings, strace: strace,
                                      limits: GuestLimits(memoryBytes: memoryLimit.flatMap(GuestLimits.parseSize), processes: maxProcesses))
        config.execThroughKernel = execThroughKernel
        config.cpu = try parseCPU(cpu)
        if sandbox {
            config.sandbox = SandboxPolicy(allowedPaths: allowPaths.compactMap(SandboxPolicy.AllowedPath.init(argument:)), allowNetwork: allowNet)
            // The limits are on by default for code nobody vouches for.
            if config.limits.memoryBytes == nil { config.limits.memoryBytes = SandboxPolicy.defaultMemory }
            if config.limits.processes == nil { config.limits.processes = SandboxPolicy.defaultProcesses }
        }
        let guest = try loadGuest(config)
        RunSettings.finishedGuest = guest
        let status: ExitStatus
        if let port = gdbPort {
            do { status = try GDBStub.run(guest, port: port) } catch {
                report(error.message)
                throw GuestExit(status: error.status)
            }
        } else if trace || traceFile != nil {
            guard let output = TraceOutput(path: traceFile) else {
                report("\(traceFile ?? ""): cannot create trace file")
                throw GuestExit(status: 1)
            }
            status = Tracer(guest, emit: output.write, flush: output.flush).run(maxInstructions: maxInstructions)
            output.flush()
        } else {
            status = guest.run()
            guest.saveTranslations()
            if let exitLog { BinfmtLaunch.logExit(exitLog, guest) }
        }
        if guest.timedOut, let seconds = timeout {
            report(TimedRun.message(seconds: seconds, guest.hart))
            throw GuestExit(status: status.processStatus)
        }
        try finish(status, guest, maxInstructions: maxInstructions)
    }
}
