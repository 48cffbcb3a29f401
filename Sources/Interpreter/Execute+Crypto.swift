import Guest
import RISCV

/// Zkne, Zknd, Zknh, Zksh and Zksed on register values, written from the scalar cryptography
/// specification (1.0.1) and the ciphers' own standards (FIPS 197 for AES, FIPS 180-4 for
/// SHA-2, GB/T 32905 and 32907 for SM3 and SM4). Public so that the JIT's baseline helper calls
/// the same definitions.
public enum CryptoOps {
    /// Builds the S-box tables now (they are lazily initialised constants): see
    /// `JIT.prepareForThreads()`. Returns a number made of them, so that nothing is optimised away.
    @discardableResult public static func initializeTables() -> Int {
        Int(aesSBox[1]) &+ Int(aesInverseSBox[1]) &+ Int(sm4SBox[1])
    }

    // MARK: AES

    /// Multiplication in GF(2^8) modulo `poly` (0x11b for AES, 0x1f5 for SM4).
    static func fieldMultiply(_ a: UInt8, _ b: UInt8, _ poly: UInt16) -> UInt8 {
        var x = UInt16(a), y = b, r: UInt16 = 0
        while y != 0 {
            if y & 1 != 0 { r ^= x }
            y >>= 1
            x <<= 1
            if x & 0x100 != 0 { x ^= poly }
        }
        return UInt8(truncatingIfNeeded: r)
    }

    /// The multiplicative inverse in GF(2^8) modulo `poly` (0 for 0): x^254.
    static func fieldInverse(_ a: UInt8, _ poly: UInt16) -> UInt8 {
        var result: UInt8 = 1, base = a, e = 254
        while e != 0 {
            if e & 1 != 0 { result = fieldMultiply(result, base, poly) }
            base = fieldMultiply(base, base, poly)
            e >>= 1
        }
        return a == 0 ? 0 : result
    }

    @inline(__always) static func rotl8(_ x: UInt8, _ n: UInt8) -> UInt8 { x << n | x >> (8 - n) }

    /// FIPS 197 §5.1.1: the inverse in GF(2^8), then the affine map b ⊕ b⋘1 ⊕ b⋘2 ⊕ b⋘3 ⊕ b⋘4 ⊕ 0x63.
    static let aesSBox: [UInt8] = (0...255).map { (x: Int) -> UInt8 in
        let b = fieldInverse(UInt8(x), 0x11b)
        return b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63
    }

    static let aesInverseSBox: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for x in 0..<256 { t[Int(aesSBox[x])] = UInt8(x) }
        return t
    }()

    /// Byte `k` of the 128-bit state rs2:rs1 (rs1 holds columns 0 and 1, byte 0 = row 0, column 0).
    @inline(__always) static func stateByte(_ lo: UInt64, _ hi: UInt64, _ k: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (k < 8 ? lo : hi) >> UInt64(8 * (k & 7)))
    }

    /// Columns 0 and 1 of ShiftRows (row r moves left by r) or InvShiftRows (right by r) of the
    /// state rs2:rs1, each byte through `box`.
    static func shiftRowsLow(_ lo: UInt64, _ hi: UInt64, inverse: Bool, _ box: [UInt8]) -> UInt64 {
        var r: UInt64 = 0
        for c in 0..<2 {
            for row in 0..<4 {
                let from = inverse ? (c - row + 4) % 4 : (c + row) % 4
                let b = box[Int(stateByte(lo, hi, 4 * from + row))]
                r |= UInt64(b) << UInt64(8 * (4 * c + row))
            }
        }
        return r
    }

    @inline(__always) static func times(_ a: UInt8, _ k: UInt8) -> UInt8 { fieldMultiply(a, k, 0x11b) }

    /// MixColumns (coefficients 2 3 1 1) or InvMixColumns (14 11 13 9) of one 32-bit column.
    static func mixColumn(_ column: UInt32, inverse: Bool) -> UInt32 {
        let k: [UInt8] = inverse ? [14, 11, 13, 9] : [2, 3, 1, 1]
        let b = (0..<4).map { UInt8(truncatingIfNeeded: column >> UInt32(8 * $0)) }
        var r: UInt32 = 0
        for row in 0..<4 {
            var v: UInt8 = 0
            for j in 0..<4 { v ^= times(b[j], k[(j - row + 4) % 4]) }
            r |= UInt32(v) << UInt32(8 * row)
        }
        return r
    }

    static func mixColumns(_ x: UInt64, inverse: Bool) -> UInt64 {
        UInt64(mixColumn(UInt32(truncatingIfNeeded: x), inverse: inverse))
            | UInt64(mixColumn(UInt32(truncatingIfNeeded: x >> 32), inverse: inverse)) << 32
    }

    public static func aes64es(_ rs1: UInt64, _ rs2: UInt64) -> UInt64 {
        shiftRowsLow(rs1, rs2, inverse: false, aesSBox)
    }
    public static func aes64esm(_ rs1: UInt64, _ rs2: UInt64) -> UInt64 {
        mixColumns(aes64es(rs1, rs2), inverse: false)
    }
    public static func aes64ds(_ rs1: UInt64, _ rs2: UInt64) -> UInt64 {
        shiftRowsLow(rs1, rs2, inverse: true, aesInverseSBox)
    }
    public static func aes64dsm(_ rs1: UInt64, _ rs2: UInt64) -> UInt64 {
        mixColumns(aes64ds(rs1, rs2), inverse: true)
    }
    public static func aes64im(_ rs1: UInt64) -> UInt64 { mixColumns(rs1, inverse: true) }

    static func subWord(_ w: UInt32, _ box: [UInt8]) -> UInt32 {
        var r: UInt32 = 0
        for k in 0..<4 { r |= UInt32(box[Int(UInt8(truncatingIfNeeded: w >> UInt32(8 * k)))]) << UInt32(8 * k) }
        return r
    }

    /// One step of the key schedule on the upper word of rs1: RotWord (except for round number
    /// 0xa, used by AES-256), SubWord, the round constant; the word in both halves. nil for a
    /// reserved round number (above 0xa).
    public static func aes64ks1i(_ rs1: UInt64, _ rnum: Int64) -> UInt64? {
        guard (0...10).contains(rnum) else { return nil }
        let constants: [UInt32] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36, 0x00]
        let word = UInt32(truncatingIfNeeded: rs1 >> 32)
        let rotated = rnum == 10 ? word : (word >> 8 | word << 24)
        let w = UInt64(subWord(rotated, aesSBox) ^ constants[Int(rnum)])
        return w << 32 | w
    }

    public static func aes64ks2(_ rs1: UInt64, _ rs2: UInt64) -> UInt64 {
        let w0 = UInt32(truncatingIfNeeded: rs1 >> 32) ^ UInt32(truncatingIfNeeded: rs2)
        let w1 = w0 ^ UInt32(truncatingIfNeeded: rs2 >> 32)
        return UInt64(w1) << 32 | UInt64(w0)
    }

    // MARK: SHA-2 (FIPS 180-4 §4.1.2, §4.1.3): the 32-bit ones sign-extend their result

    @inline(__always) static func ror32(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
    @inline(__always) static func rol32(_ x: UInt32, _ n: UInt32) -> UInt32 { n == 0 ? x : x << n | x >> (32 - n) }
    @inline(__always) static func ror64(_ x: UInt64, _ n: UInt64) -> UInt64 { x >> n | x << (64 - n) }
    @inline(__always) static func word(_ x: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: x) }
    @inline(__always) static func signExtended(_ x: UInt32) -> UInt64 { UInt64(bitPattern: Int64(Int32(bitPattern: x))) }

    public static func sha256sig0(_ a: UInt64) -> UInt64 { let x = word(a); return signExtended(ror32(x, 7) ^ ror32(x, 18) ^ x >> 3) }
    public static func sha256sig1(_ a: UInt64) -> UInt64 { let x = word(a); return signExtended(ror32(x, 17) ^ ror32(x, 19) ^ x >> 10) }
    public static func sha256sum0(_ a: UInt64) -> UInt64 { let x = word(a); return signExtended(ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22)) }
    public static func sha256sum1(_ a: UInt64) -> UInt64 { let x = word(a); return signExtended(ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25)) }
    public static func sha512sig0(_ x: UInt64) -> UInt64 { ror64(x, 1) ^ ror64(x, 8) ^ x >> 7 }
    public static func sha512sig1(_ x: UInt64) -> UInt64 { ror64(x, 19) ^ ror64(x, 61) ^ x >> 6 }
    public static func sha512sum0(_ x: UInt64) -> UInt64 { ror64(x, 28) ^ ror64(x, 34) ^ ror64(x, 39) }
    public static func sha512sum1(_ x: UInt64) -> UInt64 { ror64(x, 14) ^ ror64(x, 18) ^ ror64(x, 41) }

    // MARK: SM3 (GB/T 32905: the permutations P0 and P1)

    public static func sm3p0(_ a: UInt64) -> UInt64 { let x = word(a); return signExtended(x ^ rol32(x, 9) ^ rol32(x, 17)) }
    public static func sm3p1(_ a: UInt64) -> UInt64 { let x = word(a); return signExtended(x ^ rol32(x, 15) ^ rol32(x, 23)) }

    // MARK: SM4 (GB/T 32907)

    /// SM4's S-box has the same shape as AES's: an affine map A (row i of the matrix is 0xd3
    /// rotated right by i, most significant bit first) with constant 0xd3 on both sides of the
    /// inverse in GF(2^8) modulo x^8+x^7+x^6+x^5+x^4+x^2+1.
    static let sm4SBox: [UInt8] = {
        func affine(_ x: UInt8) -> UInt8 {
            var out: UInt8 = 0
            for i in 0..<8 {
                let row: UInt8 = 0xd3 >> UInt8(i) | 0xd3 << UInt8((8 - i) & 7)
                out |= UInt8((x & row).nonzeroBitCount & 1) << UInt8(7 - i)
            }
            return out ^ 0xd3
        }
        return (0...255).map { affine(fieldInverse(affine(UInt8($0)), 0x1f5)) }
    }()

    /// The S-box on byte `bs` of rs2, through the instruction's linear map in that byte's
    /// position, XORed into rs1's low word. The maps are the specification's (its Sail code),
    /// which QEMU 7.2 follows too: they are not GB/T 32907's L and L' applied to the byte, so a
    /// cipher written with these instructions does not give the standard's ciphertext.
    static func sm4(_ rs1: UInt64, _ rs2: UInt64, _ bs: Int64, keySchedule: Bool) -> UInt64 {
        let shift = UInt32(bs & 3) * 8
        let x = UInt32(sm4SBox[Int(UInt8(truncatingIfNeeded: rs2 >> UInt64(shift)))])
        let linear = keySchedule
            ? x ^ (x & 0x07) << 29 ^ (x & 0xfe) << 7 ^ (x & 0x01) << 23 ^ (x & 0xf8) << 13
            : x ^ x << 8 ^ x << 2 ^ x << 18 ^ (x & 0x3f) << 26 ^ (x & 0xc0) << 10
        return signExtended(rol32(linear, shift) ^ word(rs1))
    }
    public static func sm4ed(_ rs1: UInt64, _ rs2: UInt64, _ bs: Int64) -> UInt64 { sm4(rs1, rs2, bs, keySchedule: false) }
    public static func sm4ks(_ rs1: UInt64, _ rs2: UInt64, _ bs: Int64) -> UInt64 { sm4(rs1, rs2, bs, keySchedule: true) }

    /// One crypto instruction's result from rs1, rs2 and the immediate (byte select or round
    /// number); nil when it is illegal (aes64ks1i with a reserved round number). The interpreter's
    /// and the JIT helper's one definition.
    public static func result(_ op: CryptoOp, _ a: UInt64, _ b: UInt64, _ imm: Int64) -> UInt64? {
        switch op {
        case .aes64es: aes64es(a, b)
        case .aes64esm: aes64esm(a, b)
        case .aes64ds: aes64ds(a, b)
        case .aes64dsm: aes64dsm(a, b)
        case .aes64im: aes64im(a)
        case .aes64ks1i: aes64ks1i(a, imm)
        case .aes64ks2: aes64ks2(a, b)
        case .sha256sig0: sha256sig0(a)
        case .sha256sig1: sha256sig1(a)
        case .sha256sum0: sha256sum0(a)
        case .sha256sum1: sha256sum1(a)
        case .sha512sig0: sha512sig0(a)
        case .sha512sig1: sha512sig1(a)
        case .sha512sum0: sha512sum0(a)
        case .sha512sum1: sha512sum1(a)
        case .sm3p0: sm3p0(a)
        case .sm3p1: sm3p1(a)
        case .sm4ed: sm4ed(a, b, imm)
        case .sm4ks: sm4ks(a, b, imm)
        }
    }
}

extension Executor {
    /// rd = op(rs1, rs2, imm); a reserved aes64ks1i round number is an illegal instruction.
    @inline(__always) func crypto(_ i: Instruction) throws(StepExit) {
        guard let op = CryptoOp(i.opcode) else { return } // step routes only the crypto group here
        guard let r = CryptoOps.result(op, state.x(Int(i.rs1)), state.x(Int(i.rs2)), i.imm) else { throw illegal(i) }
        set(i, r)
    }
}
