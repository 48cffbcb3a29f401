import Testing
import X86

@Suite struct ListingTests {
    @Test func listingShowsAddressesBytesAndIntelText() throws {
        var a = Assembler(baseAddress: 0x5000)
        a.mov(.rax, .qword(.rbx, 8))
        a.add(.eax, imm: 5)
        a.movsd(.xmm0, .qword(.r14, 0x100))
        a.emit([0x06])  // not an instruction in 64-bit mode
        a.ret()
        let lines = a.listing()
        #expect(lines.map(\.address) == [0x5000, 0x5004, 0x5007, 0x5010, 0x5011])
        #expect(lines.map(\.text) == ["mov rax, qword ptr [rbx + 8]", "add eax, 5", "movsd xmm0, qword ptr [r14 + 0x100]", ".byte 0x06", "ret"])
        #expect(lines[0].bytes == [0x48, 0x8B, 0x43, 0x08])
        #expect(lines[0].description == "0x00005000: 48 8b 43 08                    mov rax, qword ptr [rbx + 8]")
        #expect(a.listing(4..<7).map(\.text) == ["add eax, 5"])
        #expect(X86Disassembler.lines([], address: 0).isEmpty)
    }

    /// The named instruction methods are the generic families with the operation filled in.
    @Test func namedMethodsMatchTheirFamilies() {
        func same(_ f: (inout Assembler) -> Void, _ g: (inout Assembler) -> Void) -> Bool {
            var a = Assembler(), b = Assembler()
            f(&a)
            g(&b)
            return a.bytes == b.bytes && !a.bytes.isEmpty
        }
        let m = Mem.qword(.r12, .rbp, 4, 0x40)
        var equal: [Bool] = []
        equal.append(same({ $0.add(.rax, .r9) }, { $0.alu(.add, .rax, .r9) }))
        equal.append(same({ $0.or(m, .rcx) }, { $0.alu(.or, m, .rcx) }))
        equal.append(same({ $0.adc(.rdx, m) }, { $0.alu(.adc, .rdx, m) }))
        equal.append(same({ $0.sbb(.r8d, imm: 300) }, { $0.alu(.sbb, .r8d, imm: 300) }))
        equal.append(same({ $0.and(m, imm: -2) }, { $0.alu(.and, m, imm: -2) }))
        equal.append(same({ $0.sub(.rsp, imm: 8) }, { $0.alu(.sub, .rsp, imm: 8) }))
        equal.append(same({ $0.xor(.eax, .eax) }, { $0.alu(.xor, .eax, .eax) }))
        equal.append(same({ $0.cmp(.r15, m) }, { $0.alu(.cmp, .r15, m) }))
        equal.append(same({ $0.neg(.r10) }, { $0.unary(.neg, .r10) }))
        equal.append(same({ $0.idiv(m) }, { $0.unary(.idiv, m) }))
        equal.append(same({ $0.sar(.rax, imm: 3) }, { $0.shift(.sar, .rax, imm: 3) }))
        equal.append(same({ $0.ror(m, .cl) }, { $0.shift(.ror, m, .cl) }))
        equal.append(same({ $0.sqrtsd(.xmm1, .xmm9) }, { $0.scalar(.sqrt, .double, .xmm1, .xmm9) }))
        equal.append(same({ $0.minss(.xmm1, m) }, { $0.scalar(.min, .single, .xmm1, m) }))
        equal.append(same({ $0.xorpd(.xmm4, .xmm5) }, { $0.bitwise(.xorpd, .xmm4, .xmm5) }))
        equal.append(same({ $0.vfnmsub213sd(.xmm1, .xmm2, .xmm3) }, { $0.fma(.nmsub, .o213, .double, .xmm1, .xmm2, .xmm3) }))
        equal.append(same({ $0.cvttsd2si(.rax, .xmm1) }, { $0.cvts2si(.double, truncate: true, .rax, .xmm1) }))
        equal.append(same({ $0.cvtsi2ss(.xmm2, .r11d) }, { $0.cvtsi2s(.single, .xmm2, .r11d) }))
        #expect(equal.firstIndex(of: false) == nil, "the check at this index differs")
        let control = same({ $0.sub(.rax, .rbx) }, { $0.alu(.sbb, .rax, .rbx) })
        #expect(!control)
    }
}
