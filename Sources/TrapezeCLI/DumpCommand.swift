import ArgumentParser
import JIT
import Linux
import Trapeze

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Run a riscv64 program on the JIT, then print every block it translated.",
        discussion: """
            Each block shows its guest range and symbol, the guest instructions beside the x86-64 \
            code they became, its exits (chained or not) and how often it ran. The dump goes to \
            stdout (or to --output); while it goes to stdout, the guest's own stdout is sent to \
            stderr, so the two never mix (a `| jq` on --json works). The exit status is the \
            guest's, as for `trapeze run`.

            `trapeze dump --system [trapeze system's options] [ELF]` runs a whole machine on the JIT \
            instead and lists its blocks with their virtual and physical addresses and the privilege \
            level each was translated for (--pc matches either address).
            """)

    @Flag(help: "Dump a whole machine's blocks (takes trapeze system's options; see the discussion below).")
    var system = false

    @Option(help: ArgumentHelp("Only blocks whose guest range holds ADDR (hex with 0x, or decimal).", valueName: "addr"))
    var pc: String?

    @Option(help: "At most N blocks, in translation order.")
    var limit: Int?

    @Flag(help: "One JSON object per block and line (schema in the README).")
    var json = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write the dump to FILE instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The hart's extensions: rv64gc, rva20, rva22, rva23s or an ISA string (default: all Trapeze implements).", valueName: "cpu"))
    var cpu: String?

    @Option(name: [.customShort("L"), .long], help: "Directory to find the dynamic linker and libraries in.")
    var sysroot: String?

    @Option(name: .customLong("max-insns"), help: "Stop the guest after N instructions (exit status 124), then dump.")
    var maxInstructions: UInt64?

    @Flag(name: .customLong("no-chain"), help: "Do not chain translated blocks.")
    var noChain = false

    @Argument(help: "The riscv64 program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func validate() throws {
        if let pc, DumpCommand.parseAddress(pc) == nil { throw ValidationError("--pc wants an address such as 0x100b0, got '\(pc)'") }
        if let limit, limit < 0 { throw ValidationError("--limit wants a count, got \(limit)") }
    }

    /// Renders the JIT's blocks and writes them to `output`, or to stdout when there is none
    /// (shared by the user-mode and `--system` dumps).
    static func emit(_ jit: JIT?, symbols: GuestSymbols, options: DumpOptions, output: String?) throws {
        let text = BlockDump.lines(jit?.translatedBlocks() ?? [], symbols: symbols, hostNames: jit?.hostNames() ?? [:],
                                   options: options).map { $0 + "\n" }.joined()
        guard let output else { return HostIO.output(text) }
        guard HostIO.createFile(output, contents: text) else {
            report("cannot write \(output)")
            throw GuestExit(status: 1)
        }
    }

    static func parseAddress(_ text: String) -> UInt64? {
        let t = text.lowercased()
        return t.hasPrefix("0x") ? UInt64(t.dropFirst(2), radix: 16) : UInt64(t)
    }

    func run() throws {
        var engine = EngineSettings(kind: .jit, chaining: !noChain, maxInstructions: maxInstructions)
        engine.countBlockExecutions = true
        var configuration = RunConfiguration(program: program, arguments: guestArguments(arguments), sysroot: sysroot, engine: engine)
        configuration.cpu = try parseCPU(cpu)
        let guest = try loadGuest(configuration)
        let status = output == nil ? HostIO.withStandardOutputOnError { guest.run() } : guest.run()
        try DumpCommand.emit(guest.engine as? JIT, symbols: guest.symbols,
                             options: DumpOptions(pc: pc.flatMap(DumpCommand.parseAddress), limit: limit, json: json), output: output)
        try finish(status, guest, maxInstructions: maxInstructions)
    }
}
