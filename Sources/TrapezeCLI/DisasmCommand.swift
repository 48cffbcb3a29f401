import ArgumentParser
import Foundation

struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Disassemble a riscv64 ELF program, objdump-style, with symbols.")

    @Argument(help: "The riscv64 program.")
    var program: String

    func run() throws {
        report("disasm: not available yet")
        throw GuestExit(status: 1)
    }
}
