extension Disassembler {
    /// objdump -d's line for one instruction: the address right-aligned in 8 columns, a colon, a tab,
    /// the encoding in hex padded as objdump pads it, a tab, then the text.
    public mutating func listingLine(_ inst: Instruction, address: UInt64) -> String {
        Self.listingPrefix(address: address, raw: inst.raw, length: Int(inst.length)) + disassemble(inst, pc: address)
    }

    /// Decodes little-endian `bytes` loaded at `address` and lists them as objdump -d would,
    /// carrying address-comment state from line to line. Reserved encodings print as objdump's
    /// `.2byte`/`.4byte` directives (and the all-zero halfword as `unimp`); a trailing odd byte is dropped.
    public mutating func listing(of bytes: [UInt8], at address: UInt64) -> [String] {
        var lines: [String] = []
        var offset = 0
        while offset + 2 <= bytes.count {
            var word = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            let long = word & 3 == 3 && offset + 4 <= bytes.count
            if long { word |= UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24 }
            let length = long ? 4 : 2
            let pc = address &+ UInt64(offset)
            if let inst = decode(word), word & 3 != 3 || long, cpu.isAll || cpu.allows(inst) {
                lines.append(listingLine(inst, address: pc))
            } else {
                let directive = word == 0 ? "unimp" : (length == 4 ? ".4byte\t0x" : ".2byte\t0x") + String(word, radix: 16)
                lines.append(Self.listingPrefix(address: pc, raw: word, length: length) + directive)
            }
            offset += length
        }
        return lines
    }

    static func listingPrefix(address: UInt64, raw: UInt32, length: Int) -> String {
        let hexAddress = String(address, radix: 16)
        let column = String(repeating: " ", count: max(0, 8 - hexAddress.count)) + hexAddress
        var encoding = String(raw & (length == 2 ? 0xffff : 0xffff_ffff), radix: 16)
        encoding = String(repeating: "0", count: max(0, length * 2 - encoding.count)) + encoding
        let width = length == 2 ? 20 : 18
        return column + ":\t" + encoding + String(repeating: " ", count: width - encoding.count) + "\t"
    }
}
