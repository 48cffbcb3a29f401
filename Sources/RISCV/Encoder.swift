/// Encodes an instruction in its 32-bit base form, from the same table the decoder uses. Tests
/// and fuzzers use it to build instructions; `decode(encode(i))` gives back `i` (with length 4).
///
/// Fields are masked to their widths, so any `Instruction` encodes to some word; out-of-range
/// immediates wrap rather than trap. `fence` uses `rm` for fm/pred/succ, so fence.tso round-trips.
public func encode(_ i: Instruction) -> UInt32 {
    let spec = i.opcode.info
    let rd = UInt32(i.rd & 31) << 7, rs1 = UInt32(i.rs1 & 31) << 15, rs2 = UInt32(i.rs2 & 31) << 20
    let rm = UInt32(i.rm & 7) << 12
    let imm = UInt32(truncatingIfNeeded: i.imm)
    var word = spec.match
    switch spec.format {
    case .r: word |= rd | rs1 | rs2
    case .rRM: word |= rd | rs1 | rs2 | rm
    case .r4: word |= rd | rs1 | rs2 | rm | UInt32(i.rs3 & 31) << 27
    case .unary: word |= rd | rs1
    case .unaryRM: word |= rd | rs1 | rm
    case .i: word |= rd | rs1 | (imm & 0xfff) << 20
    case .shift: word |= rd | rs1 | (imm & (spec.mask & (1 << 25) != 0 ? 0x1f : 0x3f)) << 20
    case .s: word |= rs1 | rs2 | (imm & 0x1f) << 7 | (imm >> 5 & 0x7f) << 25
    case .b:
        word |= rs1 | rs2 | (imm >> 11 & 1) << 7 | (imm >> 1 & 0xf) << 8 | (imm >> 5 & 0x3f) << 25 | (imm >> 12 & 1) << 31
    case .u: word |= rd | imm & 0xffff_f000
    case .j:
        word |= rd | (imm >> 12 & 0xff) << 12 | (imm >> 11 & 1) << 20 | (imm >> 1 & 0x3ff) << 21 | (imm >> 20 & 1) << 31
    case .csr, .csrImm: word |= rd | rs1 | UInt32(i.csr & 0xfff) << 20
    case .fence: word = Major.miscMem | UInt32(i.rm & 0xfff) << 20
    case .amo: word |= rd | rs1 | rs2 | UInt32(i.rm & 3) << 25
    case .lr: word |= rd | rs1 | UInt32(i.rm & 3) << 25
    case .none: break
    case .sfence: word |= rs1 | rs2
    case .cbo: word |= rs1
    case .mop where spec.match & 1 << 25 != 0:
        word |= rd | rs1 | rs2 | (imm >> 2 & 1) << 30 | (imm & 3) << 26
    case .mop: word |= rd | rs1 | (imm >> 4 & 1) << 30 | (imm >> 2 & 3) << 26 | (imm & 3) << 20
    case .byteSelect: word |= rd | rs1 | rs2 | (imm & 3) << 30
    case .roundNumber: word |= rd | rs1 | (imm & 0xf) << 20
    }
    return word
}
