import ArgumentParser
import System
import Trapeze

struct SystemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Run a whole RISC-V machine laid out like QEMU's virt board.",
        discussion: """
            `trapeze system ELF` runs a bare-metal ELF at its physical addresses in M-mode, without firmware; \
            the test finisher or HTIF `tohost` gives the exit status. `--bios FILE --kernel FILE` boots \
            firmware (OpenSBI fw_dynamic) and a kernel. Errors print one `trapeze:` line \
            (64: bad options; 127: an image file does not exist; 126: an image cannot be loaded).
            """)

    @Option(help: "Execution engine: jit (the default) or interp. --trace always steps the interpreter.")
    var engine: EngineKind?

    @Option(help: ArgumentHelp("RAM size (K/M/G suffixes; a plain number is mebibytes; default 128M).", valueName: "size"))
    var memory: String?

    @Option(help: ArgumentHelp("Firmware: a raw image loaded at 0x80000000 or an ELF, or none (the default).", valueName: "file|none"))
    var bios: String?

    @Option(help: ArgumentHelp("Kernel: a RISC-V Linux Image loaded at 0x80200000, or an ELF; needs --bios.", valueName: "file"))
    var kernel: String?

    @Option(help: ArgumentHelp("Initial ramdisk, placed high in RAM and named in /chosen.", valueName: "file"))
    var initrd: String?

    @Option(help: ArgumentHelp("Kernel command line (/chosen/bootargs).", valueName: "text"))
    var append: String?

    @Option(help: ArgumentHelp("Use this device tree blob instead of the generated one.", valueName: "file"))
    var dtb: String?

    @Option(name: .customLong("dump-dtb"), help: ArgumentHelp("Write the machine's device tree blob to FILE and exit.", valueName: "file"))
    var dumpDTB: String?

    @Option(name: .customLong("max-insns"), help: "Stop after N guest instructions (exit status 124).")
    var maxInstructions: UInt64?

    @Option(help: ArgumentHelp("Stop the machine after SECONDS of wall-clock time (exit status 124).", valueName: "seconds"))
    var timeout: Double?

    @Flag(help: "Print one line per executed guest instruction on stderr.")
    var trace = false

    @Flag(help: "Print engine statistics on stderr at exit.")
    var stats = false

    @Argument(help: "A bare-metal RISC-V ELF, run in M-mode without firmware.")
    var program: String?

    /// The parsed command line as the machine's configuration.
    func systemConfiguration() throws -> SystemConfiguration {
        var c = SystemConfiguration()
        if let memory {
            guard let size = SystemConfiguration.parseMemorySize(memory) else {
                throw ValidationError("--memory wants a size such as 64M or 2G, got '\(memory)'")
            }
            c.memorySize = size
        }
        c.firmware = bios.map { $0 == "none" ? .none : .file($0) } ?? .none
        c.program = program
        c.kernel = kernel
        c.initrd = initrd
        c.append = append
        c.dtb = dtb
        c.dumpDTB = dumpDTB
        c.maxInstructions = maxInstructions
        c.timeout = timeout
        c.trace = trace
        c.stats = stats
        return c
    }

    func run() throws {
        let configuration = try systemConfiguration()
        let machine: Machine
        do {
            machine = try Machine(configuration)
            if let path = configuration.dumpDTB {
                try machine.writeDeviceTree(to: path)
                return
            }
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
        try runMachine(machine, engine: engine)
    }
}

// MARK: - Running the machine

extension SystemCommand {
    /// Runs hart 0 of `machine` from its reset vector until a device stops it (the test finisher's
    /// or HTIF's status), or `--max-insns`/`--timeout` do (124, with the last traps reported).
    func runMachine(_ machine: Machine, engine: EngineKind?) throws -> Never {
        var settings = EngineSettings(kind: engine ?? .jit, maxInstructions: maxInstructions, timeout: timeout)
        settings.stats = stats
        let run = SystemRun(machine, settings: settings)
        // Typed console input reaches the guest byte by byte, unechoed, while it runs.
        let terminal = RawTerminal.enter()
        let status = run.run(trace: trace)
        terminal?.restore()
        throw GuestExit(status: status.processStatus)
    }
}
