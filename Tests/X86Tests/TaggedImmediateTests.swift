import Testing
import X86

/// Tagged immediates (`Assembler.mov(_:imm:tag:)`) are rewritten when saved code is reused by
/// another run (the persistent translation cache), so the field must hold any 64-bit value,
/// whatever the value it was first emitted with.
@Suite struct TaggedImmediateTests {
    @Test("a tagged immediate is 8 bytes wide even when its first value fits in 32 bits", arguments: [
        Int64(0), 0x3da2_2aa0, -1, 0x7f4a_7500_7010, Int64.min,
    ])
    func alwaysEightBytes(value: Int64) throws {
        var a = Assembler()
        a.mov(.rsi, imm: value, tag: 7)
        #expect(a.taggedImmediates == [TaggedImmediate(at: 2, width: 8, tag: 7)])
        #expect(a.bytes.count == 10, "movabs rsi, imm64: REX.W, B8+r, 8 bytes")
        let field = a.bytes[2..<10].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(field == UInt64(bitPattern: value))
        // Another run's value goes into the same field and capstone reads it back.
        var patched = a.bytes
        let next = UInt64(0x7fff_dead_beef_0000)
        for k in 0..<8 { patched[2 + k] = UInt8(truncatingIfNeeded: next >> (8 * UInt64(k))) }
        let dis = try #require(X86Disassembler())
        let d = dis.decode(patched, address: 0x1000, detail: true)
        #expect(d.count == 1 && d[0].text == "movabs rsi, 0x7fffdeadbeef0000", "\(d.map(\.text))")
    }
}
