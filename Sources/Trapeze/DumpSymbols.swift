import Linux
import ELF

/// Guest address → `symbol+0xoffset`, from the loaded program's ELF symbols and its dynamic
/// linker's (both already moved to where they were loaded). Libraries the dynamic linker maps
/// later are not known.
public struct GuestSymbols: Sendable {
    private let tables: [SymbolTable]

    public init(_ program: LoadedProgram) {
        tables = [program.main.symbols] + (program.interpreter.map { [$0.symbols] } ?? [])
    }

    public init(tables: [SymbolTable]) { self.tables = tables }

    /// The symbol holding `address` and the offset into it.
    public func symbol(containing address: UInt64) -> (name: String, offset: UInt64)? {
        for t in tables { if let s = t.symbol(containing: address) { return s } }
        return nil
    }

    /// `name+0x1c` (always with the offset, as perf map names are read), or nil.
    public func describe(_ address: UInt64) -> String? {
        symbol(containing: address).map { "\($0.name)+0x\(String($0.offset, radix: 16))" }
    }

    /// `name`, or `name+0x1c` past the start, as objdump and the dump show a target; or nil.
    public func short(_ address: UInt64) -> String? {
        symbol(containing: address).map { $0.offset == 0 ? $0.name : "\($0.name)+0x\(String($0.offset, radix: 16))" }
    }
}

extension GuestRun {
    /// The loaded program's symbols, for dumps, perf maps and reports.
    public var symbols: GuestSymbols { GuestSymbols(process.program) }
}
