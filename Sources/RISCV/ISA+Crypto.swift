/// The crypto group: the RV64 forms of the scalar cryptography extensions (ratified 1.0.1) —
/// Zkne and Zknd (AES), Zknh (SHA-256 and SHA-512 sigma functions), Zksh (SM3) and Zksed (SM4).
extension ISA {
    static let crypto: [InstructionSpec] = {
        let reg = { (o: Opcode, n: String, f7: UInt32, e: Extension) in
            InstructionSpec(o, n, enc(Major.op, f3: 0, f7: f7), Mask.funct7, .r, e, .crypto, "xxx")
        }
        // The sigma and sum functions and aes64im: bits 31:20 are part of the opcode.
        let unary = { (o: Opcode, n: String, imm: UInt32, e: Extension) in
            InstructionSpec(o, n, enc(Major.opImm, f3: 1) | imm << 20, Mask.fpUnary, .unary, e, .crypto, "xx")
        }
        // sm4ed and sm4ks: a byte select in bits 31:30 above a 5-bit function code.
        let select = { (o: Opcode, n: String, f5: UInt32) in
            InstructionSpec(o, n, enc(Major.op, f3: 0, f7: f5), 0x3e00_707f, .byteSelect, .zksed, .crypto, "xxx")
        }
        return [
            // Zkne, Zknd
            reg(.aes64es, "aes64es", 0x19, .zkne), reg(.aes64esm, "aes64esm", 0x1b, .zkne),
            reg(.aes64ds, "aes64ds", 0x1d, .zknd), reg(.aes64dsm, "aes64dsm", 0x1f, .zknd),
            unary(.aes64im, "aes64im", 0x300, .zknd),
            // rnum above 0xa is reserved: it decodes, as objdump shows it, and executing it is illegal.
            InstructionSpec(.aes64ks1i, "aes64ks1i", enc(Major.opImm, f3: 1) | 0x31 << 24, 0xff00_707f, .roundNumber,
                            .zkne, .crypto, "xx", [.mayTrap]),
            reg(.aes64ks2, "aes64ks2", 0x3f, .zkne),
            // Zknh
            unary(.sha256sig0, "sha256sig0", 0x102, .zknh), unary(.sha256sig1, "sha256sig1", 0x103, .zknh),
            unary(.sha256sum0, "sha256sum0", 0x100, .zknh), unary(.sha256sum1, "sha256sum1", 0x101, .zknh),
            unary(.sha512sig0, "sha512sig0", 0x106, .zknh), unary(.sha512sig1, "sha512sig1", 0x107, .zknh),
            unary(.sha512sum0, "sha512sum0", 0x104, .zknh), unary(.sha512sum1, "sha512sum1", 0x105, .zknh),
            // Zksh, Zksed
            unary(.sm3p0, "sm3p0", 0x108, .zksh), unary(.sm3p1, "sm3p1", 0x109, .zksh),
            select(.sm4ed, "sm4ed", 0x18), select(.sm4ks, "sm4ks", 0x1a),
        ]
    }()
}
