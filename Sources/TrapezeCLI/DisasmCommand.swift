import ArgumentParser
import Trapeze

struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Disassemble a riscv64 ELF program, objdump-style, with symbols.")

    @Argument(help: "The riscv64 program.")
    var program: String

    @Option(help: ArgumentHelp("Decode for this hart: rv64gc, rva20, rva22, rva23s or an ISA string; what it lacks lists as .4byte/.2byte (default: everything, hint names as the file's arch attribute says).", valueName: "cpu"))
    var cpu: String?

    func run() throws {
        let model = try cpu.map { try parseCPU($0) }
        do {
            try GuestRun.checkFile(program)
            for line in try ProgramListing.lines(path: program, cpu: model) { print(line) }
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
    }
}
