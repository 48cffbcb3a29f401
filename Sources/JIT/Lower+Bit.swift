import Guest
import Interpreter
import RISCV
import X86

/// The bit group's C helper for the operations not emitted inline (orc.b, brev8, xperm4/8,
/// clmul*, and cpop without POPCNT): `BitOps.result` on the state block, never failing.
let bitEntry: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32 = { state, inst in
    let i = inst.assumingMemoryBound(to: Instruction.self).pointee
    let s = GuestState(raw: state)
    guard let op = BitOp(i.opcode) else { return 1 }
    s.setX(Int(i.rd), BitOps.result(op, s.x(Int(i.rs1)), BitOps.secondOperand(i, s)))
    return 0
}

/// Zba, Zbb, Zbc, Zbs, Zbkb, Zbkx and Zicond: mostly one to three x86 instructions (lea for
/// shift-and-add, cmov for min/max and czero, rol/ror, bswap, lzcnt/tzcnt/popcnt and andn where
/// the host has them, bsr/bsf and not/and where it does not).
extension Translator {
    mutating func bit(_ i: Instruction, _ op: BitOp) {
        guard i.rd != 0 else { return } // no bit instruction has an effect besides rd
        let f = targets.features
        switch op {
        case .sh1add: shiftAdd(i, 1, unsignedWord: false)
        case .sh2add: shiftAdd(i, 2, unsignedWord: false)
        case .sh3add: shiftAdd(i, 3, unsignedWord: false)
        case .add_uw: shiftAdd(i, 0, unsignedWord: true)
        case .sh1add_uw: shiftAdd(i, 1, unsignedWord: true)
        case .sh2add_uw: shiftAdd(i, 2, unsignedWord: true)
        case .sh3add_uw: shiftAdd(i, 3, unsignedWord: true)
        case .slli_uw:
            load(Host.t0, i.rs1)
            a.mov(.eax, .eax)
            let count = UInt8(truncatingIfNeeded: i.imm) & 63
            if count != 0 { a.shl(.rax, imm: count) }
            store(i.rd, Host.t0)
        case .andn:
            if f.bmi1 {
                let notted = register(i.rs2, scratch: Host.t1), other = register(i.rs1, scratch: Host.t0)
                a.andn(.rax, .r64(notted), .r64(other))
            } else {
                load(Host.t1, i.rs2)
                a.not(.rcx)
                load(Host.t0, i.rs1)
                a.and(.rax, .rcx)
            }
            store(i.rd, Host.t0)
        case .orn:
            load(Host.t1, i.rs2)
            a.not(.rcx)
            load(Host.t0, i.rs1)
            a.or(.rax, .rcx)
            store(i.rd, Host.t0)
        case .xnor:
            load(Host.t0, i.rs1)
            alu(.xor, .rax, i.rs2)
            a.not(.rax)
            store(i.rd, Host.t0)
        case .clz: countLeadingZeros(i, .qword)
        case .clzw: countLeadingZeros(i, .dword)
        case .ctz: countTrailingZeros(i, .qword)
        case .ctzw: countTrailingZeros(i, .dword)
        case .cpop, .cpopw:
            guard f.popcnt else { callHelper(i, JIT.address(of: bitEntry)); return }
            let size: OperandSize = op == .cpop ? .qword : .dword
            let source = register(i.rs1, scratch: Host.t1)
            a.popcnt(Reg(.rax, size), Reg(source, size))
            store(i.rd, Host.t0)
        case .max: minMax(i, .l)
        case .maxu: minMax(i, .b)
        case .min: minMax(i, .g)
        case .minu: minMax(i, .a)
        case .sext_b:
            load(Host.t0, i.rs1)
            a.movsx(.rax, .al)
            store(i.rd, Host.t0)
        case .sext_h:
            load(Host.t0, i.rs1)
            a.movsx(.rax, .ax)
            store(i.rd, Host.t0)
        case .zext_h:
            load(Host.t0, i.rs1)
            a.movzx(.eax, .ax)
            store(i.rd, Host.t0)
        case .rol: rotate(i, left: true, word: false)
        case .rolw: rotate(i, left: true, word: true)
        case .ror: rotate(i, left: false, word: false)
        case .rorw: rotate(i, left: false, word: true)
        case .rori, .roriw:
            let word = op == .roriw
            load(Host.t0, i.rs1)
            let count = UInt8(truncatingIfNeeded: i.imm) & (word ? 31 : 63)
            if word {
                if count != 0 { a.ror(.eax, imm: count) }
                a.movsxd(.rax, .eax)
            } else if count != 0 {
                a.ror(.rax, imm: count)
            }
            store(i.rd, Host.t0)
        case .rev8:
            load(Host.t0, i.rs1)
            a.bswap(.rax)
            store(i.rd, Host.t0)
        case .bclr, .bext, .binv, .bset: singleBit(i, op, index: nil)
        case .bclri: singleBit(i, .bclr, index: UInt8(truncatingIfNeeded: i.imm) & 63)
        case .bexti: singleBit(i, .bext, index: UInt8(truncatingIfNeeded: i.imm) & 63)
        case .binvi: singleBit(i, .binv, index: UInt8(truncatingIfNeeded: i.imm) & 63)
        case .bseti: singleBit(i, .bset, index: UInt8(truncatingIfNeeded: i.imm) & 63)
        case .pack:
            load(Host.t0, i.rs2)
            a.shl(.rax, imm: 32)
            load(Host.t1, i.rs1)
            a.mov(.ecx, .ecx)
            a.or(.rax, .rcx)
            store(i.rd, Host.t0)
        case .packh:
            load(Host.t0, i.rs1)
            a.movzx(.eax, .al)
            load(Host.t1, i.rs2)
            a.movzx(.ecx, .cl)
            a.shl(.ecx, imm: 8)
            a.or(.eax, .ecx)
            store(i.rd, Host.t0)
        case .packw:
            load(Host.t0, i.rs1)
            a.movzx(.eax, .ax)
            load(Host.t1, i.rs2)
            a.shl(.ecx, imm: 16)
            a.or(.eax, .ecx)
            a.movsxd(.rax, .eax)
            store(i.rd, Host.t0)
        case .czero_eqz, .czero_nez:
            load(Host.t0, i.rs1)
            a.xor(.edx, .edx)
            let condition = register(i.rs2, scratch: Host.t1)
            a.test(.r64(condition), .r64(condition))
            a.cmovcc(op == .czero_eqz ? .e : .ne, .rax, .rdx)
            store(i.rd, Host.t0)
        case .clmul, .clmulh, .clmulr where f.pclmul:
            carrylessMultiply(i, op)
        case .orc_b, .brev8, .xperm4, .xperm8, .clmul, .clmulh, .clmulr:
            callHelper(i, JIT.address(of: bitEntry))
        // Zimop: may-be-operations write zero.
        case .mop_r, .mop_rr:
            storeConstant(i.rd, 0)
        }
    }

    /// `rd = (rs1 << n) + rs2` in one lea, rs1 first zero-extended from 32 bits for the .uw forms.
    mutating func shiftAdd(_ i: Instruction, _ n: UInt8, unsignedWord: Bool) {
        load(Host.t0, i.rs1)
        if unsignedWord { a.mov(.eax, .eax) }
        let addend = register(i.rs2, scratch: Host.t1)
        let d = destination(i.rd)
        a.lea(.r64(d), Mem(.qword, base: .gpr(addend), index: .rax, scale: 1 << n))
        store(i.rd, d)
    }

    /// max/min: keep rs1 unless the condition says rs2 wins (`cc` compares rs1 with rs2).
    mutating func minMax(_ i: Instruction, _ cc: Condition) {
        load(Host.t0, i.rs1)
        let other = register(i.rs2, scratch: Host.t1)
        a.cmp(.rax, .r64(other))
        a.cmovcc(cc, .rax, .r64(other))
        store(i.rd, Host.t0)
    }

    /// x86 masks rotate counts to 6 bits (5 for 32-bit operands), as RISC-V does.
    mutating func rotate(_ i: Instruction, left: Bool, word: Bool) {
        load(Host.t1, i.rs2)
        load(Host.t0, i.rs1)
        let r: Reg = word ? .eax : .rax
        if left { a.rol(r, .cl) } else { a.ror(r, .cl) }
        if word { a.movsxd(.rax, .eax) }
        store(i.rd, Host.t0)
    }

    /// lzcnt, or `width - 1 - bsr` with bsr's "no bit" taken as −1.
    mutating func countLeadingZeros(_ i: Instruction, _ size: OperandSize) {
        let source = register(i.rs1, scratch: Host.t1)
        let ax = Reg(.rax, size), dx = Reg(.rdx, size)
        if targets.features.lzcnt {
            a.lzcnt(ax, Reg(source, size))
        } else {
            a.mov(.rdx, imm: -1)
            a.bsr(ax, Reg(source, size))
            a.cmovcc(.e, ax, dx)
            a.mov(dx, imm: size == .qword ? 63 : 31)
            a.sub(dx, ax)
            a.mov(.rax, .rdx)
            if size == .dword { a.mov(.eax, .eax) }
        }
        store(i.rd, Host.t0)
    }

    /// tzcnt, or bsf with the width for a zero source.
    mutating func countTrailingZeros(_ i: Instruction, _ size: OperandSize) {
        let source = register(i.rs1, scratch: Host.t1)
        let ax = Reg(.rax, size), dx = Reg(.rdx, size)
        if targets.features.bmi1 {
            a.tzcnt(ax, Reg(source, size))
        } else {
            a.mov(.edx, imm: size == .qword ? 64 : 32)
            a.bsf(ax, Reg(source, size))
            a.cmovcc(.e, ax, dx)
        }
        store(i.rd, Host.t0)
    }

    /// bclr/bext/binv/bset by a register index (low 6 bits, as x86's shift count) or a constant.
    mutating func singleBit(_ i: Instruction, _ op: BitOp, index: UInt8?) {
        if let index {
            load(Host.t0, i.rs1)
            if op == .bext {
                if index != 0 { a.shr(.rax, imm: index) }
                a.and(.eax, imm: 1)
                store(i.rd, Host.t0)
                return
            }
            // An imm32 is sign-extended: bits 0–30 fit, bit 31 and up go through rdx.
            let mask = UInt64(1) << UInt64(index)
            if index < 31 {
                let m = Int32(truncatingIfNeeded: mask)
                switch op {
                case .bclr: a.and(.rax, imm: ~m)
                case .binv: a.xor(.rax, imm: m)
                default: a.or(.rax, imm: m)
                }
            } else {
                a.mov(.rdx, imm: Int64(bitPattern: op == .bclr ? ~mask : mask))
                switch op {
                case .bclr: a.and(.rax, .rdx)
                case .binv: a.xor(.rax, .rdx)
                default: a.or(.rax, .rdx)
                }
            }
            store(i.rd, Host.t0)
            return
        }
        load(Host.t1, i.rs2)
        load(Host.t0, i.rs1)
        if op == .bext {
            a.shr(.rax, .cl)
            a.and(.eax, imm: 1)
        } else {
            a.mov(.edx, imm: 1)
            a.shl(.rdx, .cl)
            switch op {
            case .bclr:
                a.not(.rdx)
                a.and(.rax, .rdx)
            case .binv: a.xor(.rax, .rdx)
            default: a.or(.rax, .rdx)
            }
        }
        store(i.rd, Host.t0)
    }
}

extension Translator {
    /// clmul/clmulh/clmulr with PCLMULQDQ: the 128-bit product of rs1 and rs2 in xmm0; clmul is
    /// its low half, clmulh its high half, clmulr bits 126:63 (high << 1 | low >> 63).
    mutating func carrylessMultiply(_ i: Instruction, _ op: BitOp) {
        a.movq(.xmm0, .r64(register(i.rs1, scratch: Host.t0)))
        a.movq(.xmm1, .r64(register(i.rs2, scratch: Host.t1)))
        a.pclmulqdq(.xmm0, .xmm1, 0x00)
        a.movq(.rax, .xmm0)
        if op != .clmul {
            a.pshufd(.xmm0, .xmm0, 0xee)  // the high qword into the low one
            a.movq(.rcx, .xmm0)
            if op == .clmulr {
                a.shr(.rax, imm: 63)
                a.add(.rcx, .rcx)
                a.or(.rcx, .rax)
            }
            a.mov(.rax, .rcx)
        }
        store(i.rd, Host.t0)
    }
}

