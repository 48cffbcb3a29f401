import Foundation
import Testing
import Linux
import ELF

/// Assembly labels (`STT_NOTYPE`) name addresses like functions do; mapping symbols, absolute
/// constants, sections and files do not.
@Suite struct LabelSymbolTests {
    static let bin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/bin")

    func table(_ fixture: String) throws -> SymbolTable {
        try ELFFile(path: Self.bin.appendingPathComponent(fixture).path).symbolTable()
    }

    @Test func asmLabelsAreSymbols() throws {
        let t = try table("asm_loop")
        let names = Set(t.symbols.map(\.name))
        #expect(names.isSuperset(of: ["_start", "loop", "digit", "line", "hex_alphabet", "__bss_start"]))
        // Not the `$xrv64…` mapping symbol, not absolute constants (`SYS_write`, `__global_pointer$`),
        // not the file or section symbols.
        #expect(!names.contains { $0.hasPrefix("$") || $0 == "SYS_write" || $0 == "ITERATIONS" || $0.hasSuffix(".o") || $0 == ".text" })
        #expect(t.symbols.filter { $0.name == "loop" }.map(\.kind) == [.label])
        let loop = try #require(t.symbols.first { $0.name == "loop" })
        let digit = try #require(t.symbols.first { $0.name == "digit" })
        #expect(t.symbol(containing: loop.address)! == ("loop", 0))
        #expect(t.symbol(containing: loop.address + 8)! == ("loop", 8))
        #expect(t.symbol(containing: digit.address - 2)! == ("loop", digit.address - 2 - loop.address))
        #expect(t.symbol(containing: digit.address + 4)! == ("digit", 4))
    }

    @Test func dataMappingSymbolsAreHidden() throws {
        let t = try table("asm_illegal")
        #expect(t.symbols.allSatisfy { $0.name != "$d" && $0.name != "$x" })
        let start = try #require(t.symbols.first { $0.name == "_start" })
        // The `$d` word inside _start stays part of it.
        #expect(t.symbol(containing: start.address + 0x1e)! == ("_start", 0x1e))
    }

    @Test func labelsReachToTheNextSymbol() {
        let t = SymbolTable([
            Symbol(name: "entry", address: 0x100, size: 0, kind: .label),
            Symbol(name: "alias", address: 0x100, size: 0x10, kind: .function),
            Symbol(name: "inner", address: 0x108, size: 0, kind: .label),
            Symbol(name: "table", address: 0x200, size: 8, kind: .object),
            Symbol(name: "tablelabel", address: 0x200, size: 0, kind: .label),
            Symbol(name: "end", address: 0x300, size: 0, kind: .label),
        ])
        // A function or object beats a label at the same address.
        #expect(t.symbol(containing: 0x100)! == ("alias", 0))
        #expect(t.symbol(containing: 0x200)! == ("table", 0))
        // A label is the nearer (higher) start, so it names what follows it.
        #expect(t.symbol(containing: 0x10c)! == ("inner", 4))
        #expect(t.symbol(containing: 0x1ff)! == ("inner", 0xf7))
        // The label sharing table's address reaches on past table's 8 bytes.
        #expect(t.symbol(containing: 0x250)! == ("tablelabel", 0x50))
        // The last label holds only its own address.
        #expect(t.symbol(containing: 0x300)! == ("end", 0))
        #expect(t.symbol(containing: 0x301) == nil)
        #expect(t.functions.map(\.name) == ["alias"])
    }

    @Test func dynamicRelocationsNameGOTSlots() throws {
        let elf = try ELFFile(path: Self.bin.appendingPathComponent("dynamic_hello").path)
        let relocations = elf.dynamicRelocations()
        let plt = relocations.filter(\.isPLT).map(\.versionedSymbol)
        #expect(plt.contains("puts@GLIBC_2.27") && plt.contains("__libc_start_main@GLIBC_2.34"))
        #expect(relocations.contains { !$0.isPLT && $0.versionedSymbol == "_ITM_deregisterTMCloneTable@Base" })
        // A static program has none.
        #expect(try ELFFile(path: Self.bin.appendingPathComponent("asm_loop").path).dynamicRelocations().isEmpty)
    }
}
