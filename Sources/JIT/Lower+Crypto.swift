import Guest
import Interpreter
import RISCV
import X86

/// The crypto group's C helper, for what is not emitted inline (SM4, and AES without AES-NI) and
/// for a reserved aes64ks1i round number (it fails: an illegal instruction). `CryptoOps.result`
/// on the state block.
let cryptoEntry: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32 = { state, inst in
    let i = inst.assumingMemoryBound(to: Instruction.self).pointee
    let s = GuestState(raw: state)
    guard let op = CryptoOp(i.opcode),
          let r = CryptoOps.result(op, s.x(Int(i.rs1)), s.x(Int(i.rs2)), i.imm) else { return 1 }
    s.setX(Int(i.rd), r)
    return 0
}

/// Zkne, Zknd, Zknh, Zksh and Zksed. The SHA-2 and SM3 functions are rotates, shifts and XORs
/// on general registers. The AES ones are one AES-NI instruction on the 128-bit state rs2:rs1
/// with a zero round key (RISC-V keeps AddRoundKey out of aes64es*/ds*, x86 does it last, so
/// XORing zero leaves exactly RISC-V's result in the low qword); without AES-NI, and for SM4's
/// S-box, they call the helper.
extension Translator {
    mutating func crypto(_ i: Instruction, _ op: CryptoOp) {
        let aes = targets.features.aes
        switch op {
        case .aes64ks1i where !(0...10).contains(i.imm):
            callHelper(i, JIT.address(of: cryptoEntry)) // raises illegal instruction
            return
        default: break
        }
        guard i.rd != 0 else { return } // otherwise no crypto instruction has an effect besides rd
        switch op {
        case .aes64es: aesRound(i, .aesenclast)
        case .aes64esm: aesRound(i, .aesenc)
        case .aes64ds: aesRound(i, .aesdeclast)
        case .aes64dsm: aesRound(i, .aesdec)
        case .aes64im:
            guard aes else { callHelper(i, JIT.address(of: cryptoEntry)); return }
            a.movq(.xmm0, .r64(register(i.rs1, scratch: Host.t0)))
            a.aes(.aesimc, .xmm0, .xmm0)
            a.movq(.rax, .xmm0)
            store(i.rd, Host.t0)
        case .aes64ks1i:
            guard aes else { callHelper(i, JIT.address(of: cryptoEntry)); return }
            // aeskeygenassist works on dword 1 (rs1's upper word): dword 0 of its result is
            // SubWord, dword 1 RotWord(SubWord) ^ rcon. Round 0xa takes SubWord without a constant.
            let constants: [UInt8] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36, 0x00]
            a.movq(.xmm0, .r64(register(i.rs1, scratch: Host.t0)))
            a.aeskeygenassist(.xmm0, .xmm0, constants[Int(i.imm)])
            a.pshufd(.xmm0, .xmm0, i.imm == 10 ? 0x00 : 0x55)
            a.movq(.rax, .xmm0)
            store(i.rd, Host.t0)
        case .aes64ks2:
            load(Host.t0, i.rs1)
            a.shr(.rax, imm: 32)
            load(Host.t1, i.rs2)
            a.xor(.eax, .ecx) // w0, zero-extended
            a.mov(.rdx, .rcx)
            a.shr(.rdx, imm: 32)
            a.xor(.edx, .eax) // w1
            a.shl(.rdx, imm: 32)
            a.or(.rax, .rdx)
            store(i.rd, Host.t0)
        case .sha256sig0: rotateXor(i, word: true, [.ror(7), .ror(18), .shr(3)])
        case .sha256sig1: rotateXor(i, word: true, [.ror(17), .ror(19), .shr(10)])
        case .sha256sum0: rotateXor(i, word: true, [.ror(2), .ror(13), .ror(22)])
        case .sha256sum1: rotateXor(i, word: true, [.ror(6), .ror(11), .ror(25)])
        case .sha512sig0: rotateXor(i, word: false, [.ror(1), .ror(8), .shr(7)])
        case .sha512sig1: rotateXor(i, word: false, [.ror(19), .ror(61), .shr(6)])
        case .sha512sum0: rotateXor(i, word: false, [.ror(28), .ror(34), .ror(39)])
        case .sha512sum1: rotateXor(i, word: false, [.ror(14), .ror(18), .ror(41)])
        case .sm3p0: rotateXor(i, word: true, [.ror(0), .ror(32 - 9), .ror(32 - 17)])
        case .sm3p1: rotateXor(i, word: true, [.ror(0), .ror(32 - 15), .ror(32 - 23)])
        case .sm4ed, .sm4ks:
            callHelper(i, JIT.address(of: cryptoEntry))
        }
    }

    /// One term of a SHA-2 or SM3 function of x: x rotated right, or shifted right.
    enum RotateTerm { case ror(UInt8), shr(UInt8) }

    /// rd = the XOR of `terms` of rs1 (its low word, the result sign-extended, for `word`).
    mutating func rotateXor(_ i: Instruction, word: Bool, _ terms: [RotateTerm]) {
        let size: OperandSize = word ? .dword : .qword
        let x = Reg(.rax, size), sum = Reg(.rdx, size), term = Reg(.rcx, size)
        load(Host.t0, i.rs1)
        for (k, t) in terms.enumerated() {
            let target = k == 0 ? sum : term
            a.mov(target, x)
            switch t {
            case .ror(let n): if n != 0 { a.ror(target, imm: n) }
            case .shr(let n): a.shr(target, imm: n)
            }
            if k != 0 { a.xor(sum, term) }
        }
        if word { a.movsxd(.rax, .edx) } else { a.mov(.rax, .rdx) }
        store(i.rd, Host.t0)
    }

    /// aes64es/esm/ds/dsm: `op` on the state rs2:rs1 with a zero round key; rd = the low qword.
    mutating func aesRound(_ i: Instruction, _ op: AESOp) {
        guard targets.features.aes else { callHelper(i, JIT.address(of: cryptoEntry)); return }
        a.movq(.xmm0, .r64(register(i.rs1, scratch: Host.t0)))
        a.movq(.xmm1, .r64(register(i.rs2, scratch: Host.t1)))
        a.punpcklqdq(.xmm0, .xmm1)
        a.pxor(.xmm1, .xmm1)
        a.aes(op, .xmm0, .xmm1)
        a.movq(.rax, .xmm0)
        store(i.rd, Host.t0)
    }
}
