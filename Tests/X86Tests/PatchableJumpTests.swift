import Testing
import X86

@Suite struct PatchableJumpTests {
    /// Whatever precedes it and wherever the code goes, the displacement is 4-byte aligned and
    /// so never straddles an 8-byte boundary; the padding in front is one no-op.
    @Test func displacementIsAlignedAtTheFinalAddress() throws {
        let dis = try #require(X86Disassembler())
        for base in [0x1000, 0x1001, 0x1002, 0x1003, 0x1005] as [UInt64] {
            for lead in 0..<8 {
                var a = Assembler(baseAddress: base)
                for _ in 0..<lead { a.int3() }
                let exit = a.newLabel()
                let site = a.patchableJmp(exit)
                a.bind(exit)
                let dispAddress = base + UInt64(site.displacementOffset)
                #expect(dispAddress % 4 == 0)
                #expect(dispAddress / 8 == (dispAddress + 3) / 8)
                #expect(a.bytes[site.offset] == 0xE9)
                let d = dis.decode(a.bytes, address: base, detail: true)
                #expect(d.map(\.mnemonic) == Array(repeating: "int3", count: lead) + (site.offset > lead ? ["nop"] : []) + ["jmp"])
            }
        }
    }

    @Test func retargetInTheBuffer() throws {
        var a = Assembler(baseAddress: 0x7000_0000)
        a.int3()
        let site = a.patchableJmp(absolute: 0x7000_1000)
        let retargeted = a.retarget(site, to: 0x6FFF_0000)
        #expect(retargeted)
        let d = try #require(X86Disassembler()).decode(Array(a.bytes[site.offset...]), address: 0x7000_0000 + UInt64(site.offset), detail: true)
        #expect(d.first?.text == "jmp 0x6fff0000")
        // Retargets survive a rebase: the site keeps pointing at its absolute target.
        let rebased = a.rebase(to: 0x7000_0100)
        #expect(rebased)
        let moved = try #require(X86Disassembler()).decode(Array(a.bytes[site.offset...]), address: 0x7000_0100 + UInt64(site.offset))
        #expect(moved.first?.text == "jmp 0x6fff0000")
        let unreachable = a.retarget(site, to: 0x7_0000_0000)
        #expect(!unreachable)
    }

    /// The live-patching path: a single aligned store into memory holding the code.
    @Test func retargetInMemory() throws {
        var a = Assembler(baseAddress: 0)
        a.mov(.eax, imm: 1)
        let exit = a.newLabel()
        let site = a.patchableJmp(exit)
        a.bind(exit)
        a.ret()
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { memory.deallocate() }
        memory.copyMemory(from: a.bytes, byteCount: a.bytes.count)
        let codeAddress = UInt64(UInt(bitPattern: memory))
        let siteAddress = codeAddress + UInt64(site.offset)
        #expect(JumpSite.retarget(siteAddress: siteAddress, writable: memory + site.offset, to: codeAddress + 48))
        let patched = Array(UnsafeRawBufferPointer(start: memory + site.offset, count: 5))
        let d = try #require(X86Disassembler()).decode(patched, address: siteAddress, detail: true)
        #expect(d.count == 1 && d[0].mnemonic == "jmp")
        if case .imm(let t, _)? = d.first?.operands.first { #expect(UInt64(bitPattern: t) == codeAddress + 48) }
        #expect(JumpSite.displacement(siteAddress: siteAddress, target: siteAddress &+ 0x1_0000_0000) == nil)
    }
}
