import RISCV

/// Hand-written test programs, spelled like assembly: each builder fills an `Instruction` and
/// encodes it with `RISCV.encode`, so tests use the same table the decoder does. Register
/// operands are numbers (x0...x31, or f0...f31 where the opcode says so).
public enum RV {
    /// Any instruction by opcode; fields the opcode does not use are ignored by the encoder.
    public static func encode(_ op: Opcode, rd: Int = 0, rs1: Int = 0, rs2: Int = 0, rs3: Int = 0,
                              rm: Int = 0, csr: Int = 0, imm: Int = 0) -> UInt32 {
        RISCV.encode(Instruction(opcode: op, rd: UInt8(truncatingIfNeeded: rd), rs1: UInt8(truncatingIfNeeded: rs1),
                                 rs2: UInt8(truncatingIfNeeded: rs2), rs3: UInt8(truncatingIfNeeded: rs3),
                                 rm: UInt16(truncatingIfNeeded: rm), csr: UInt16(truncatingIfNeeded: csr),
                                 imm: Int64(imm)))
    }

    /// Register-register: `op rd, rs1, rs2`.
    public static func r(_ op: Opcode, _ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { encode(op, rd: rd, rs1: rs1, rs2: rs2) }
    /// Immediate, shift by immediate, load: `op rd, rs1, imm` (for loads, `op rd, imm(rs1)`).
    public static func i(_ op: Opcode, _ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { encode(op, rd: rd, rs1: rs1, imm: imm) }
    /// Store: `op rs2, imm(rs1)`.
    public static func s(_ op: Opcode, _ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { encode(op, rs1: rs1, rs2: rs2, imm: imm) }
    /// Branch: `op rs1, rs2, offset` (bytes from this instruction).
    public static func b(_ op: Opcode, _ rs1: Int, _ rs2: Int, _ offset: Int) -> UInt32 { encode(op, rs1: rs1, rs2: rs2, imm: offset) }
    /// Floating point with a rounding mode (7 = dynamic): `op rd, rs1, rs2` (rs2 unused by unary forms).
    public static func fp(_ op: Opcode, rm: Int = 7, _ rd: Int, _ rs1: Int, _ rs2: Int = 0) -> UInt32 {
        encode(op, rd: rd, rs1: rs1, rs2: rs2, rm: rm)
    }
    /// Zicsr: `op rd, csr, rs1` (the 5-bit immediate in rs1 for the `*i` forms).
    public static func csr(_ op: Opcode, _ rd: Int, _ csr: Int, _ rs1: Int) -> UInt32 { encode(op, rd: rd, rs1: rs1, csr: csr) }

    // RV64I, by mnemonic. `lui` and `auipc` take the 20-bit upper immediate, as assembly does.
    public static func lui(_ rd: Int, _ imm20: Int) -> UInt32 { encode(.lui, rd: rd, imm: (imm20 & 0xfffff) << 12) }
    public static func auipc(_ rd: Int, _ imm20: Int) -> UInt32 { encode(.auipc, rd: rd, imm: (imm20 & 0xfffff) << 12) }
    public static func jal(_ rd: Int, _ offset: Int) -> UInt32 { encode(.jal, rd: rd, imm: offset) }
    public static func jalr(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { i(.jalr, rd, rs1, imm) }
    public static func beq(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(.beq, a, b, off) }
    public static func bne(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(.bne, a, b, off) }
    public static func blt(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(.blt, a, b, off) }
    public static func bge(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(.bge, a, b, off) }
    public static func bltu(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(.bltu, a, b, off) }
    public static func bgeu(_ a: Int, _ b: Int, _ off: Int) -> UInt32 { RV.b(.bgeu, a, b, off) }
    public static func ld(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { i(.ld, rd, rs1, imm) }
    public static func sd(_ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { s(.sd, rs2, rs1, imm) }
    public static func sw(_ rs2: Int, _ rs1: Int, _ imm: Int) -> UInt32 { s(.sw, rs2, rs1, imm) }
    public static func addi(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { i(.addi, rd, rs1, imm) }
    public static func add(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { r(.add, rd, rs1, rs2) }
    public static func slli(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { i(.slli, rd, rs1, sh) }
    public static let ecall = encode(.ecall)
    public static let fenceI = encode(.fence_i)
    /// `csrr rd, csr` (csrrs rd, csr, x0).
    public static func csrr(_ rd: Int, _ csr: Int) -> UInt32 { RV.csr(.csrrs, rd, csr, 0) }
    public static func amoaddD(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { r(.amoadd_d, rd, rs1, rs2) }
    public static func lrD(_ rd: Int, _ rs1: Int) -> UInt32 { encode(.lr_d, rd: rd, rs1: rs1) }
    public static func scD(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { r(.sc_d, rd, rs1, rs2) }

    /// addi a7, x0, 93; ecall — exit(a0).
    public static let exit: [UInt32] = [addi(17, 0, 93), ecall]

    /// Loads in funct3 order (lb lh lw ld lbu lhu lwu), and stores likewise (sb sh sw sd).
    public static let loads: [Opcode] = [.lb, .lh, .lw, .ld, .lbu, .lhu, .lwu]
    public static let stores: [Opcode] = [.sb, .sh, .sw, .sd]
    /// Conditional branches in funct3 order.
    public static let branches: [Opcode] = [.beq, .bne, .blt, .bge, .bltu, .bgeu]

    /// The register-register ALU operations of RV64IM.
    public static let registerOps: [Opcode] = [
        .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
        .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu,
        .addw, .subw, .sllw, .srlw, .sraw, .mulw, .divw, .divuw, .remw, .remuw,
    ]
    /// The register-immediate ALU operations other than shifts.
    public static let immediateOps: [Opcode] = [.addi, .slti, .sltiu, .xori, .ori, .andi, .addiw]
    /// Shifts by immediate, with their largest shift amount.
    public static let shiftImmediateOps: [(Opcode, maxShift: Int)] = [
        (.slli, 63), (.srli, 63), (.srai, 63), (.slliw, 31), (.srliw, 31), (.sraiw, 31),
    ]

    /// The bit group's opcodes by operand shape: rd, rs1, rs2 / rd, rs1 / rd, rs1, shift amount
    /// (with its largest amount).
    public static let bitRegisterOps: [Opcode] = Opcode.allCases.filter { $0.group == .bit && $0.info.format == .r }
    public static let bitUnaryOps: [Opcode] = Opcode.allCases.filter { $0.group == .bit && $0.info.format == .unary }
    public static let bitShiftOps: [(Opcode, maxShift: Int)] = Opcode.allCases
        .filter { $0.group == .bit && $0.info.format == .shift }
        .map { ($0, $0.info.mask & (1 << 25) != 0 ? 31 : 63) }
}
