import Testing
import X86

/// F16C's vcvtph2ps (Zfh's widening conversions): the bytes objdump decodes as the same
/// instruction, low and extended registers on either side.
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
}
