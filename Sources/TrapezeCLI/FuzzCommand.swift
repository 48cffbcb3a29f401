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
            """)

    @Option(help: "The first case's seed (case i uses seed + i).")
    var seed: UInt64 = 1

    @Option(help: "How many random sequences to run.")
    var count: Int = 1000

    @Option(help: "Instructions per sequence.")
    var length: Int = 24

    @Option(help: "The two engines to compare, comma-separated.")
    var engines: String = "jit,interp"

    @Option(help: ArgumentHelp("Draw from this hart's instructions only, and run as it: rv64gc, rva20, rva22, rva23s or an ISA string (default: every extension).", valueName: "cpu"))
    var cpu: String?

    @Option(name: .customLong("inject-fault"), help: ArgumentHelp(
        "Test only: corrupt the result of every instruction with this mnemonic in the second engine.", visibility: .hidden))
    var injectFault: String?

    func run() throws {
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
}
