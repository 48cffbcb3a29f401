extension ISA {
    static let rv64i: [InstructionSpec] = {
        let load = { (o: Opcode, n: String, f3: UInt32, w: UInt8, s: Bool) in
            InstructionSpec(o, n, enc(Major.load, f3: f3), Mask.funct3, .i, .i, .memory, "xx", [], MemoryAccess(.load, width: w, signed: s))
        }
        let store = { (o: Opcode, n: String, f3: UInt32, w: UInt8) in
            InstructionSpec(o, n, enc(Major.store, f3: f3), Mask.funct3, .s, .i, .memory, "-xx", [], MemoryAccess(.store, width: w))
        }
        let branch = { (o: Opcode, n: String, f3: UInt32) in
            InstructionSpec(o, n, enc(Major.branch, f3: f3), Mask.funct3, .b, .i, .control, "-xx")
        }
        let imm = { (o: Opcode, n: String, major: UInt32, f3: UInt32) in
            InstructionSpec(o, n, enc(major, f3: f3), Mask.funct3, .i, .i, .integer, "xx")
        }
        let shift = { (o: Opcode, n: String, major: UInt32, f3: UInt32, f7: UInt32, mask: UInt32) in
            InstructionSpec(o, n, enc(major, f3: f3, f7: f7), mask, .shift, .i, .integer, "xx")
        }
        let reg = { (o: Opcode, n: String, major: UInt32, f3: UInt32, f7: UInt32) in
            InstructionSpec(o, n, enc(major, f3: f3, f7: f7), Mask.funct7, .r, .i, .integer, "xxx")
        }
        return [
            InstructionSpec(.lui, "lui", Major.lui, Mask.opcode, .u, .i, .integer, "x"),
            InstructionSpec(.auipc, "auipc", Major.auipc, Mask.opcode, .u, .i, .integer, "x"),
            InstructionSpec(.jal, "jal", Major.jal, Mask.opcode, .j, .i, .control, "x"),
            InstructionSpec(.jalr, "jalr", enc(Major.jalr), Mask.funct3, .i, .i, .control, "xx"),
            branch(.beq, "beq", 0), branch(.bne, "bne", 1), branch(.blt, "blt", 4),
            branch(.bge, "bge", 5), branch(.bltu, "bltu", 6), branch(.bgeu, "bgeu", 7),
            load(.lb, "lb", 0, 1, true), load(.lh, "lh", 1, 2, true), load(.lw, "lw", 2, 4, true),
            load(.ld, "ld", 3, 8, false), load(.lbu, "lbu", 4, 1, false), load(.lhu, "lhu", 5, 2, false),
            load(.lwu, "lwu", 6, 4, false),
            store(.sb, "sb", 0, 1), store(.sh, "sh", 1, 2), store(.sw, "sw", 2, 4), store(.sd, "sd", 3, 8),
            imm(.addi, "addi", Major.opImm, 0), imm(.slti, "slti", Major.opImm, 2),
            imm(.sltiu, "sltiu", Major.opImm, 3), imm(.xori, "xori", Major.opImm, 4),
            imm(.ori, "ori", Major.opImm, 6), imm(.andi, "andi", Major.opImm, 7),
            shift(.slli, "slli", Major.opImm, 1, 0x00, Mask.shift64),
            shift(.srli, "srli", Major.opImm, 5, 0x00, Mask.shift64),
            shift(.srai, "srai", Major.opImm, 5, 0x20, Mask.shift64),
            reg(.add, "add", Major.op, 0, 0x00), reg(.sub, "sub", Major.op, 0, 0x20),
            reg(.sll, "sll", Major.op, 1, 0x00), reg(.slt, "slt", Major.op, 2, 0x00),
            reg(.sltu, "sltu", Major.op, 3, 0x00), reg(.xor, "xor", Major.op, 4, 0x00),
            reg(.srl, "srl", Major.op, 5, 0x00), reg(.sra, "sra", Major.op, 5, 0x20),
            reg(.or, "or", Major.op, 6, 0x00), reg(.and, "and", Major.op, 7, 0x00),
            imm(.addiw, "addiw", Major.opImm32, 0),
            shift(.slliw, "slliw", Major.opImm32, 1, 0x00, Mask.funct7),
            shift(.srliw, "srliw", Major.opImm32, 5, 0x00, Mask.funct7),
            shift(.sraiw, "sraiw", Major.opImm32, 5, 0x20, Mask.funct7),
            reg(.addw, "addw", Major.op32, 0, 0x00), reg(.subw, "subw", Major.op32, 0, 0x20),
            reg(.sllw, "sllw", Major.op32, 1, 0x00), reg(.srlw, "srlw", Major.op32, 5, 0x00),
            reg(.sraw, "sraw", Major.op32, 5, 0x20),
            // binutils accepts only fm = 0 with rd = rs1 = 0, plus the one fence.tso encoding.
            InstructionSpec(.fence, "fence", enc(Major.miscMem), 0xf00f_ffff, .fence, .i, .memory, ""),
            InstructionSpec(.fence, "fence.tso", 0x8330_000f, Mask.exact, .fence, .i, .memory, ""),
            InstructionSpec(.ecall, "ecall", 0x0000_0073, Mask.exact, .none, .i, .system, "", .mayTrap),
            InstructionSpec(.ebreak, "ebreak", 0x0010_0073, Mask.exact, .none, .i, .system, "", .mayTrap),
        ]
    }()

    static let zifencei: [InstructionSpec] = [
        // binutils rejects fence.i with any nonzero rd, rs1 or imm, though the spec reserves them.
        InstructionSpec(.fence_i, "fence.i", enc(Major.miscMem, f3: 1), Mask.exact, .none, .zifencei, .system, ""),
    ]

    static let zicsr: [InstructionSpec] = {
        let csr = { (o: Opcode, n: String, f3: UInt32, fmt: Format) in
            InstructionSpec(o, n, enc(Major.system, f3: f3), Mask.funct3, fmt, .zicsr, .system,
                            fmt == .csr ? "xx" : "x", .mayTrap)
        }
        return [
            csr(.csrrw, "csrrw", 1, .csr), csr(.csrrs, "csrrs", 2, .csr), csr(.csrrc, "csrrc", 3, .csr),
            csr(.csrrwi, "csrrwi", 5, .csrImm), csr(.csrrsi, "csrrsi", 6, .csrImm), csr(.csrrci, "csrrci", 7, .csrImm),
        ]
    }()

    static let privileged: [InstructionSpec] = {
        let priv: InstructionFlags = [.privileged, .mayTrap]
        return [
            InstructionSpec(.sret, "sret", 0x1020_0073, Mask.exact, .none, .privileged, .system, "", priv),
            InstructionSpec(.mret, "mret", 0x3020_0073, Mask.exact, .none, .privileged, .system, "", priv),
            InstructionSpec(.wfi, "wfi", 0x1050_0073, Mask.exact, .none, .privileged, .system, "", priv),
            InstructionSpec(.sfence_vma, "sfence.vma", 0x1200_0073, 0xfe00_7fff, .sfence, .privileged, .system, "-xx", priv),
        ]
    }()
}
