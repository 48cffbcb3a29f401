extension Assembler {
    /// `mov dst, src` between registers of the same width.
    public mutating func mov(_ dst: Reg, _ src: Reg) {
        precondition(dst.size == src.size, "operand sizes differ")
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0x88)), reg: src.gpr.rawValue, rm: .gpr(dst), byteRegs: .of(dst, src))
    }

    /// A load: `mov dst, [mem]`.
    public mutating func mov(_ dst: Reg, _ src: Mem) {
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0x8A)), reg: dst.gpr.rawValue, rm: .mem(src), byteRegs: .of(dst))
    }

    /// A store: `mov [mem], src`.
    public mutating func mov(_ dst: Mem, _ src: Reg) {
        let s = src.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0x88)), reg: src.gpr.rawValue, rm: .mem(dst), byteRegs: .of(src))
    }

    /// `mov dst, imm`. For 64-bit registers a value that fits in 32 signed bits uses the
    /// sign-extending C7 form, anything else becomes `movabs`. Narrower registers take `imm`
    /// truncated to their width. (Writing a 32-bit register zero-extends: `mov(.eax, …)` is the
    /// shortest way to load a small unsigned constant, but that is the caller's choice to make.)
    public mutating func mov(_ dst: Reg, imm: Int64) {
        let s = dst.size
        switch s {
        case .qword:
            if Int32(exactly: imm) != nil {
                emit(.none, w: true, .of(0xC7), reg: 0, rm: .gpr(dst), imm: imm, immSize: 4)
            } else {
                movabs(dst, imm: imm)
            }
        case .byte: emitOpcodeReg(.none, .of(0xB0), dst, imm: imm, immSize: 1)
        case .word, .dword, .xmmword: emitOpcodeReg(s.prefixes, .of(0xB8), dst, imm: imm, immSize: s.rawValue)
        }
    }

    /// `movabs dst, imm` whose immediate is recorded in `taggedImmediates` under `tag`. Always the
    /// 8-byte form: a tagged immediate is rewritten when the code is reused (the persistent
    /// cache relocates it), and the value then — a side-table pointer, a helper's address — need
    /// not fit in 32 bits because today's did.
    public mutating func mov(_ dst: Reg, imm: Int64, tag: UInt32) {
        precondition(dst.size == .qword, "tagged immediates load a 64-bit register")
        movabs(dst, imm: imm)
        taggedImmediates.append(TaggedImmediate(at: offset - 8, width: 8, tag: tag))
    }

    /// `mov dword ptr [mem], imm32` whose immediate is recorded in `taggedImmediates` under `tag`.
    public mutating func mov(_ dst: Mem, imm: Int32, tag: UInt32) {
        precondition(dst.size == .dword, "tagged immediates are stored as dwords")
        mov(dst, imm: imm)
        taggedImmediates.append(TaggedImmediate(at: offset - 4, width: 4, tag: tag))
    }

    /// `movabs dst, imm64`: always the 10-byte form, e.g. for constants patched later.
    public mutating func movabs(_ dst: Reg, imm: Int64) {
        precondition(dst.size == .qword, "movabs loads a 64-bit register")
        emitOpcodeReg(.none, w: true, .of(0xB8), dst, imm: imm, immSize: 8)
    }

    /// `mov size ptr [mem], imm` (sign-extended from 32 bits for qword).
    public mutating func mov(_ dst: Mem, imm: Int32) {
        let s = dst.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0xC6)), reg: 0, rm: .mem(dst), imm: s.fit(Int64(imm)), immSize: s.immBytes)
    }

    /// `movzx dst, src`: zero-extends a byte or word register.
    public mutating func movzx(_ dst: Reg, _ src: Reg) { extend(0xB6, dst, .gpr(src), src.size, byteRegs: .of(src)) }
    /// `movzx dst, byte/word ptr [mem]` (the size of `src` chooses which).
    public mutating func movzx(_ dst: Reg, _ src: Mem) { extend(0xB6, dst, .mem(src), src.size, byteRegs: .of()) }
    /// `movsx dst, src`: sign-extends a byte or word register.
    public mutating func movsx(_ dst: Reg, _ src: Reg) { extend(0xBE, dst, .gpr(src), src.size, byteRegs: .of(src)) }
    public mutating func movsx(_ dst: Reg, _ src: Mem) { extend(0xBE, dst, .mem(src), src.size, byteRegs: .of()) }

    private mutating func extend(_ op: UInt8, _ dst: Reg, _ rm: RM, _ from: OperandSize, byteRegs: ByteRegs) {
        precondition(from == .byte || from == .word, "movzx/movsx extend a byte or a word")
        precondition(dst.size.rawValue > from.rawValue, "the destination must be wider")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x0F, from == .byte ? op : op + 1), reg: dst.gpr.rawValue, rm: rm,
             byteRegs: byteRegs)
    }

    /// `movsxd dst64, src32`: sign-extends a doubleword.
    public mutating func movsxd(_ dst: Reg, _ src: Reg) {
        precondition(dst.size == .qword && src.size == .dword, "movsxd r64, r32")
        emit(.none, w: true, .of(0x63), reg: dst.gpr.rawValue, rm: .gpr(src))
    }

    public mutating func movsxd(_ dst: Reg, _ src: Mem) {
        precondition(dst.size == .qword, "movsxd r64, m32")
        emit(.none, w: true, .of(0x63), reg: dst.gpr.rawValue, rm: .mem(src))
    }

    /// `lea dst, [mem]`: the address itself (the operand's size is ignored).
    public mutating func lea(_ dst: Reg, _ src: Mem) {
        precondition(!dst.size.isByte, "lea needs a 16/32/64-bit destination")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x8D), reg: dst.gpr.rawValue, rm: .mem(src))
    }

    /// `xchg a, b`; with the accumulator it uses the one-byte 90+r form, as assemblers do
    /// (except `xchg eax, eax`, whose short form would be `nop` and not clear rax's top half).
    public mutating func xchg(_ a: Reg, _ b: Reg) {
        precondition(a.size == b.size, "operand sizes differ")
        let s = a.size
        if s == .qword && a.gpr == .rax && b.gpr == .rax {
            emitPlain(.of(0x90))  // what assemblers emit: without REX.W it is the same no-op
        } else if !s.isByte && (a.gpr == .rax || b.gpr == .rax) && !(s == .dword && a.gpr == b.gpr) {
            emitOpcodeReg(s.prefixes, w: s.rexW, .of(0x90), a.gpr == .rax ? b : a)
        } else {
            emit(s.prefixes, w: s.rexW, .of(s.opcode(0x86)), reg: a.gpr.rawValue, rm: .gpr(b), byteRegs: .of(a, b))
        }
    }

    /// `xchg [mem], r`: implicitly locked by the CPU.
    public mutating func xchg(_ m: Mem, _ r: Reg) {
        let s = r.size
        emit(s.prefixes, w: s.rexW, .of(s.opcode(0x86)), reg: r.gpr.rawValue, rm: .mem(m), byteRegs: .of(r))
    }

    /// `bswap r` (32 or 64 bit).
    public mutating func bswap(_ r: Reg) {
        precondition(r.size == .dword || r.size == .qword, "bswap takes a 32/64-bit register")
        emitOpcodeReg(.none, w: r.size.rexW, .of(0x0F, 0xC8), r)
    }

    /// `setcc dst8`: 1 if the condition holds, else 0.
    public mutating func setcc(_ cc: Condition, _ dst: Reg) {
        precondition(dst.size == .byte, "setcc writes a byte register")
        emit(.none, .of(0x0F, 0x90 | cc.rawValue), reg: 0, rm: .gpr(dst), byteRegs: .of(dst))
    }

    public mutating func setcc(_ cc: Condition, _ dst: Mem) {
        emit(.none, .of(0x0F, 0x90 | cc.rawValue), reg: 0, rm: .mem(dst))
    }

    /// `cmovcc dst, src`. Note a 32-bit cmov zero-extends `dst` even when the condition is false.
    public mutating func cmovcc(_ cc: Condition, _ dst: Reg, _ src: Reg) {
        precondition(dst.size == src.size && !dst.size.isByte, "cmov takes 16/32/64-bit operands of one size")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x0F, 0x40 | cc.rawValue), reg: dst.gpr.rawValue, rm: .gpr(src))
    }

    public mutating func cmovcc(_ cc: Condition, _ dst: Reg, _ src: Mem) {
        precondition(!dst.size.isByte, "cmov takes 16/32/64-bit operands")
        emit(dst.size.prefixes, w: dst.size.rexW, .of(0x0F, 0x40 | cc.rawValue), reg: dst.gpr.rawValue, rm: .mem(src))
    }

    /// `push r64`.
    public mutating func push(_ r: Reg) {
        precondition(r.size == .qword, "push takes a 64-bit register")
        emitOpcodeReg(.none, .of(0x50), r)
    }

    /// `push imm` (sign-extended to 64 bits; imm8 when it fits).
    public mutating func push(imm: Int32) {
        if let b = Int8(exactly: imm) {
            emitPlain(.of(0x6A))
            emitImmediate(Int64(b), size: 1)
        } else {
            emitPlain(.of(0x68))
            emitImmediate(Int64(imm), size: 4)
        }
    }

    public mutating func push(_ m: Mem) { emit(.none, .of(0xFF), reg: 6, rm: .mem(m)) }

    /// `pop r64`.
    public mutating func pop(_ r: Reg) {
        precondition(r.size == .qword, "pop takes a 64-bit register")
        emitOpcodeReg(.none, .of(0x58), r)
    }

    public mutating func pop(_ m: Mem) { emit(.none, .of(0x8F), reg: 0, rm: .mem(m)) }
}
