import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// Runs `op` with x1 = a, x2 = b and the immediate (byte select or round number), returning x3.
private func crypto(_ op: Opcode, _ a: UInt64, _ b: UInt64 = 0, imm: Int64 = 0) -> UInt64 {
    let hart = makeHart()
    hart.set((1, a), (2, b))
    #expect(hart.exec(Instruction(opcode: op, rd: 3, rs1: 1, rs2: 2, imm: imm)) == .retired)
    return hart.state.x(3)
}

/// Little-endian 64-bit words of a byte string, as a RISC-V load would see them.
private func words(_ bytes: [UInt8]) -> [UInt64] {
    stride(from: 0, to: bytes.count, by: 8).map { k in
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[k + $1]) << UInt64(8 * $1) }
    }
}

/// The crypto group against published vectors: FIPS 197 Appendix A.1 and B (AES-128's first
/// key-schedule step and first round), FIPS 180-4's SHA-256 "abc" schedule, values of the
/// sigma and SM3 functions worked out by a separate script from their definitions, and SM4
/// steps recorded from QEMU 7.2 (`qemu-riscv64 -cpu rv64,zksed=true`).
@Suite struct CryptoTests {
    // FIPS 197 B: the state at the start of round 1 and after its SubBytes/ShiftRows/MixColumns.
    static let round1 = words([0x19, 0x3d, 0xe3, 0xbe, 0xa0, 0xf4, 0xe2, 0x2b, 0x9a, 0xc6, 0x8d, 0x2a, 0xe9, 0xf8, 0x48, 0x08])
    static let shifted = words([0xd4, 0xbf, 0x5d, 0x30, 0xe0, 0xb4, 0x52, 0xae, 0xb8, 0x41, 0x11, 0xf1, 0x1e, 0x27, 0x98, 0xe5])
    static let mixed = words([0x04, 0x66, 0x81, 0xe5, 0xe0, 0xcb, 0x19, 0x9a, 0x48, 0xf8, 0xd3, 0x7a, 0x28, 0x06, 0x26, 0x4c])

    @Test func aesRoundFromFIPS197() {
        let (s0, s1) = (Self.round1[0], Self.round1[1])
        #expect(crypto(.aes64es, s0, s1) == Self.shifted[0])
        #expect(crypto(.aes64es, s1, s0) == Self.shifted[1])
        #expect(crypto(.aes64esm, s0, s1) == Self.mixed[0])
        #expect(crypto(.aes64esm, s1, s0) == Self.mixed[1])
        // The inverse round undoes it: InvShiftRows/InvSubBytes of the shifted state, and
        // InvMixColumns (alone, or after the inverse S-box in aes64dsm) of the mixed one.
        #expect(crypto(.aes64im, Self.mixed[0]) == Self.shifted[0])
        #expect(crypto(.aes64im, Self.mixed[1]) == Self.shifted[1])
        #expect(crypto(.aes64ds, Self.shifted[0], Self.shifted[1]) == s0)
        #expect(crypto(.aes64ds, Self.shifted[1], Self.shifted[0]) == s1)
        // aes64dsm applies InvMixColumns after InvShiftRows/InvSubBytes of its input.
        let back = crypto(.aes64ds, Self.shifted[0], Self.shifted[1])
        #expect(crypto(.aes64dsm, Self.shifted[0], Self.shifted[1]) == crypto(.aes64im, back))
    }

    @Test func aesKeyScheduleFromFIPS197() {
        // Key 2b7e1516 28aed2a6 abf71588 09cf4f3c; round key 1 is a0fafe17 88542cb1 23a33939 2a6c7605.
        let key = words([0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c])
        let next = words([0xa0, 0xfa, 0xfe, 0x17, 0x88, 0x54, 0x2c, 0xb1, 0x23, 0xa3, 0x39, 0x39, 0x2a, 0x6c, 0x76, 0x05])
        let t = crypto(.aes64ks1i, key[1], imm: 0)
        #expect(t == 0x01eb_848b_01eb_848b) // SubWord(RotWord(w3)) ^ 0x01, in both halves
        #expect(crypto(.aes64ks2, t, key[0]) == next[0])
        #expect(crypto(.aes64ks2, next[0], key[1]) == next[1])
        // Round 0xa (AES-256's odd steps): SubWord without RotWord or a constant.
        #expect(crypto(.aes64ks1i, 0x0000_0000_1111_1111, imm: 10) == 0x6363_6363_6363_6363)
        #expect(crypto(.aes64ks1i, 0x0000_0001_0000_0000, imm: 10) == 0x6363_637c_6363_637c)
    }

    @Test func reservedRoundNumberIsIllegal() {
        for rnum in Int64(11)...15 {
            let hart = makeHart()
            hart.set((1, 5), (3, 77))
            let result = hart.exec(Instruction(opcode: .aes64ks1i, rd: 3, rs1: 1, imm: rnum, raw: 0x3105_9193 | UInt32(rnum) << 20))
            guard case .trap(let trap) = result else { Issue.record("rnum \(rnum) retired"); continue }
            #expect(trap.cause == .illegalInstruction)
            #expect(hart.state.x(3) == 77)
        }
    }

    @Test func shaSigmaAndSum() {
        let x: UInt64 = 0x0123_4567_89ab_cdef
        #expect(crypto(.sha256sig0, x) == 0x3d5d_cc4c)
        #expect(crypto(.sha256sig1, x) == 0xffff_ffff_9f68_5f13) // the word result sign-extends
        #expect(crypto(.sha256sum0, x) == 0x2221_0003)
        #expect(crypto(.sha256sum1, x) == 0xffff_ffff_d631_6d8a)
        #expect(crypto(.sha512sig0, x) == 0x6f92_c77c_6c4f_1aa1)
        #expect(crypto(.sha512sig1, x) == 0x70a3_460d_bbd4_317a)
        #expect(crypto(.sha512sum0, x) == 0xb7c5_7a10_0c7e_c1ab)
        #expect(crypto(.sha512sum1, x) == 0x7703_1123_3347_5567)
        // FIPS 180-4's "abc": W16 = W0 and W17 = σ1(W15 = 0x18) = 0x000f0000.
        #expect(crypto(.sha256sig1, 0x18) == 0x000f_0000)
        #expect(crypto(.sha256sig0, 0xffff_ffff_0000_0000) == 0) // only the low word counts
    }

    @Test func sm3Permutations() {
        #expect(crypto(.sm3p0, 0x0123_4567_89ab_cdef) == 0x45ef_01ab)
        #expect(crypto(.sm3p1, 0x0123_4567_89ab_cdef) == 0xffff_ffff_9898_dcdc)
        #expect(crypto(.sm3p0, 1) == 1 | 1 << 9 | 1 << 17)
    }

    @Test func sm4StepsAsQEMURecords() {
        #expect(crypto(.sm4ed, 0, 0, imm: 0) == 0x5b5b_d58e)
        #expect(crypto(.sm4ed, 0, 1, imm: 0) == 0x4242_92d0)
        #expect(crypto(.sm4ed, 0, 2, imm: 0) == 0xffff_ffff_a7a7_ea4d)
        #expect(crypto(.sm4ed, 0, 0x100, imm: 1) == 0x4292_d042)
        #expect(crypto(.sm4ks, 0, 0, imm: 0) == 0xffff_ffff_c01a_6bd6)
        #expect(crypto(.sm4ks, 0, 1, imm: 0) == 0x0012_4890)
        #expect(crypto(.sm4ks, 0, 2, imm: 0) == 0x209d_74e9)
        // rs1's low word is XORed in; its upper half is ignored.
        #expect(crypto(.sm4ed, 0xffff_ffff_0000_0001, 0, imm: 0) == 0x5b5b_d58f)
    }

    /// The computed S-boxes against entries FIPS 197 and GB/T 32907 print.
    @Test func sBoxes() {
        let hi: UInt64 = 0
        // aes64es of a state whose bytes stay in place under ShiftRows (row 0) is SubBytes.
        #expect(crypto(.aes64es, 0x53, hi) & 0xff == 0xed) // FIPS 197 §5.1.1's example
        #expect(crypto(.aes64es, 0x00, hi) & 0xff == 0x63)
        #expect(crypto(.aes64ds, 0x63, hi) & 0xff == 0x00)
        // Byte 0 of an SM4 step, where every term of its linear map but x itself lands higher up
        // except x << 2: the S-box value is recoverable from bits 0–7 (d6 90 e9 for 0, 1, 2).
        let first = [0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7].map(UInt64.init)
        for (b, s) in first.enumerated() {
            let low = crypto(.sm4ks, 0, UInt64(b), imm: 0) & 0x7f // sm4ks: x ^ (x & 0xfe) << 7 …: bits 0–6 are x's
            #expect(low == s & 0x7f, "S(\(b))")
        }
    }
}
