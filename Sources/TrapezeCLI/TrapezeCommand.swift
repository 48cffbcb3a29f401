import ArgumentParser
import Trapeze
#if canImport(Glibc)
import Glibc
#endif

/// The `trapeze` command and its subcommands.
public struct TrapezeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "trapeze",
        abstract: "Run RISC-V (RV64GC) Linux programs on x86-64.",
        subcommands: [RunCommand.self, BinfmtCommand.self, SystemCommand.self, DisasmCommand.self, DumpCommand.self, DifftestCommand.self, FuzzCommand.self],
        defaultSubcommand: nil)

    public init() {}

    /// Entry point: runs the command and exits with its status. Errors print one `trapeze:` line.
    /// `arguments` is argv, argv[0] included.
    public static func entry(_ arguments: [String] = CommandLine.arguments) -> Never {
        do {
            if let started = BinfmtLaunch.invocation(arguments) {
                try BinfmtLaunch.run(started)
            } else if SystemDumpLine.wanted(Array(arguments.dropFirst())) {
                try SystemDumpLine.run(Array(arguments.dropFirst()))
            } else if SystemDifftestLine.wanted(Array(arguments.dropFirst())) {
                try SystemDifftestLine.run(Array(arguments.dropFirst()))
            } else if let settings = RunLine.fast(Array(arguments.dropFirst())) {
                try settings.execute()
            } else if let settings = SystemLine.fast(Array(arguments.dropFirst())) {
                try settings.run()
            } else {
                var command = try parseAsRoot(Array(arguments.dropFirst()))
                try command.run()
            }
            Glibc.exit(0)
        } catch let e as GuestExit {
            Glibc.exit(e.status)
        } catch let e as GuestKilled {
            e.dieOfSignal()
        } catch {
            // Help and version requests print as usual; a bad command line is one `trapeze:`
            // line (the parser's message, then a pointer to --help) and EX_USAGE.
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
            report(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
            HostIO.error("trapeze: see 'trapeze --help'\n")
            Glibc.exit(code.rawValue)
        }
    }
}

/// Thrown by a command to end Trapeze with the guest's status.
struct GuestExit: Error {
    var status: Int32
}

/// Thrown when the guest died of a signal: Trapeze then dies of the same signal, so a parent (a
/// shell, or a guest parent's `wait4`) sees a death by signal, not an exit status.
struct GuestKilled: Error {
    var signal: Int32

    func dieOfSignal() -> Never {
        fflush(nil)  // all stdio streams
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        noCore.rlim_cur = 0
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)  // the guest's crash is not Trapeze's: no core file
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
        Glibc.exit(128 + signal)  // a signal whose default action does not kill
    }
}

/// Prints a `trapeze:` line on stderr and returns the status to exit with.
func report(_ message: String) {
    HostIO.error("trapeze: \(message)\n")
}
