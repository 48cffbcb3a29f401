import ArgumentParser
import Foundation

/// The `trapeze` command and its subcommands.
public struct TrapezeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "trapeze",
        abstract: "Run RISC-V (RV64GC) Linux programs on x86-64.",
        subcommands: [RunCommand.self, DisasmCommand.self, DifftestCommand.self, FuzzCommand.self],
        defaultSubcommand: nil)

    public init() {}

    /// Entry point: runs the command and exits with its status. Errors print one `trapeze:` line.
    public static func entry() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch let e as GuestExit {
            Foundation.exit(e.status)
        } catch {
            exit(withError: error)
        }
    }
}

/// Thrown by a command to end Trapeze with the guest's status.
struct GuestExit: Error {
    var status: Int32
}

/// Prints a `trapeze:` line on stderr and returns the status to exit with.
func report(_ message: String) {
    FileHandle.standardError.write(Data("trapeze: \(message)\n".utf8))
}
