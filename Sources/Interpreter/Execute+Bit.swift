import Guest
import RISCV

/// Zba, Zbb, Zbc, Zbs, Zbkb, Zbkx and Zicond on register values, as the ratified specifications
/// define them. Public so that the JIT's helper for the operations it does not emit inline calls
/// the same definitions.
public enum BitOps {
    @inline(__always) static func low32(_ a: UInt64) -> UInt64 { a & 0xffff_ffff }

    // Zba: shift-and-add, and the unsigned-word forms that zero-extend rs1 first.
    @inline(__always) public static func sh1add(_ a: UInt64, _ b: UInt64) -> UInt64 { (a &<< 1) &+ b }
    @inline(__always) public static func sh2add(_ a: UInt64, _ b: UInt64) -> UInt64 { (a &<< 2) &+ b }
    @inline(__always) public static func sh3add(_ a: UInt64, _ b: UInt64) -> UInt64 { (a &<< 3) &+ b }
    @inline(__always) public static func addUW(_ a: UInt64, _ b: UInt64) -> UInt64 { low32(a) &+ b }
    @inline(__always) public static func sh1addUW(_ a: UInt64, _ b: UInt64) -> UInt64 { (low32(a) &<< 1) &+ b }
    @inline(__always) public static func sh2addUW(_ a: UInt64, _ b: UInt64) -> UInt64 { (low32(a) &<< 2) &+ b }
    @inline(__always) public static func sh3addUW(_ a: UInt64, _ b: UInt64) -> UInt64 { (low32(a) &<< 3) &+ b }
    @inline(__always) public static func shiftLeftUW(_ a: UInt64, _ shamt: UInt64) -> UInt64 { low32(a) &<< (shamt & 63) }

    // Zbb
    @inline(__always) public static func andNot(_ a: UInt64, _ b: UInt64) -> UInt64 { a & ~b }
    @inline(__always) public static func orNot(_ a: UInt64, _ b: UInt64) -> UInt64 { a | ~b }
    @inline(__always) public static func xorNot(_ a: UInt64, _ b: UInt64) -> UInt64 { ~(a ^ b) }
    /// Counts are of the whole register (64 for zero), or of its low word for the W forms (32).
    @inline(__always) public static func clz(_ a: UInt64) -> UInt64 { UInt64(a.leadingZeroBitCount) }
    @inline(__always) public static func clzw(_ a: UInt64) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: a).leadingZeroBitCount) }
    @inline(__always) public static func ctz(_ a: UInt64) -> UInt64 { UInt64(a.trailingZeroBitCount) }
    @inline(__always) public static func ctzw(_ a: UInt64) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: a).trailingZeroBitCount) }
    @inline(__always) public static func cpop(_ a: UInt64) -> UInt64 { UInt64(a.nonzeroBitCount) }
    @inline(__always) public static func cpopw(_ a: UInt64) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: a).nonzeroBitCount) }
    @inline(__always) public static func max(_ a: UInt64, _ b: UInt64) -> UInt64 {
        Int64(bitPattern: a) < Int64(bitPattern: b) ? b : a
    }
    @inline(__always) public static func min(_ a: UInt64, _ b: UInt64) -> UInt64 {
        Int64(bitPattern: a) < Int64(bitPattern: b) ? a : b
    }
    @inline(__always) public static func maxUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 { a < b ? b : a }
    @inline(__always) public static func minUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 { a < b ? a : b }
    @inline(__always) public static func signExtendByte(_ a: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: a))) }
    @inline(__always) public static func signExtendHalf(_ a: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: a))) }
    @inline(__always) public static func zeroExtendHalf(_ a: UInt64) -> UInt64 { a & 0xffff }
    /// Rotates use the low 6 bits of the amount (5 for the W forms, which sign-extend bit 31).
    @inline(__always) public static func rotateLeft(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = b & 63
        return a &<< s | a &>> ((64 &- s) & 63)
    }
    @inline(__always) public static func rotateRight(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = b & 63
        return a &>> s | a &<< ((64 &- s) & 63)
    }
    @inline(__always) public static func rotateLeftWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = UInt32(truncatingIfNeeded: a), s = UInt32(b & 31)
        return IntegerOps.signExtendWord(UInt64(x &<< s | x &>> ((32 &- s) & 31)))
    }
    @inline(__always) public static func rotateRightWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = UInt32(truncatingIfNeeded: a), s = UInt32(b & 31)
        return IntegerOps.signExtendWord(UInt64(x &>> s | x &<< ((32 &- s) & 31)))
    }
    /// Each byte becomes 0xff if any of its bits is set, else 0x00.
    @inline(__always) public static func orCombineBytes(_ a: UInt64) -> UInt64 {
        var r: UInt64 = 0
        for byte in 0..<8 where (a >> (8 * UInt64(byte))) & 0xff != 0 { r |= 0xff << (8 * UInt64(byte)) }
        return r
    }
    @inline(__always) public static func reverseBytes(_ a: UInt64) -> UInt64 { a.byteSwapped }

    // Zbc: carry-less multiplication, low half, high half and bits 126:63 of the 128-bit product.
    @inline(__always) static func carrylessProduct(_ a: UInt64, _ b: UInt64) -> (high: UInt64, low: UInt64) {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<64 where (b >> UInt64(i)) & 1 != 0 {
            low ^= a &<< UInt64(i)
            if i != 0 { high ^= a &>> UInt64(64 - i) }
        }
        return (high, low)
    }
    @inline(__always) public static func clmul(_ a: UInt64, _ b: UInt64) -> UInt64 { carrylessProduct(a, b).low }
    @inline(__always) public static func clmulh(_ a: UInt64, _ b: UInt64) -> UInt64 { carrylessProduct(a, b).high }
    @inline(__always) public static func clmulr(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let p = carrylessProduct(a, b)
        return p.high &<< 1 | p.low &>> 63
    }

    // Zbs: the bit index is the low 6 bits of rs2 or the shift amount.
    @inline(__always) public static func bitClear(_ a: UInt64, _ b: UInt64) -> UInt64 { a & ~(1 &<< (b & 63)) }
    @inline(__always) public static func bitExtract(_ a: UInt64, _ b: UInt64) -> UInt64 { (a &>> (b & 63)) & 1 }
    @inline(__always) public static func bitInvert(_ a: UInt64, _ b: UInt64) -> UInt64 { a ^ (1 &<< (b & 63)) }
    @inline(__always) public static func bitSet(_ a: UInt64, _ b: UInt64) -> UInt64 { a | (1 &<< (b & 63)) }

    // Zbkb, Zbkx
    @inline(__always) public static func pack(_ a: UInt64, _ b: UInt64) -> UInt64 { low32(a) | b &<< 32 }
    @inline(__always) public static func packHalf(_ a: UInt64, _ b: UInt64) -> UInt64 { (a & 0xff) | (b & 0xff) &<< 8 }
    @inline(__always) public static func packWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        IntegerOps.signExtendWord((a & 0xffff) | (b & 0xffff) &<< 16)
    }
    /// Reverses the bits of each byte in place.
    @inline(__always) public static func reverseBitsInBytes(_ a: UInt64) -> UInt64 {
        var x = a
        x = (x & 0x5555_5555_5555_5555) << 1 | (x >> 1) & 0x5555_5555_5555_5555
        x = (x & 0x3333_3333_3333_3333) << 2 | (x >> 2) & 0x3333_3333_3333_3333
        x = (x & 0x0f0f_0f0f_0f0f_0f0f) << 4 | (x >> 4) & 0x0f0f_0f0f_0f0f_0f0f
        return x
    }
    /// Nibble i of the result is nibble (nibble i of b) of a; RV64 has 16, so every index is in range.
    @inline(__always) public static func crossbarNibbles(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var r: UInt64 = 0
        for i in stride(from: UInt64(0), to: 64, by: 4) {
            let index = (b >> i) & 0xf
            r |= ((a >> (index * 4)) & 0xf) << i
        }
        return r
    }
    /// Byte i of the result is byte (byte i of b) of a, or 0 when that index is 8 or more.
    @inline(__always) public static func crossbarBytes(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var r: UInt64 = 0
        for i in stride(from: UInt64(0), to: 64, by: 8) {
            let index = (b >> i) & 0xff
            if index < 8 { r |= ((a >> (index * 8)) & 0xff) << i }
        }
        return r
    }

    // Zicond
    @inline(__always) public static func zeroIfEqualZero(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? 0 : a }
    @inline(__always) public static func zeroIfNotZero(_ a: UInt64, _ b: UInt64) -> UInt64 { b != 0 ? 0 : a }

    /// One bit-group instruction's result from rs1's and rs2's values (`b` is the shift amount
    /// for the immediate forms): the interpreter's and the JIT helper's one definition.
    public static func result(_ op: BitOp, _ a: UInt64, _ b: UInt64) -> UInt64 {
        switch op {
        case .sh1add: sh1add(a, b)
        case .sh2add: sh2add(a, b)
        case .sh3add: sh3add(a, b)
        case .add_uw: addUW(a, b)
        case .sh1add_uw: sh1addUW(a, b)
        case .sh2add_uw: sh2addUW(a, b)
        case .sh3add_uw: sh3addUW(a, b)
        case .slli_uw: shiftLeftUW(a, b)
        case .andn: andNot(a, b)
        case .orn: orNot(a, b)
        case .xnor: xorNot(a, b)
        case .clz: clz(a)
        case .clzw: clzw(a)
        case .ctz: ctz(a)
        case .ctzw: ctzw(a)
        case .cpop: cpop(a)
        case .cpopw: cpopw(a)
        case .max: max(a, b)
        case .maxu: maxUnsigned(a, b)
        case .min: min(a, b)
        case .minu: minUnsigned(a, b)
        case .sext_b: signExtendByte(a)
        case .sext_h: signExtendHalf(a)
        case .zext_h: zeroExtendHalf(a)
        case .rol: rotateLeft(a, b)
        case .rolw: rotateLeftWord(a, b)
        case .ror, .rori: rotateRight(a, b)
        case .roriw, .rorw: rotateRightWord(a, b)
        case .orc_b: orCombineBytes(a)
        case .rev8: reverseBytes(a)
        case .clmul: clmul(a, b)
        case .clmulh: clmulh(a, b)
        case .clmulr: clmulr(a, b)
        case .bclr, .bclri: bitClear(a, b)
        case .bext, .bexti: bitExtract(a, b)
        case .binv, .binvi: bitInvert(a, b)
        case .bset, .bseti: bitSet(a, b)
        case .pack: pack(a, b)
        case .packh: packHalf(a, b)
        case .packw: packWord(a, b)
        case .brev8: reverseBitsInBytes(a)
        case .xperm4: crossbarNibbles(a, b)
        case .xperm8: crossbarBytes(a, b)
        case .czero_eqz: zeroIfEqualZero(a, b)
        case .czero_nez: zeroIfNotZero(a, b)
        case .mop_r, .mop_rr: 0
        }
    }

    /// The second operand of `i`: the shift amount of the immediate forms, else rs2's value.
    @inline(__always) public static func secondOperand(_ i: Instruction, _ state: GuestState) -> UInt64 {
        i.opcode.info.format == .shift ? UInt64(bitPattern: i.imm) : state.x(Int(i.rs2))
    }
}

extension Executor {
    /// rd = op(rs1, rs2), or op(rs1, shamt) for the immediate forms. The bit group is one arm of
    /// `step`: it is rarer than RV64I, and `result`'s own switch is a jump table too.
    @inline(__always) func bit(_ i: Instruction) {
        guard let op = BitOp(i.opcode) else { return } // step routes only the bit group here
        set(i, BitOps.result(op, state.x(Int(i.rs1)), BitOps.secondOperand(i, state)))
    }
}
