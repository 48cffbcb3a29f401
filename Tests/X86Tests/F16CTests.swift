import Testing
import X86

/// F16C's vcvtph2ps and vcvtps2ph (Zfh's widening and narrowing conversions): the bytes objdump
/// decodes as the same instruction, low and extended registers on either side.
@Suite struct F16CTests {
    @Test func vcvtph2psEncodings() {
        let cases: [(XMM, XMM, [UInt8])] = [
            (.xmm0, .xmm0, [0xc4, 0xe2, 0x79, 0x13, 0xc0]),  // vcvtph2ps %xmm0,%xmm0
            (.xmm9, .xmm3, [0xc4, 0x62, 0x79, 0x13, 0xcb]),  // vcvtph2ps %xmm3,%xmm9
            (.xmm2, .xmm12, [0xc4, 0xc2, 0x79, 0x13, 0xd4]), // vcvtph2ps %xmm12,%xmm2
        ]
        for (dst, src, bytes) in cases {
            var a = Assembler()
            a.vcvtph2ps(dst, src)
            #expect(a.bytes == bytes, "\(dst), \(src)")
        }
    }

    @Test func vcvtps2phEncodings() {
        let cases: [(XMM, XMM, UInt8, [UInt8])] = [
            (.xmm0, .xmm0, 4, [0xc4, 0xe3, 0x79, 0x1d, 0xc0, 0x04]),  // vcvtps2ph $0x4,%xmm0,%xmm0
            (.xmm3, .xmm9, 4, [0xc4, 0x63, 0x79, 0x1d, 0xcb, 0x04]),  // vcvtps2ph $0x4,%xmm9,%xmm3
            (.xmm12, .xmm2, 0, [0xc4, 0xc3, 0x79, 0x1d, 0xd4, 0x00]), // vcvtps2ph $0x0,%xmm2,%xmm12
        ]
        for (dst, src, imm, bytes) in cases {
            var a = Assembler()
            a.vcvtps2ph(dst, src, rounding: imm)
            #expect(a.bytes == bytes, "\(dst), \(src)")
        }
    }
}
