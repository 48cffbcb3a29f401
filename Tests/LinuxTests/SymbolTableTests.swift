import Testing
import TestSupport
import Linux
import ELF

@Suite struct SymbolTableTests {
    let table = SymbolTable([
        Symbol(name: "main", address: 0x1000, size: 0x40, isFunction: true),
        Symbol(name: "helper", address: 0x1040, size: 0x10, isFunction: true),
        Symbol(name: "table", address: 0x2000, size: 0x100, isFunction: false),
        Symbol(name: "_start", address: 0x0f00, size: 0, isFunction: true),
    ])

    @Test func findsTheSymbolContainingAnAddress() {
        #expect(table.symbol(containing: 0x1000)! == ("main", 0))
        #expect(table.symbol(containing: 0x103f)! == ("main", 0x3f))
        #expect(table.symbol(containing: 0x1044)! == ("helper", 4))
        #expect(table.symbol(containing: 0x20ff)! == ("table", 0xff))
        #expect(table.symbol(containing: 0x0f00)! == ("_start", 0))
        #expect(table.symbol(containing: 0x1050) == nil)
        #expect(table.symbol(containing: 0x0f04) == nil)
        #expect(table.symbol(containing: 0) == nil)
    }

    @Test func listsFunctionsInAddressOrder() {
        #expect(table.functions.map(\.name) == ["_start", "main", "helper"])
    }

    /// The sysroot's dynamic linker: a real ET_DYN file with a dynamic symbol table.
    @Test(.enabled(if: Tools.hasSysroot, "no riscv64 sysroot"))
    func readsARealDynamicLinker() throws {
        let elf = try ELFFile(path: Tools.dynamicLinker)
        #expect(elf.isPositionIndependent)
        #expect(elf.interpreter == nil)
        let symbols = elf.symbolTable(bias: 0x1000_0000)
        let dlopen = try #require(symbols.symbols.first { $0.name.hasPrefix("_dl_catch_exception") })
        #expect(dlopen.address >= 0x1000_0000)
        #expect(symbols.symbol(containing: dlopen.address + 1)?.name == dlopen.name)
    }
}
