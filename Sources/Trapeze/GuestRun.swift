import Foundation
import Guest
import JIT
import Linux

/// Everything `trapeze run` needs to start one guest program.
public struct RunConfiguration: Sendable {
    public var program: String
    /// The guest's arguments after argv[0].
    public var arguments: [String]
    /// argv[0] as the guest sees it (defaults to `program`).
    public var argv0: String?
    public var environment: [String]
    public var sysroot: String?
    public var engine: EngineKind
    public var strace: Bool
    public var maxInstructions: UInt64?
    /// JIT settings (`--jit-cache-size`, `--no-chain`); ignored by the interpreter.
    public var jit: JITOptions = JITOptions()
    /// Print engine statistics on stderr when the guest stops.
    public var stats: Bool = false

    public init(program: String, arguments: [String] = [], argv0: String? = nil,
                environment: [String] = RunConfiguration.hostEnvironment(),
                sysroot: String? = nil, engine: EngineKind = .default, strace: Bool = false,
                maxInstructions: UInt64? = nil) {
        self.program = program
        self.arguments = arguments
        self.argv0 = argv0
        self.environment = environment
        self.sysroot = sysroot
        self.engine = engine
        self.strace = strace
        self.maxInstructions = maxInstructions
    }

    /// Trapeze's own environment, passed on to the guest the way qemu-riscv64 does.
    public static func hostEnvironment() -> [String] {
        ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// The sysroot: the explicit one, else `TRAPEZE_SYSROOT`, else `/usr/riscv64-linux-gnu` if present.
    public var resolvedSysroot: String? {
        sysroot ?? SysrootPath.defaultSysroot(environment: ProcessInfo.processInfo.environment)
    }
}

/// A loaded guest, ready to run: its hart, memory and Linux process.
public final class GuestRun {
    public let configuration: RunConfiguration
    public let memory: GuestMemory
    public let hart: Hart
    public let process: LinuxProcess

    /// Loads the program. Loader problems become a `TrapezeError` with a one-line message.
    public init(_ configuration: RunConfiguration) throws(TrapezeError) {
        self.configuration = configuration
        try GuestRun.checkFile(configuration.program)
        memory = GuestMemory()
        hart = Hart(memory: memory)
        let options = LinuxOptions(program: configuration.program,
                                   arguments: [configuration.argv0 ?? configuration.program] + configuration.arguments,
                                   environment: configuration.environment,
                                   sysroot: configuration.resolvedSysroot,
                                   strace: configuration.strace)
        do {
            process = try LinuxProcess(hart: hart, options: options)
        } catch {
            throw TrapezeError(error.description, status: 126)
        }
        process.reexecCommand = GuestRun.reexecCommand(configuration)
    }

    /// Distinguishes "does not exist" (127) and "is a directory" (126) before the loader runs.
    public static func checkFile(_ path: String) throws(TrapezeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TrapezeError("\(path): no such file or directory", status: 127)
        }
        if isDirectory.boolValue { throw TrapezeError("\(path): is a directory", status: 126) }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw TrapezeError("\(path): permission denied", status: 126)
        }
    }

    /// How a guest `execve` re-runs Trapeze on the new program, keeping this run's options.
    static func reexecCommand(_ c: RunConfiguration) -> (String, [String], [String]) -> [String] {
        { path, argv, _ in
            var cmd = ["trapeze", "run", "--engine", c.engine.rawValue, "--jit-cache-size", String(c.jit.cacheSize)]
            if !c.jit.chaining { cmd.append("--no-chain") }
            if let s = c.sysroot { cmd += ["--sysroot", s] }
            if c.strace { cmd.append("--strace") }
            cmd += ["--argv0", argv.first ?? path, "--", path]
            return cmd + argv.dropFirst()
        }
    }

    /// Runs the guest to completion on the configured engine.
    public func run() -> ExitStatus {
        let engine = configuration.engine.make(jit: configuration.jit)
        let start = Hart.hostNanoseconds()
        let status = engine.run(hart, maxInstructions: configuration.maxInstructions)
        if configuration.stats {
            let seconds = Double(Hart.hostNanoseconds() - start) / 1e9
            var lines = ["trapeze: engine \(configuration.engine.rawValue), exit \(status)",
                         "trapeze: guest instructions retired \(hart.state.instret) in \(String(format: "%.3f", seconds)) s (\(String(format: "%.1f", Double(hart.state.instret) / max(seconds, 1e-9) / 1e6)) MIPS)"]
            if let jit = engine as? JIT { lines.append(jit.stats.description) }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        return status
    }
}
