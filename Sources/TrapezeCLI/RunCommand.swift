import ArgumentParser
import Foundation
import Guest
import JIT
import Trapeze

extension EngineKind: ExpressibleByArgument {}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a riscv64 Linux program.",
        discussion: """
            The exit status is the guest's: its exit code, or 128+N when the guest dies of signal N. \
            Trapeze's own errors print one line starting with `trapeze:` on stderr \
            (127: program not found; 126: not a runnable riscv64 ELF).
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

    @Flag(help: "Print engine statistics (instructions, blocks, exits, chaining, translation time) on stderr at exit.")
    var stats = false

    @Option(name: .customLong("jit-cache-size"), help: "JIT code cache size in bytes (K/M/G suffixes); a full cache is flushed and refilled.")
    var jitCacheSize: String = "64M"

    @Flag(name: .customLong("no-chain"), help: "Do not chain translated blocks (every block exit returns to the dispatcher).")
    var noChain = false

    @Option(help: ArgumentHelp("argv[0] for the guest (used when a guest execve re-runs Trapeze).", visibility: .hidden))
    var argv0: String?

    @Argument(help: "The riscv64 program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func run() throws {
        var args = arguments
        if args.first == "--" { args.removeFirst() }
        var config = RunConfiguration(program: program, arguments: args, argv0: argv0, sysroot: sysroot,
                                      engine: engine, strace: strace, maxInstructions: maxInstructions)
        guard let cacheBytes = parseSize(jitCacheSize) else {
            throw ValidationError("--jit-cache-size: expected a size such as 65536, 512K or 64M")
        }
        config.jit = JITOptions(cacheSize: cacheBytes, chaining: !noChain)
        config.stats = stats
        let guest: GuestRun
        do {
            guest = try GuestRun(config)
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
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
        if status == .instructionLimit {
            report("stopped after \(maxInstructions ?? 0) instructions (--max-insns) at pc 0x\(String(guest.hart.state.pc, radix: 16))")
        }
        throw GuestExit(status: status.processStatus)
    }
}

/// Parses a byte count with an optional K, M or G suffix (powers of 1024).
func parseSize(_ text: String) -> Int? {
    var digits = text.uppercased()
    var scale = 1
    if let last = digits.last, let s = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30][String(last)] {
        scale = s
        digits.removeLast()
    }
    guard let n = Int(digits), n > 0, n <= Int.max / scale else { return nil }
    return n * scale
}
