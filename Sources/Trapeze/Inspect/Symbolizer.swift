import Linux
import ELF

/// Guest address → `symbol+0xoffset`, from the symbol tables of the loaded program and its
/// dynamic linker. Addresses outside any symbol have no name.
public struct Symbolizer: Sendable {
    let tables: [SymbolTable]

    public init(_ tables: [SymbolTable]) { self.tables = tables.filter { !$0.isEmpty } }

    public init(_ program: LoadedProgram) {
        self.init([program.main.symbols] + (program.interpreter.map { [$0.symbols] } ?? []))
    }

    public static let none = Symbolizer([])

    /// `name` at a symbol's start, `name+0x1c` inside it.
    public func name(_ address: UInt64) -> String? {
        for table in tables {
            if let (name, offset) = table.symbol(containing: address), !name.isEmpty {
                return offset == 0 ? name : "\(name)+0x\(String(offset, radix: 16))"
            }
        }
        return nil
    }

    /// ` <name>` or nothing.
    func suffix(_ address: UInt64) -> String { name(address).map { " <\($0)>" } ?? "" }
}
