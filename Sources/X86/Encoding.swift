/// The r/m operand of a ModRM-encoded instruction: a register number (GPR or XMM) or memory.
enum RM {
    case reg(UInt8)
    case mem(Mem)

    static func gpr(_ r: Reg) -> RM { .reg(r.gpr.rawValue) }
    static func xmm(_ x: XMM) -> RM { .reg(x.rawValue) }
}

/// Legacy prefixes an instruction may carry besides REX. The order they are emitted in
/// (66, F0, F2/F3) is the one binutils and LLVM use, so goldens compare byte for byte.
struct Prefixes {
    /// Operand-size override: 16-bit operands, or the mandatory 66 of SSE2 instructions.
    var opsize = false
    /// F2 or F3 as a mandatory prefix (scalar SSE, popcnt/lzcnt/tzcnt).
    var rep: UInt8? = nil

    static let none = Prefixes()
    static let p66 = Prefixes(opsize: true)
    static let pF2 = Prefixes(rep: 0xF2)
    static let pF3 = Prefixes(rep: 0xF3)
}

/// An instruction's opcode bytes (one to three), held inline: encoding an instruction must not
/// allocate, and an `[UInt8]` per instruction did (most of the JIT's translation time). Written
/// `.of(0x0F, 0xAF)` at the call sites. (Not an array literal: its variadic initializer allocates.)
struct OpcodeBytes {
    /// The bytes, first in the low byte.
    var packed: UInt32
    var count: Int

    static func of(_ b0: UInt8) -> OpcodeBytes { OpcodeBytes(packed: UInt32(b0), count: 1) }
    static func of(_ b0: UInt8, _ b1: UInt8) -> OpcodeBytes {
        OpcodeBytes(packed: UInt32(b0) | UInt32(b1) << 8, count: 2)
    }
    static func of(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> OpcodeBytes {
        OpcodeBytes(packed: UInt32(b0) | UInt32(b1) << 8 | UInt32(b2) << 16, count: 3)
    }

    /// The last byte with `bits` or-ed in (the register of the +r opcode forms).
    func orLast(_ bits: UInt8) -> OpcodeBytes {
        OpcodeBytes(packed: packed | UInt32(bits) << (8 * UInt32(count - 1)), count: count)
    }
}

/// Whether the byte registers an instruction names need a REX prefix (spl/bpl/sil/dil do),
/// decided where the operands are written so no array is kept: `byteRegs: .of(dst, src)`.
struct ByteRegs {
    var needREX: Bool

    static func of() -> ByteRegs { ByteRegs(needREX: false) }
    static func of(_ r: Reg) -> ByteRegs { ByteRegs(needREX: r.needsREXForByte) }
    static func of(_ r: Reg, _ s: Reg) -> ByteRegs { ByteRegs(needREX: r.needsREXForByte || s.needsREXForByte) }
}

extension Assembler {
    mutating func append(_ o: OpcodeBytes) {
        var x = o.packed
        for _ in 0..<o.count {
            bytes.append(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }

    /// Emits a legacy-encoded instruction: prefixes, REX, opcode, ModRM/SIB/displacement, immediate.
    ///
    /// - `reg` is the ModRM.reg field: a register number or an opcode extension (/digit).
    /// - `byteRegs` lists the byte registers involved, because spl/bpl/sil/dil require a REX.
    mutating func emit(
        _ p: Prefixes, w: Bool = false, _ opcode: OpcodeBytes, reg: UInt8, rm: RM,
        byteRegs: ByteRegs = .of(), imm: Int64 = 0, immSize: Int = 0
    ) {
        emitPrefixes(p)
        var rex: UInt8 = 0
        if w { rex |= 8 }
        if reg >= 8 { rex |= 4 }
        switch rm {
        case .reg(let n):
            if n >= 8 { rex |= 1 }
        case .mem(let m):
            if m.index?.isExtended == true { rex |= 2 }
            if case .gpr(let b) = m.base, b.isExtended { rex |= 1 }
        }
        if rex != 0 || byteRegs.needREX { bytes.append(0x40 | rex) }
        append(opcode)
        emitModRM(reg: reg, rm: rm, immSize: immSize)
        emitImmediate(imm, size: immSize)
    }

    /// Emits an instruction with no ModRM whose register is in the opcode's low bits
    /// (push/pop, bswap, mov r, imm).
    mutating func emitOpcodeReg(
        _ p: Prefixes, w: Bool = false, _ opcode: OpcodeBytes, _ r: Reg, imm: Int64 = 0, immSize: Int = 0
    ) {
        emitPrefixes(p)
        var rex: UInt8 = w ? 8 : 0
        if r.gpr.isExtended { rex |= 1 }
        if rex != 0 || r.needsREXForByte { bytes.append(0x40 | rex) }
        append(opcode.orLast(r.gpr.low3))
        emitImmediate(imm, size: immSize)
    }

    /// Emits an opcode with no operands encoded in it (ret, cqo, …), after any pending lock.
    mutating func emitPlain(_ opcode: OpcodeBytes) { emitPlain(.none, opcode) }

    mutating func emitPlain(_ p: Prefixes = .none, w: Bool = false, _ opcode: OpcodeBytes) {
        emitPrefixes(p)
        if w { bytes.append(0x48) }
        append(opcode)
    }

    /// Emits a VEX-encoded instruction. `map` is 1 (0F), 2 (0F38) or 3 (0F3A); `pp` is 0 (none),
    /// 1 (66), 2 (F3) or 3 (F2); `vvvv` is the extra register operand's number.
    mutating func emitVEX(
        map: UInt8, pp: UInt8, w: Bool, vvvv: UInt8, _ opcode: UInt8, reg: UInt8, rm: RM, immSize: Int = 0
    ) {
        var x = false, b = false
        switch rm {
        case .reg(let n): b = n >= 8
        case .mem(let m):
            x = m.index?.isExtended == true
            if case .gpr(let base) = m.base { b = base.isExtended }
        }
        let notR: UInt8 = reg >= 8 ? 0 : 0x80
        let tail: UInt8 = (~vvvv & 0xF) << 3 | pp  // L = 0: scalar and LZ forms are 128-bit/zero
        if map == 1 && !w && !x && !b {
            bytes.append(0xC5)
            bytes.append(notR | tail)
        } else {
            let byte1 = notR | (x ? 0 : 0x40) | (b ? 0 : 0x20) | map
            bytes.append(0xC4)
            bytes.append(byte1)
            bytes.append((w ? 0x80 : 0) | tail)
        }
        bytes.append(opcode)
        emitModRM(reg: reg, rm: rm, immSize: immSize)
    }

    private mutating func emitPrefixes(_ p: Prefixes) {
        if p.opsize { bytes.append(0x66) }
        if pendingLock {
            bytes.append(0xF0)
            pendingLock = false
        }
        if let rep = p.rep { bytes.append(rep) }
    }

    /// ModRM, SIB and displacement. `immSize` is how many immediate bytes follow, which
    /// RIP-relative displacements must account for.
    private mutating func emitModRM(reg: UInt8, rm: RM, immSize: Int) {
        let r = (reg & 7) << 3
        switch rm {
        case .reg(let n):
            bytes.append(0xC0 | r | (n & 7))
        case .mem(let m):
            let ss: UInt8 = switch m.scale {
            case 1: 0
            case 2: 1 << 6
            case 4: 2 << 6
            default: 3 << 6
            }
            switch m.base {
            case .rip:
                bytes.append(r | 0b101)
                emitLittleEndian(Int64(m.disp), size: 4)
            case .label(let l):
                bytes.append(r | 0b101)
                // A bias on a label target is the same as measuring from an earlier end.
                emitLabelDisplacement(l, width: 4, end: offset + 4 + immSize - Int(m.disp))
            case .none:
                // mod 00 with SIB base 101 means "no base, disp32"; index 100 means "no index".
                bytes.append(r | 0b100)
                bytes.append(ss | (m.index?.low3 ?? 0b100) << 3 | 0b101)
                emitLittleEndian(Int64(m.disp), size: 4)
            case .gpr(let b):
                // rbp/r13 as base with mod 00 would mean RIP/no-base, so they always take a disp8.
                let mod: UInt8 = m.disp == 0 && b.low3 != 5 ? 0 : (Int8(exactly: m.disp) != nil ? 1 : 2)
                // rsp/r12 in ModRM.rm means "a SIB follows", so they always need one.
                if m.index != nil || b.low3 == 4 {
                    bytes.append(mod << 6 | r | 0b100)
                    bytes.append(ss | (m.index?.low3 ?? 0b100) << 3 | b.low3)
                } else {
                    bytes.append(mod << 6 | r | b.low3)
                }
                if mod == 1 { emitLittleEndian(Int64(m.disp), size: 1) }
                if mod == 2 { emitLittleEndian(Int64(m.disp), size: 4) }
            }
        }
    }

    mutating func emitImmediate(_ v: Int64, size: Int) {
        emitLittleEndian(v, size: size)
    }

    private mutating func emitLittleEndian(_ v: Int64, size: Int) {
        var x = UInt64(bitPattern: v)
        for _ in 0..<size {
            bytes.append(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }
}
