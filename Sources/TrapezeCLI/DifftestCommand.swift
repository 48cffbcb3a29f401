import ArgumentParser
import Guest
import Trapeze

struct DifftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "difftest",
        abstract: "Run a riscv64 program on the JIT and the interpreter in lockstep, block by block.",
        discussion: """
            After every guest block, pc, all x and f registers, fcsr, instret and every memory byte \
            the block wrote must agree; each system call runs once. At the first divergence the \
            block, the first instruction that differs and every differing location are printed on \
            stderr and the exit status is 1. Otherwise the exit status is the guest's.

            `trapeze difftest --system [trapeze system's options] [--interval N] [--memory-check N] [ELF]` \
            runs a whole machine twice instead, on the interpreter and on the JIT, both under --icount, \
            compares them every N instructions (default 10000; all of RAM every --memory-check \
            comparisons, default 64) and names the first instruction after which they differ.
            """)

    @Flag(help: "Lockstep a whole machine (takes trapeze system's options; see the discussion below).")
    var system = false

    @Option(help: "The engine checked against the interpreter: jit or interp.")
    var engine: EngineKind = .jit

    @Option(help: ArgumentHelp("The hart's extensions: rv64gc, rva20, rva22, rva23s or an ISA string (default: all Trapeze implements).", valueName: "cpu"))
    var cpu: String?

    @Option(name: [.customShort("L"), .long], help: "Directory to find the dynamic linker and libraries in.")
    var sysroot: String?

    @Option(name: .customLong("max-insns"), help: "Stop after N guest instructions (exit status 124).")
    var maxInstructions: UInt64?

    @Option(name: .customLong("memory-check"), help: "Compare all writable guest memory every N blocks (0: never).")
    var memoryCheck: Int = 4096

    @Option(name: .customLong("inject-fault"), help: ArgumentHelp(
        "Test only: corrupt the result of every instruction with this mnemonic in the checked engine.", visibility: .hidden))
    var injectFault: String?

    @Argument(help: "The riscv64 program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func run() throws {
        let fault = try parseFault(injectFault)
        var configuration = RunConfiguration(program: program, arguments: guestArguments(arguments), sysroot: sysroot, engine: EngineSettings(kind: engine))
        configuration.cpu = try parseCPU(cpu)
        let guest = try loadGuest(configuration)
        let options = DifftestOptions(engine: engine, fault: fault, maxInstructions: maxInstructions,
                                      memoryCheckInterval: max(0, memoryCheck))
        let result = Difftest(guest, options: options).run()
        if let divergence = result.divergence {
            // One `trapeze:` line, then the dump.
            HostIO.error("trapeze: " + divergence.report.joined(separator: "\n") + "\n")
            throw GuestExit(status: 1)
        }
        report("difftest: \(engine.rawValue) and interp agree: \(result.blocks) blocks, \(result.instructions) instructions")
        // A guest killed by a signal kills Trapeze the same way, as `run` does (its parent may be
        // a guest waiting for it).
        if case .killed(let signal)? = result.status { throw GuestKilled(signal: signal) }
        throw GuestExit(status: result.status?.processStatus ?? 1)
    }
}
