import Testing
import X86

/// The form system mode's cross-page chains use: a
/// `cmp dword [mem], imm32` that keeps its four-byte immediate at the end of the instruction, 4-byte
/// aligned, so that the immediate can be rewritten in place. Bytes from GNU as.
@Suite struct ProbeEncodingTests {
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
