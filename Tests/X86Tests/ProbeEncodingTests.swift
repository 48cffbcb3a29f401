import Testing
import X86

/// The forms system mode's inline TLB probe and cross-page chains use: `rorx` (BMI2), and a
/// `cmp dword [mem], imm32` that keeps its four-byte immediate at the end of the instruction, 4-byte
/// aligned, so that the immediate can be rewritten in place. Bytes from GNU as.
@Suite struct ProbeEncodingTests {
    @Test func rorxEncodings() {
        let cases: [(Reg, Reg, UInt8, [UInt8])] = [
            (.ecx, .eax, 8, [0xc4, 0xe3, 0x7b, 0xf0, 0xc8, 0x08]),    // rorx ecx, eax, 8
            (.r9d, .r12d, 8, [0xc4, 0x43, 0x7b, 0xf0, 0xcc, 0x08]),   // rorx r9d, r12d, 8
            (.rcx, .rax, 12, [0xc4, 0xe3, 0xfb, 0xf0, 0xc8, 0x0c]),   // rorx rcx, rax, 12
            (.r10, .r15, 3, [0xc4, 0x43, 0xfb, 0xf0, 0xd7, 0x03]),    // rorx r10, r15, 3
        ]
        for (dst, src, imm, bytes) in cases {
            var a = Assembler()
            a.rorx(dst, src, imm: imm)
            #expect(a.bytes == bytes, "\(dst), \(src), \(imm)")
        }
    }

    @Test func cmpPatchableKeepsTheFullImmediate() {
        let cases: [(Mem, Int32, [UInt8])] = [
            (.dword(.rbx, 0x294), 0x7fff_ffff, [0x81, 0xbb, 0x94, 0x02, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f]),
            // A small value still takes four bytes (the short form is 83 /7 ib).
            (.dword(.rbx, 0x294), 5, [0x81, 0xbb, 0x94, 0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00]),
            (.dword(.r13, 8), -2, [0x41, 0x81, 0x7d, 0x08, 0xfe, 0xff, 0xff, 0xff]),
        ]
        for (mem, imm, bytes) in cases {
            for lead in 0..<4 {
                var a = Assembler()
                if lead > 0 { a.nop(lead) }
                let at = a.cmpPatchable(mem, imm: imm)
                #expect(Array(a.bytes.suffix(bytes.count)) == bytes, "\(mem), \(imm)")
                #expect(at == a.bytes.count - 4)
                #expect(at % 4 == 0, "the immediate is 4-byte aligned")
                #expect(a.bytes.count - bytes.count - lead < 4, "at most 3 bytes of padding")
            }
        }
    }
}
