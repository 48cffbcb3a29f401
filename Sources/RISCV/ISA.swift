/// The instruction table (RV64GC and the scalar extensions beyond it): the one description of every encoding that the decoder,
/// disassembler, encoder and metadata are derived from.
public enum ISA {
    /// Every encoding row. An opcode may have more than one row when one mask cannot describe all
    /// of its valid encodings (`fence` has a second row for `fence.tso`); its first row is its `info`.
    public static let all: [InstructionSpec] = {
        // Appended into one buffer of the final size: a chain of `+` copied the growing table
        // a dozen times at every start.
        let parts = [rv64i, zifencei, zicsr, m, a, f, d, privileged, bit, crypto, zfa, rva23Scalar, zfh]
        var rows: [InstructionSpec] = []
        rows.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { rows.append(contentsOf: part) }
        return rows
    }()

    /// The first row of each opcode, indexed by `Opcode.rawValue`.
    public static let byOpcode: [InstructionSpec] = {
        var rows = [InstructionSpec?](repeating: nil, count: Opcode.count)
        for spec in all where rows[Int(spec.opcode.rawValue)] == nil {
            rows[Int(spec.opcode.rawValue)] = spec
        }
        // A missing row is a bug in this file; the table test names it.
        return rows.enumerated().map { index, row in
            row ?? InstructionSpec(Opcode(rawValue: UInt16(index))!, "?", 0, 0xffff_ffff, .none, .i, .integer, "")
        }
    }()
}

/// Major opcodes (bits 6:0) of the 32-bit encodings.
enum Major {
    static let load: UInt32 = 0x03, loadFP: UInt32 = 0x07, miscMem: UInt32 = 0x0f, opImm: UInt32 = 0x13
    static let auipc: UInt32 = 0x17, opImm32: UInt32 = 0x1b, store: UInt32 = 0x23, storeFP: UInt32 = 0x27
    static let amo: UInt32 = 0x2f, op: UInt32 = 0x33, lui: UInt32 = 0x37, op32: UInt32 = 0x3b
    static let madd: UInt32 = 0x43, msub: UInt32 = 0x47, nmsub: UInt32 = 0x4b, nmadd: UInt32 = 0x4f
    static let opFP: UInt32 = 0x53, branch: UInt32 = 0x63, jalr: UInt32 = 0x67, jal: UInt32 = 0x6f
    static let system: UInt32 = 0x73
}

/// Masks for the common shapes: which fields are fixed.
enum Mask {
    static let opcode: UInt32 = 0x0000_007f
    static let funct3: UInt32 = 0x0000_707f
    static let funct7: UInt32 = 0xfe00_707f
    static let shift64: UInt32 = 0xfc00_707f
    static let fpRM: UInt32 = 0xfe00_007f
    static let fpUnaryRM: UInt32 = 0xfff0_007f
    static let fpUnary: UInt32 = 0xfff0_707f
    static let fma: UInt32 = 0x0600_007f
    static let amo: UInt32 = 0xf800_707f
    static let lr: UInt32 = 0xf9f0_707f
    static let exact: UInt32 = 0xffff_ffff
}

/// Builds a match value from the fixed fields.
@inline(__always)
func enc(_ major: UInt32, f3: UInt32 = 0, f7: UInt32 = 0, rs2: UInt32 = 0, rs1: UInt32 = 0, rd: UInt32 = 0) -> UInt32 {
    major | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25
}
