import ArgumentParser
import Trapeze

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run random RV64GC instruction sequences on two engines and compare the results.",
        discussion: """
            Each case is a random sequence (every extension, compressed forms, loads, stores and \
            atomics inside a sandbox, forward branches, ending in ebreak) run from the same random \
            registers and memory on both engines. The first disagreement is minimised and printed \
            as assembly with both final states; the exit status is then 1.

            With --system, each case is instead a random privileged program (CSR accesses and \
            their WARL fields, traps and delegation, mret/sret between U, S and M, satp and \
            sfence.vma over small page tables, loads and stores that fault, FP with mstatus.FS) \
            run on a whole machine by the interpreter and the JIT in lockstep under --icount; \
            the first divergence is reported with the instruction, its privilege and the state \
            that differs.
            """)

    @Option(help: "The first case's seed (case i uses seed + i).")
    var seed: UInt64 = 1

    @Option(help: "How many random sequences to run.")
    var count: Int = 1000

    @Option(help: "Instructions per sequence (with --system: random items per program, default 64).")
    var length: Int?

    @Flag(help: "Random privileged programs on a whole machine, interpreter and JIT in lockstep.")
    var system = false

    @Flag(help: "With --system: programs with loops of loads and stores off a base moved each time round.")
    var loops = false

    @Option(name: .customLong("save-elf"), help: ArgumentHelp(
        "With --system: write the first seed's program as a bare-metal ELF to this file (for trapeze system --trace) and exit.",
        valueName: "file"))
    var saveELF: String?

    @Option(help: ArgumentHelp(
        "With --system: compare the two machines every N instructions (default 64); the engines must agree whatever N is.",
        valueName: "n"))
    var interval: UInt64?

    @Option(help: "The two engines to compare, comma-separated.")
    var engines: String = "jit,interp"

    @Option(help: ArgumentHelp("Draw from this hart's instructions only, and run as it: rv64gc, rva20, rva22, rva23s or an ISA string (default: every extension).", valueName: "cpu"))
    var cpu: String?

    @Option(name: .customLong("inject-fault"), help: ArgumentHelp(
        "Test only: corrupt the result of every instruction with this mnemonic in the second engine.", visibility: .hidden))
    var injectFault: String?

    func run() throws {
        if system { return try runSystem() }
        guard interval == nil else { throw ValidationError("--interval applies with --system only") }
        guard !loops else { throw ValidationError("--loops applies with --system only") }
        let length = self.length ?? 24
        let kinds = engines.split(separator: ",").map { EngineKind(rawValue: String($0)) }
        guard kinds.count == 2, let a = kinds[0], let b = kinds[1] else {
            throw ValidationError("--engines: expected two of \(EngineKind.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated")
        }
        let fuzzer = Fuzzer(a, b, fault: try parseFault(injectFault))
        fuzzer.cpu = try parseCPU(cpu)
        let summary = fuzzer.run(seed: seed, count: count, length: length)
        if let failure = summary.failure {
            print(failure.report.joined(separator: "\n"))
            throw GuestExit(status: 1)
        }
        print("fuzz: \(fuzzer.names.0) and \(fuzzer.names.1) agree on \(summary.cases) sequences (seeds \(seed)...\(seed &+ UInt64(max(0, count - 1))))")
    }

    func runSystem() throws {
        guard engines == "jit,interp" || engines == "interp,jit" else {
            throw ValidationError("--system compares the interpreter and the JIT: --engines does not apply")
        }
        guard cpu == nil else { throw ValidationError("--system: --cpu does not apply") }
        var fuzzer = SystemFuzzer(length: length ?? 64, fault: try parseFault(injectFault))
        fuzzer.loops = loops
        if let interval {
            guard interval > 0 else { throw ValidationError("--interval: expected a positive number of instructions") }
            fuzzer.interval = interval
        }
        if let saveELF {
            guard SystemFuzzProgram(seed: seed, length: fuzzer.length, loops: loops).write(to: saveELF) else {
                throw ValidationError("--save-elf: cannot write \(saveELF)")
            }
            return
        }
        let summary = fuzzer.run(seed: seed, count: count)
        if let failure = summary.failure {
            print("fuzz --system: interp and jit disagree on seed \(failure.seed) (reproduce with --system --seed \(failure.seed) --count 1)")
            print(failure.report.joined(separator: "\n"))
            throw GuestExit(status: 1)
        }
        print("fuzz --system: jit and interp agree on \(summary.cases) programs (seeds \(seed)...\(seed &+ UInt64(max(0, count - 1))))")
    }
}
