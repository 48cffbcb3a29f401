import Guest
import JIT
import RISCV
import Testing
import TestSupport
import X86

@Suite struct JITListingTests {
    /// A listing shows the block's guest instructions and host code that capstone decodes in
    /// full; a self-loop branches back to the block's own entry without leaving the cache.
    @Test func listingOfALoop() throws {
        let code: [UInt32] = [RV.add(10, 10, 5), RV.addi(5, 5, -1), RV.bne(5, 0, -8)] + RV.exit
        let (hart, _) = Program(code: code).makeHart()
        let jit = smallJIT()
        let listing = try #require(jit.listing(hart, at: Layout.code))
        #expect(listing.guest.map(\.opcode) == [.add, .addi, .bne])
        #expect(listing.guestPCs == [Layout.code, Layout.code + 4, Layout.code + 8])
        let lines = X86Disassembler.lines(listing.hostCode, address: listing.hostAddress)
        #expect(lines.reduce(0) { $0 + $1.bytes.count } == listing.hostCode.count)
        let entry = "0x" + String(listing.hostAddress, radix: 16)
        // With block registers (BlockRegisters.swift) the back edge checks the budget itself and
        // jumps past the swap (`jae`); without, `jne` to the entry.
        #expect(lines.contains { ($0.text.hasPrefix("jne") && $0.text.hasSuffix(entry)) || $0.text.hasPrefix("jae") },
                "\(lines.map(\.description).joined(separator: "\n"))")
        if ProcessInfoLite.verbose { print(lines.map(\.description).joined(separator: "\n")) }
    }
}

enum ProcessInfoLite {
    static var verbose: Bool { getenv("JIT_LISTING") != nil }
}

#if canImport(Glibc)
import Glibc
#endif
