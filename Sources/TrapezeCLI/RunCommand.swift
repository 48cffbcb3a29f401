import ArgumentParser
import Foundation
import Guest
import JIT
import Linux
import Trapeze

extension EngineKind: ExpressibleByArgument {}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a riscv64 Linux program.",
        discussion: """
            The exit status is the guest's: its exit code, or 128+N when the guest dies of signal N. \
            Trapeze's own errors print one line starting with `trapeze:` on stderr \
            (127: program not found; 126: not a runnable riscv64 ELF; 124: --max-insns or --timeout ran out).
            """)

    @Option(help: "Execution engine: jit or interp.")
    var engine: EngineKind = .default

    @Option(name: [.customShort("L"), .long], help: "Directory to find the dynamic linker and libraries in (env TRAPEZE_SYSROOT; default /usr/riscv64-linux-gnu).")
    var sysroot: String?

    @Flag(help: "Print every system call with its arguments and result on stderr.")
    var strace = false

    @Option(name: .customLong("max-insns"), help: "Stop after N guest instructions (exit status 124).")
    var maxInstructions: UInt64?

    @Flag(help: "Print one line per executed guest instruction (pc, encoding, disassembly, symbol, effects) on stderr.")
    var trace = false

    @Option(name: .customLong("trace-file"), help: "Write the --trace lines to this file instead (implies --trace).")
    var traceFile: String?

    @Option(help: ArgumentHelp("Stop the guest after SECONDS of wall-clock time (exit status 124).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Most bytes of guest memory (K/M/G suffixes); mmap and brk beyond fail with ENOMEM.", valueName: "size"))
    var memoryLimit: String?

    @Option(name: .customLong("max-processes"), help: ArgumentHelp("Most guest processes alive at once, the first included; fork beyond fails with EAGAIN.", valueName: "n"))
    var maxProcesses: Int?

    @Flag(help: "Print engine statistics (instructions, blocks, exits, chaining, translation time) on stderr at exit.")
    var stats = false

    @Option(name: .customLong("jit-cache-size"), help: "JIT code cache size in bytes (K/M/G suffixes); a full cache is flushed and refilled.")
    var jitCacheSize: String = "64M"

    @Flag(name: .customLong("no-chain"), help: "Do not chain translated blocks (every block exit returns to the dispatcher).")
    var noChain = false

    @Flag(name: .customLong("perf-map"), help: "Write /tmp/perf-PID.map so `perf report` names JIT code by guest address and symbol.")
    var perfMap = false

    @Option(help: ArgumentHelp("argv[0] for the guest (used when a guest execve re-runs Trapeze).", visibility: .hidden))
    var argv0: String?

    @Argument(help: "The riscv64 program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func validate() throws {
        if let t = timeout, !(t >= 0 && t.isFinite) { throw ValidationError("--timeout wants a number of seconds, got \(t)") }
        if let m = memoryLimit, GuestLimits.parseSize(m) == nil { throw ValidationError("--memory-limit wants a size such as 4096, 64K, 256M or 2G, got '\(m)'") }
        if let p = maxProcesses, p < 1 { throw ValidationError("--max-processes wants at least 1, got \(p)") }
    }

    func run() throws {
        var config = RunConfiguration(program: program, arguments: guestArguments(arguments), argv0: argv0, sysroot: sysroot,
                                      engine: engine, strace: strace, maxInstructions: maxInstructions, timeout: timeout,
                                      limits: GuestLimits(memoryBytes: memoryLimit.flatMap(GuestLimits.parseSize), processes: maxProcesses))
        guard let cacheBytes = GuestLimits.parseSize(jitCacheSize).flatMap({ Int(exactly: $0) }), cacheBytes > 0 else {
            throw ValidationError("--jit-cache-size: expected a size such as 65536, 512K or 64M")
        }
        config.jit = JITOptions(cacheSize: cacheBytes, chaining: !noChain)
        config.jit.countIndirectHits = stats
        config.stats = stats
        config.perfMap = perfMap
        let guest = try loadGuest(config)
        let status: ExitStatus
        if trace || traceFile != nil {
            guard let output = TraceOutput(path: traceFile) else {
                report("\(traceFile ?? ""): cannot create trace file")
                throw GuestExit(status: 1)
            }
            status = Tracer(guest, emit: output.write, flush: output.flush).run(maxInstructions: maxInstructions)
            output.flush()
        } else {
            status = guest.run()
        }
        if guest.timedOut, let seconds = timeout {
            report(TimedRun.message(seconds: seconds, guest.hart))
            throw GuestExit(status: status.processStatus)
        }
        try finish(status, guest, maxInstructions: maxInstructions)
    }
}
