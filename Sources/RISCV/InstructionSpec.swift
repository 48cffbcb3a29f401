/// How an instruction's operand fields sit in its 32-bit encoding. The decoder extracts fields by
/// format, the encoder puts them back, and the disassembler chooses operand syntax from it.
public enum Format: UInt8, Sendable {
    /// rd, rs1, rs2.
    case r
    /// rd, rs1, rs2, rm (FP arithmetic).
    case rRM
    /// rd, rs1, rs2, rs3, rm (fused multiply-add).
    case r4
    /// rd, rs1; rs2 is part of the opcode (fclass, fmv, rounding-free conversions).
    case unary
    /// rd, rs1, rm; rs2 is part of the opcode (fsqrt, conversions).
    case unaryRM
    /// rd, rs1, 12-bit signed immediate (ALU immediates, loads, jalr).
    case i
    /// rd, rs1, shift amount in `imm`.
    case shift
    /// rs1, rs2, 12-bit signed store offset.
    case s
    /// rs1, rs2, 13-bit signed branch offset.
    case b
    /// rd, 32-bit signed upper immediate.
    case u
    /// rd, 21-bit signed jump offset.
    case j
    /// rd, rs1, csr.
    case csr
    /// rd, 5-bit immediate in rs1, csr.
    case csrImm
    /// fm, pred and succ in `rm`.
    case fence
    /// rd, rs1, rs2, aq/rl in `rm`.
    case amo
    /// rd, rs1, aq/rl in `rm` (lr has no rs2).
    case lr
    /// No operands.
    case none
    /// rd, rs1, rs2, and a byte select in bits 31:30 as `imm` (sm4ed, sm4ks).
    case byteSelect
    /// rd, rs1, and a round number in bits 23:20 as `imm` (aes64ks1i).
    case roundNumber
    /// rs1, rs2 (sfence.vma).
    case sfence
    /// rs1 alone (cbo.*: the address operand).
    case cbo
    /// rd, rs1 (and rs2 for mop.rr), and the operation number n as `imm` (Zimop: bits 30, 27:26
    /// and, for mop.r, 21:20).
    case mop
}

/// The ISA module an instruction belongs to.
public enum Extension: UInt8, Sendable, CaseIterable {
    case i, m, a, f, d, zicsr, zifencei, privileged
    /// The bit group's extensions. An instruction in two of them (`andn` in Zbb and Zbkb,
    /// `clmul` in Zbc and Zbkc) has its row under the first; `Extension.also` names the other.
    case zba, zbb, zbc, zbs, zbkb, zbkc, zbkx, zicond
    /// The crypto group's (aes64ks1i and aes64ks2 are Zkne's and Zknd's: the row says zkne).
    case zkne, zknd, zknh, zksh, zksed
    /// Additional floating-point instructions (the float group's).
    case zfa
    /// RVA22/RVA23 scalar extensions (ISA+Ext.swift). Zicbop, Zihintpause and Zihintntl are hints
    /// on base encodings and have no rows of their own: they are names the guest is told.
    case zimop
    case zacas
    case zicbom
    case zicboz
    case zawrs
    case zcb
    case zcmop
    case zicbop
    case zihintpause
    case zihintntl
    /// Half precision: Zfhmin's moves and conversions, Zfh's arithmetic (Zfh implies Zfhmin).
    case zfh
    case zfhmin
    /// The compressed encodings (RVC): no row of `ISA.all` names it; `CompressedSpec.ext` does.
    case c
}

/// Which register file an operand field names.
public enum RegisterFile: UInt8, Sendable {
    case none, x, f
}

/// What a memory instruction does with memory.
public struct MemoryAccess: Sendable, Equatable {
    public enum Kind: UInt8, Sendable { case load, store, loadReserved, storeConditional, atomic }
    public var kind: Kind
    /// Bytes accessed: 1, 2, 4 or 8.
    public var width: UInt8
    /// Loads narrower than 8 bytes into x registers sign-extend when true, zero-extend when false.
    public var signed: Bool

    public init(_ kind: Kind, width: UInt8, signed: Bool = false) {
        self.kind = kind
        self.width = width
        self.signed = signed
    }
}

/// Properties engines need without knowing the instruction's meaning.
public struct InstructionFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A basic block ends after this instruction: it transfers control, or it must exit to the
    /// trap-and-emulate handler. Set from the row's group (`OpcodeGroup.endsBlock`), never by hand.
    public static let endsBlock = InstructionFlags(rawValue: 1 << 0)
    /// Only legal above user mode.
    public static let privileged = InstructionFlags(rawValue: 1 << 1)
    /// Can raise a synchronous exception even though it decoded (memory faults, environment
    /// calls, illegal CSR accesses or rounding modes, privilege checks).
    public static let mayTrap = InstructionFlags(rawValue: 1 << 2)
    /// Has an `rm` rounding-mode field (7 = dynamic, 5 and 6 are illegal when executed).
    public static let roundingMode = InstructionFlags(rawValue: 1 << 3)
}

/// One row of the ISA table: everything about an instruction that is data rather than meaning.
public struct InstructionSpec: Sendable {
    public let opcode: Opcode
    /// The canonical (non-alias) binutils mnemonic, e.g. `fcvt.w.s`, `amoadd.w`.
    public let mnemonic: String
    /// The bits of `match` that identify the instruction; the rest are operand fields.
    public let mask: UInt32
    public let match: UInt32
    public let format: Format
    public internal(set) var ext: Extension
    /// Which engine code handles it; also decides `endsBlock`.
    public let group: OpcodeGroup
    public let rd: RegisterFile
    public let rs1: RegisterFile
    public let rs2: RegisterFile
    public let rs3: RegisterFile
    public let flags: InstructionFlags
    public let memory: MemoryAccess?

    /// `regs` names the files of rd, rs1, rs2 and rs3 in that order: `x`, `f` or `-` for unused.
    init(_ opcode: Opcode, _ mnemonic: String, _ match: UInt32, _ mask: UInt32, _ format: Format,
         _ ext: Extension, _ group: OpcodeGroup, _ regs: StaticString, _ flags: InstructionFlags = [],
         _ memory: MemoryAccess? = nil) {
        self.opcode = opcode
        self.mnemonic = mnemonic
        self.match = match
        self.mask = mask
        self.format = format
        self.ext = ext
        self.group = group
        // Read in place: every Trapeze process builds the table, and an array per row cost it
        // an allocation for each of some 600 rows.
        // (`withUTF8Buffer`, not `utf8Start`: a one-letter literal may be stored as a scalar.)
        var files = (RegisterFile.none, RegisterFile.none, RegisterFile.none, RegisterFile.none)
        regs.withUTF8Buffer { bytes in
            func file(_ k: Int) -> RegisterFile {
                guard k < bytes.count else { return .none }
                return bytes[k] == UInt8(ascii: "x") ? .x : bytes[k] == UInt8(ascii: "f") ? .f : .none
            }
            files = (file(0), file(1), file(2), file(3))
        }
        (rd, rs1, rs2, rs3) = files
        var all = flags
        if group.endsBlock { all.insert(.endsBlock) }
        if format == .rRM || format == .r4 || format == .unaryRM { all.insert([.roundingMode, .mayTrap]) }
        if memory != nil { all.insert(.mayTrap) }
        self.flags = all
        self.memory = memory
    }

    public var endsBlock: Bool { flags.contains(.endsBlock) }
    public var isPrivileged: Bool { flags.contains(.privileged) }
    public var mayTrap: Bool { flags.contains(.mayTrap) }

    /// True when the instruction writes an x register (`rd` names one).
    public var writesX: Bool { rd == .x }
    public var writesF: Bool { rd == .f }
    /// True when any source operand names an x register.
    public var readsX: Bool { rs1 == .x || rs2 == .x || rs3 == .x }
    public var readsF: Bool { rs1 == .f || rs2 == .f || rs3 == .f }
}

extension Opcode {
    /// This operation's row in the ISA table.
    @inlinable public var info: InstructionSpec { ISA.byOpcode[Int(rawValue)] }
}
