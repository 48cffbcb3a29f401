import ArgumentParser
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

    @Option(help: ArgumentHelp("The hart's extensions: rv64gc, rva20, rva22, rva23s, or an ISA string such as rv64gc_zba_zbb_zbs (default: all Trapeze implements).", valueName: "cpu"))
    var cpu: String?

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

    @Flag(help: "Run an untrusted program: no host programs, files only under the sysroot and --allow-path, /proc reduced to the guest's own, limits on by default, a seccomp filter.")
    var sandbox = false

    @Option(name: .customLong("allow-path"), help: ArgumentHelp("With --sandbox: a directory the guest may use (DIR:ro for reading only); repeatable.", valueName: "dir[:ro]"))
    var allowPaths: [String] = []

    @Flag(name: .customLong("allow-net"), help: "With --sandbox: allow network sockets.")
    var allowNet = false

    @Flag(help: "Print engine statistics (instructions, blocks, exits, chaining, translation time) on stderr at exit.")
    var stats = false

    @Option(name: .customLong("jit-cache-size"), help: "JIT code cache size in bytes (K/M/G suffixes); a full cache is flushed and refilled.")
    var jitCacheSize: String = "64M"

    @Option(name: .customLong("jit-cache-dir"),
            help: ArgumentHelp("Keep translations in DIR for later runs of the same program (also TRAPEZE_JIT_CACHE_DIR).", valueName: "dir"))
    var jitCacheDir: String?

    @Flag(name: .customLong("no-chain"), help: "Do not chain translated blocks (every block exit returns to the dispatcher).")
    var noChain = false

    @Flag(name: .customLong("no-interpret-first"),
          help: "Translate code the first time it runs (by default its first run is interpreted; only code that runs again is translated).")
    var noInterpretFirst = false

    @Flag(name: .customLong("perf-map"), help: "Write /tmp/perf-PID.map so `perf report` names JIT code by guest address and symbol.")
    var perfMap = false

    @Option(name: [.customShort("g"), .customLong("gdb")],
            help: ArgumentHelp("Wait for gdb on 127.0.0.1:PORT before the first instruction and let it debug the guest (`target remote :PORT`).", valueName: "port"))
    var gdb: UInt16?

    @Option(help: ArgumentHelp("argv[0] for the guest (used when a guest execve re-runs Trapeze).", visibility: .hidden))
    var argv0: String?

    @Argument(help: "The riscv64 program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    /// The parsed command line as plain values.
    var settings: RunSettings {
        var s = RunSettings(program: program)
        s.engine = engine
        s.cpu = cpu
        s.sysroot = sysroot
        s.strace = strace
        s.maxInstructions = maxInstructions
        s.trace = trace
        s.traceFile = traceFile
        s.timeout = timeout
        s.memoryLimit = memoryLimit
        s.maxProcesses = maxProcesses
        s.stats = stats
        s.sandbox = sandbox
        s.allowPaths = allowPaths
        s.allowNet = allowNet
        s.jitCacheSize = jitCacheSize
        s.noChain = noChain
        s.noInterpretFirst = noInterpretFirst
        s.jitCacheDir = jitCacheDir
        s.perfMap = perfMap
        s.argv0 = argv0
        s.gdbPort = gdb
        s.arguments = guestArguments(arguments)
        return s
    }

    func validate() throws { try settings.validate() }

    func run() throws { try settings.execute() }
}
