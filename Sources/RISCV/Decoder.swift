/// Decodes one instruction. If the low two bits of `word` are not `11`, only its low 16 bits are
/// read, as a compressed instruction, and the result is its base form with `length == 2`.
/// Returns nil for reserved and illegal encodings, and for encodings longer than 32 bits.
///
/// Validity follows binutils 2.40's RV64GC disassembler (the golden oracle): for example FP
/// instructions with the reserved rounding modes 5 and 6 decode (executing them is illegal), while
/// `fence` with nonzero rd/rs1 or an unknown fm, and `fence.i` with nonzero fields, do not.
@inlinable
public func decode(_ word: UInt32) -> Instruction? {
    word & 3 == 3 ? decode32(word) : decode16(UInt16(truncatingIfNeeded: word))
}

@usableFromInline
func decode16(_ half: UInt16) -> Instruction? {
    guard let entry = DecodeIndex.compressedEntry(half) else { return nil }
    return CompressedFields(half).expand(entry.base, entry.form)
}

@usableFromInline
func decode32(_ word: UInt32) -> Instruction? {
    // Bits 4:2 all set announce a 48-bit or longer encoding, none of which RV64GC defines.
    guard word & 0x1c != 0x1c else { return nil }
    let entries = DecodeIndex.entries
    let bucket = DecodeIndex.bucket(word)
    var position = Int(bucket >> 8)
    let end = position + Int(bucket & 0xff)
    while position < end {
        let entry = entries[position]
        if word & UInt32(truncatingIfNeeded: entry) == UInt32(truncatingIfNeeded: entry >> 32) {
            let kind = DecodeIndex.entryKinds[position]
            return fields(of: word, opcode: Opcode(tableRawValue: UInt16(truncatingIfNeeded: kind)),
                          format: Format(tableRawValue: UInt8(truncatingIfNeeded: kind >> 16)))
        }
        position += 1
    }
    return nil
}

/// Sign-extends bits 31:20 (the I-type immediate).
@inline(__always) private func immI(_ w: UInt32) -> Int64 { Int64(Int32(bitPattern: w) >> 20) }

@inline(__always)
private func fields(of w: UInt32, opcode: Opcode, format: Format) -> Instruction {
    let rd = UInt8((w >> 7) & 31), rs1 = UInt8((w >> 15) & 31), rs2 = UInt8((w >> 20) & 31)
    let rm = UInt16((w >> 12) & 7)
    var i = Instruction(opcode: opcode, raw: w)
    switch format {
    case .r: i.rd = rd; i.rs1 = rs1; i.rs2 = rs2
    case .rRM: i.rd = rd; i.rs1 = rs1; i.rs2 = rs2; i.rm = rm
    case .r4: i.rd = rd; i.rs1 = rs1; i.rs2 = rs2; i.rs3 = UInt8(w >> 27); i.rm = rm
    case .unary: i.rd = rd; i.rs1 = rs1
    case .unaryRM: i.rd = rd; i.rs1 = rs1; i.rm = rm
    case .i: i.rd = rd; i.rs1 = rs1; i.imm = immI(w)
    case .shift: i.rd = rd; i.rs1 = rs1; i.imm = Int64((w >> 20) & 0x3f)
    case .s:
        i.rs1 = rs1; i.rs2 = rs2
        i.imm = Int64(Int32(bitPattern: w & 0xfe00_0000) >> 20) | Int64((w >> 7) & 0x1f)
    case .b:
        i.rs1 = rs1; i.rs2 = rs2
        i.imm = Int64(Int32(bitPattern: w & 0x8000_0000) >> 19) | Int64((w << 4) & 0x800)
            | Int64((w >> 20) & 0x7e0) | Int64((w >> 7) & 0x1e)
    case .u: i.rd = rd; i.imm = Int64(Int32(bitPattern: w & 0xffff_f000))
    case .j:
        i.rd = rd
        i.imm = Int64(Int32(bitPattern: w & 0x8000_0000) >> 11) | Int64(w & 0xff000)
            | Int64((w >> 9) & 0x800) | Int64((w >> 20) & 0x7fe)
    case .csr: i.rd = rd; i.rs1 = rs1; i.csr = UInt16(w >> 20)
    case .csrImm: i.rd = rd; i.rs1 = rs1; i.csr = UInt16(w >> 20)
    case .fence: i.rm = UInt16(w >> 20)
    case .amo: i.rd = rd; i.rs1 = rs1; i.rs2 = rs2; i.rm = UInt16((w >> 25) & 3)
    case .lr: i.rd = rd; i.rs1 = rs1; i.rm = UInt16((w >> 25) & 3)
    case .none: break
    case .sfence: i.rs1 = rs1; i.rs2 = rs2
    case .cbo: i.rs1 = rs1
    case .mop:
        i.rd = rd; i.rs1 = rs1
        let high: UInt32 = (w >> 30) & 1, middle: UInt32 = (w >> 26) & 3, low: UInt32 = (w >> 20) & 3
        if w & 1 << 25 != 0 {
            i.rs2 = rs2
            i.imm = Int64(high << 2 | middle)
        } else {
            i.imm = Int64(high << 4 | middle << 2 | low)
        }
    case .byteSelect: i.rd = rd; i.rs1 = rs1; i.rs2 = rs2; i.imm = Int64(w >> 30)
    case .roundNumber: i.rd = rd; i.rs1 = rs1; i.imm = Int64((w >> 20) & 0xf)
    }
    return i
}
