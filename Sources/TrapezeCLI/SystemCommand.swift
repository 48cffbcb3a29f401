#if canImport(Glibc)
import Glibc
#endif
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

    @Option(help: ArgumentHelp("The hart's extensions: rv64gc, rva20, rva22, rva23s or an ISA string (default: all Trapeze implements); misa and the device tree say the same.", valueName: "cpu"))
    var cpu: String?

    @Option(help: ArgumentHelp("RAM size (K/M/G suffixes; a plain number is mebibytes; default 128M).", valueName: "size"))
    var memory: String?

    @Option(help: ArgumentHelp("Firmware: a raw image loaded at 0x80000000 or an ELF, or none. With --kernel the default is Debian's OpenSBI (\(SystemConfiguration.installedOpenSBI)) when installed; a bare-metal ELF runs without firmware.", valueName: "file|none"))
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

    @Option(name: .customLong("drive"), help: ArgumentHelp("A raw disk image as a virtio-blk device (the guest's /dev/vda, vdb, ...), written back to the file unless ,readonly or --snapshot; repeatable.", valueName: "file[,readonly]"))
    var drives: [String] = []

    @Flag(help: "Keep disk writes in memory: the --drive files are not changed.")
    var snapshot = false

    @Flag(name: .customLong("rng"), help: "Add a virtio-rng device (host entropy for the guest).")
    var rng = false

    @Flag(name: .customLong("no-reboot"), help: "When the guest resets the machine (SBI reboot, Linux's reboot, a panic with panic=N), end the run with status 1 instead of starting again.")
    var noReboot = false

    @Option(name: .customLong("max-insns"), help: "Stop after N guest instructions (exit status 124).")
    var maxInstructions: UInt64?

    @Option(help: ArgumentHelp("Stop the machine after SECONDS of wall-clock time (exit status 124).", valueName: "seconds"))
    var timeout: Double?

    @Flag(help: "Count time in retired instructions (mtime: one tick per 10), not the host clock: runs, and engines, see each timer interrupt at the same instruction.")
    var icount = false

    @Flag(help: "Print one line per executed guest instruction on stderr.")
    var trace = false

    @Flag(help: "Print engine statistics on stderr at exit.")
    var stats = false

    @Flag(name: .customLong("perf-map"), help: "Write /tmp/perf-PID.map so `perf report` names JIT code by guest virtual pc and symbol (the ELF images' symbols).")
    var perfMap = false

    @Argument(help: "A bare-metal RISC-V ELF, run in M-mode without firmware.")
    var program: String?

    /// The parsed command line.
    var settings: SystemSettings {
        SystemSettings(engine: engine, cpu: cpu, memory: memory, bios: bios, kernel: kernel, initrd: initrd,
                       append: append, dtb: dtb, dumpDTB: dumpDTB, drives: drives, snapshot: snapshot, rng: rng,
                       noReboot: noReboot, maxInstructions: maxInstructions, timeout: timeout, icount: icount,
                       trace: trace, stats: stats, perfMap: perfMap, program: program)
    }

    /// The parsed command line as the machine's configuration.
    func systemConfiguration() throws -> SystemConfiguration { try settings.systemConfiguration() }

    /// `mtime`'s source: the host's clock, or retired instructions (`--icount`).
    func clock() -> any TimeSource { settings.clock() }

    func run() throws { try settings.run() }
}

/// `trapeze system`'s command line, however it was read: by swift-argument-parser
/// (`SystemCommand`) or, for the plain lines benchmarks write, by `SystemLine.fast`.
public struct SystemSettings: Equatable, Sendable {
    var engine: EngineKind? = nil
    var cpu: String? = nil
    var memory: String? = nil
    var bios: String? = nil
    var kernel: String? = nil
    var initrd: String? = nil
    var append: String? = nil
    var dtb: String? = nil
    var dumpDTB: String? = nil
    var drives: [String] = []
    var snapshot = false
    var rng = false
    var noReboot = false
    var maxInstructions: UInt64? = nil
    var timeout: Double? = nil
    var icount = false
    var trace = false
    var stats = false
    var perfMap = false
    var program: String? = nil

    /// The machine's configuration.
    func systemConfiguration() throws -> SystemConfiguration {
        var c = SystemConfiguration()
        if let memory {
            guard let size = SystemConfiguration.parseMemorySize(memory) else {
                throw ValidationError("--memory wants a size such as 64M or 2G, got '\(memory)'")
            }
            c.memorySize = size
        }
        c.firmware = bios.map { $0 == "none" ? .none : .file($0) } ?? SystemConfiguration.defaultFirmware(kernel: kernel != nil)
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
        c.drives = try drives.map { text in
            guard let drive = SystemConfiguration.Drive(option: text) else {
                throw ValidationError("--drive wants FILE or FILE,readonly, got '\(text)'")
            }
            return drive
        }
        c.snapshot = snapshot
        c.cpu = try parseCPU(cpu)
        c.entropy = rng
        return c
    }

    /// `mtime`'s source: the host's clock, or retired instructions (`--icount`).
    func clock() -> any TimeSource { icount ? InstructionClock() : HostClock() }

    public func run() throws {
        let configuration = try systemConfiguration()
        // Ctrl-A commands on a terminal, as QEMU's -nographic; piped input goes as it is.
        let console = HostConsole(escapes: isatty(0) == 1)
        let machine: Machine
        do {
            machine = try Machine(configuration, console: console, clock: clock())
            if let path = configuration.dumpDTB {
                try machine.writeDeviceTree(to: path)
                return
            }
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
        try runMachine(machine, engine: engine, console: console)
    }
}

// MARK: - Running the machine

extension SystemSettings {
    /// Runs hart 0 of `machine` from its reset vector until a device stops it (the test finisher's
    /// or HTIF's status), or `--max-insns`/`--timeout` do (124, with the last traps reported).
    func runMachine(_ machine: Machine, engine: EngineKind?, console: HostConsole) throws -> Never {
        var settings = EngineSettings(kind: engine ?? .jit, maxInstructions: maxInstructions, timeout: timeout)
        settings.stats = stats
        settings.perfMap = perfMap
        let symbols = perfMap ? SystemDumpLine.symbols(machine.configuration) : GuestSymbols(tables: [])
        // Typed console input reaches the guest byte by byte, unechoed, while it runs; Ctrl-C
        // too (Ctrl-A x ends the run).
        let terminal = RawTerminal.enter(signals: false)
        var machine = machine
        while true {
            let status = SystemRun(machine, settings: settings, symbols: symbols).run(trace: trace)
            // A reset (the finisher's 0x7777: SBI SRST reboot, Linux's `reboot`) starts the
            // machine again from its images, with the console as it is.
            if machine.stop == .reset {
                if noReboot {
                    terminal?.restore()
                    report("the guest reset the machine (--no-reboot)")
                    throw GuestExit(status: 1)
                }
                do {
                    machine = try Machine(machine.configuration, console: console, clock: clock())
                    continue
                } catch {
                    terminal?.restore()
                    report(error.message)
                    throw GuestExit(status: error.status)
                }
            }
            terminal?.restore()
            if console.quitRequested { report("the machine was stopped from the console (Ctrl-A x)") }
            throw GuestExit(status: status.processStatus)
        }
    }
}
