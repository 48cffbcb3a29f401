import ArgumentParser
import Trapeze

struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Disassemble a riscv64 ELF program, objdump-style, with symbols.")

    @Argument(help: "The riscv64 program.")
    var program: String

    func run() throws {
        do {
            try GuestRun.checkFile(program)
            for line in try ProgramListing.lines(path: program) { print(line) }
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
    }
}
