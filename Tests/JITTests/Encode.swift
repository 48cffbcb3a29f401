/// A small RV64 assembler for hand-written test programs: the standard 32-bit formats and the
/// mnemonics the tests use. Register operands are numbers (x0...x31).
enum RV {
    static func r(_ op: UInt32, _ f3: UInt32, _ f7: UInt32, _ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 {
        f7 << 25 | UInt32(rs2) << 20 | UInt32(rs1) << 15 | f3 << 12 | UInt32(rd) << 7 | op
    }
    static func i(_ op: UInt32, _ f3: UInt32, _ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: imm & 0xfff) << 20 | UInt32(rs1) << 15 | f3 << 12 | UInt32(rd) << 7 | op
    }
    static func s(_ op: UInt32, _ f3: UInt32, _ rs1: Int, _ rs2: Int, _ imm: Int) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: imm & 0xfff)
        return (v >> 5) << 25 | UInt32(rs2) << 20 | UInt32(rs1) << 15 | f3 << 12 | (v & 31) << 7 | op
    }
    static func b(_ f3: UInt32, _ rs1: Int, _ rs2: Int, _ offset: Int) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: offset & 0x1fff)
        let hi = (v >> 12 & 1) << 31 | (v >> 5 & 0x3f) << 25
        let lo = (v >> 1 & 0xf) << 8 | (v >> 11 & 1) << 7
        return hi | UInt32(rs2) << 20 | UInt32(rs1) << 15 | f3 << 12 | lo | 0x63
    }
    static func j(_ rd: Int, _ offset: Int) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: offset & 0x1fffff)
        let imm = (v >> 20 & 1) << 31 | (v >> 1 & 0x3ff) << 21 | (v >> 11 & 1) << 20 | (v >> 12 & 0xff) << 12
        return imm | UInt32(rd) << 7 | 0x6f
    }

    // RV64I
    static func lui(_ rd: Int, _ imm20: Int) -> UInt32 { UInt32(truncatingIfNeeded: imm20 & 0xfffff) << 12 | UInt32(rd) << 7 | 0x37 }
    static func auipc(_ rd: Int, _ imm20: Int) -> UInt32 { UInt32(truncatingIfNeeded: imm20 & 0xfffff) << 12 | UInt32(rd) << 7 | 0x17 }
    static func jal(_ rd: Int, _ offset: Int) -> UInt32 { j(rd, offset) }
    static func jalr(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { i(0x67, 0, rd, rs1, imm) }
    static func beq(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(0, a, b, off) }
    static func bne(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(1, a, b, off) }
    static func blt(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(4, a, b, off) }
    static func bge(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(5, a, b, off) }
    static func bltu(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(6, a, b, off) }
    static func bgeu(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(7, a, b, off) }
    static func load(_ f3: UInt32, _ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { i(0x03, f3, rd, rs1, imm) }
    static func ld(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { load(3, rd, rs1, imm) }
    static func store(_ f3: UInt32, _ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { s(0x23, f3, rs1, rs2, imm) }
    static func sd(_ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { store(3, rs2, rs1, imm) }
    static func sw(_ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { store(2, rs2, rs1, imm) }
    static func addi(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { i(0x13, 0, rd, rs1, imm) }
    static func add(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { r(0x33, 0, 0, rd, rs1, rs2) }
    static func slli(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { i(0x13, 1, rd, rs1, sh) }
    static let ecall: UInt32 = 0x73
    static let fenceI: UInt32 = 0x100f
    /// csrrs rd, csr, x0
    static func csrr(_ rd: Int, _ csr: Int) -> UInt32 { UInt32(csr) << 20 | 2 << 12 | UInt32(rd) << 7 | 0x73 }
    static func amoaddD(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { r(0x2f, 3, 0, rd, rs1, rs2) }
    static func lrD(_ rd: Int, _ rs1: Int) -> UInt32 { r(0x2f, 3, 0x08, rd, rs1, 0) }
    static func scD(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { r(0x2f, 3, 0x0c, rd, rs1, rs2) }

    /// addi a7, x0, 93; ecall — exit(a0).
    static let exit: [UInt32] = [addi(17, 0, 93), ecall]

    /// R-type ALU operations by name: (opcode, funct3, funct7).
    static let registerOps: [(String, UInt32, UInt32, UInt32)] = [
        ("add", 0x33, 0, 0), ("sub", 0x33, 0, 0x20), ("sll", 0x33, 1, 0), ("slt", 0x33, 2, 0),
        ("sltu", 0x33, 3, 0), ("xor", 0x33, 4, 0), ("srl", 0x33, 5, 0), ("sra", 0x33, 5, 0x20),
        ("or", 0x33, 6, 0), ("and", 0x33, 7, 0),
        ("mul", 0x33, 0, 1), ("mulh", 0x33, 1, 1), ("mulhsu", 0x33, 2, 1), ("mulhu", 0x33, 3, 1),
        ("div", 0x33, 4, 1), ("divu", 0x33, 5, 1), ("rem", 0x33, 6, 1), ("remu", 0x33, 7, 1),
        ("addw", 0x3b, 0, 0), ("subw", 0x3b, 0, 0x20), ("sllw", 0x3b, 1, 0), ("srlw", 0x3b, 5, 0),
        ("sraw", 0x3b, 5, 0x20), ("mulw", 0x3b, 0, 1), ("divw", 0x3b, 4, 1), ("divuw", 0x3b, 5, 1),
        ("remw", 0x3b, 6, 1), ("remuw", 0x3b, 7, 1),
    ]

    /// I-type ALU operations: (name, opcode, funct3, high bits OR-ed into the immediate field).
    static let immediateOps: [(String, UInt32, UInt32, Int)] = [
        ("addi", 0x13, 0, 0), ("slti", 0x13, 2, 0), ("sltiu", 0x13, 3, 0), ("xori", 0x13, 4, 0),
        ("ori", 0x13, 6, 0), ("andi", 0x13, 7, 0), ("addiw", 0x1b, 0, 0),
    ]
    static let shiftImmediateOps: [(String, UInt32, UInt32, Int, Int)] = [
        // (name, opcode, funct3, funct6/7 bits at imm[11:5 or 6], max shamt)
        ("slli", 0x13, 1, 0, 63), ("srli", 0x13, 5, 0, 63), ("srai", 0x13, 5, 0x400, 63),
        ("slliw", 0x1b, 1, 0, 31), ("srliw", 0x1b, 5, 0, 31), ("sraiw", 0x1b, 5, 0x400, 31),
    ]
}
