import RISCV
import X86

/// RV64I and M arithmetic. Results are computed in the destination's cache register when it has
/// one (and that does not clobber a source still to be read), else in rax and stored.
extension Translator {
    /// A register to compute rd into without clobbering `keep` before it is read.
    @inline(__always) func destination(_ rd: UInt8, keep: UInt8? = nil) -> GPR {
        if case .host(let h) = operand(rd), rd != keep { return h }
        return Host.t0
    }

    mutating func immediate(_ i: Instruction, _ op: ALUOp, word: Bool = false) {
        guard i.rd != 0 else { return }
        if i.rs1 == 0 {
            // li: the result is a constant (andi with x0 is 0; the rest are the immediate).
            let imm = UInt64(bitPattern: op == .and ? 0 : i.imm)
            storeConstant(i.rd, word ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: imm))) : imm)
            return
        }
        if i.imm == 0, op == .add || op == .or || op == .xor {
            copy(i.rd, i.rs1, word: word)
            return
        }
        if !word, i.rd == i.rs1, case .memory(let disp) = operand(i.rd) {
            // `addi t0, t0, -1` on an uncached register: one read-modify-write.
            a.alu(op, .qword(Host.state, disp), imm: Int32(truncatingIfNeeded: i.imm))
            return
        }
        let d = destination(i.rd)
        if !word, op == .and, i.imm == 0xff || i.imm == 0xffff {
            // zext.b (and a 16-bit mask): one movzx from wherever rs1 is, no copy through rax.
            let size: OperandSize = i.imm == 0xff ? .byte : .word
            switch operand(i.rs1) {
            case .zero: a.xor(.r32(d), .r32(d))
            case .host(let h): a.movzx(.r32(d), Reg(h, size))
            case .memory(let disp): a.movzx(.r32(d), Mem(size, base: .gpr(Host.state), disp: disp))
            }
            store(i.rd, d)
            return
        }
        if !word, op == .add, case .host(let source) = operand(i.rs1), source != d {
            // `addi a2, sp, 8`: one lea from the cached source.
            a.lea(.r64(d), .qword(source, Int32(truncatingIfNeeded: i.imm)))
            store(i.rd, d)
            return
        }
        if word, op == .add, case .host(let source) = operand(i.rs1), source != d {
            // `addiw s0, a0, -1`: a 32-bit lea from the cached source, then the sign extension.
            a.lea(.r32(d), .qword(source, Int32(truncatingIfNeeded: i.imm)))
            signExtendResult(d)
            store(i.rd, d)
            return
        }
        load(d, i.rs1)
        // 12-bit immediates always fit an imm32.
        if word {
            a.alu(op, .r32(d), imm: Int32(truncatingIfNeeded: i.imm))
            signExtendResult(d)
        } else {
            a.alu(op, .r64(d), imm: Int32(truncatingIfNeeded: i.imm))
        }
        store(i.rd, d)
    }

    /// `rd = rs` (mv), or its low word sign-extended (sext.w), in the fewest moves: one when
    /// either side is cached, through rax only between two state slots.
    mutating func copy(_ rd: UInt8, _ rs: UInt8, word: Bool) {
        guard rd != 0 else { return }
        if rs == 0 { storeConstant(rd, 0); return }
        // sext.w of a value already sign-extended is a move (SignExtension.swift).
        // So is one whose upper bits nobody sees (UpperBits.swift).
        var extend = word && !signExtended.contains(rs)
        if extend, upperBits.contains(index) {
            extend = false
            leftUnextended = true
        }
        if !extend, rd == rs { return }
        let d = destination(rd)
        if extend {
            switch operand(rs) {
            case .zero: a.xor(.r32(d), .r32(d))
            case .host(let h): a.movsxd(.r64(d), .r32(h))
            case .memory(let disp): a.movsxd(.r64(d), .dword(Host.state, disp))
            }
        } else {
            if case .host(let h) = operand(rs), case .memory = operand(rd) {
                store(rd, h) // straight from the cache register to the slot
                return
            }
            load(d, rs)
        }
        store(rd, d)
    }

    mutating func registers(_ i: Instruction, _ op: ALUOp, word: Bool) {
        guard i.rd != 0 else { return }
        // add/or/xor with x0 and sub of x0 are moves (c.mv expands to `add rd, x0, rs2`).
        if i.rs1 == 0, op == .add || op == .or || op == .xor { copy(i.rd, i.rs2, word: word); return }
        if i.rs2 == 0, op == .add || op == .or || op == .xor || op == .sub { copy(i.rd, i.rs1, word: word); return }
        if !word, i.rd == i.rs1, case .memory(let disp) = operand(i.rd) {
            let source = register(i.rs2, scratch: Host.t1)
            a.alu(op, .qword(Host.state, disp), .r64(source))
            return
        }
        let commutative = op == .add || op == .or || op == .xor || op == .and
        if commutative, i.rd == i.rs2, i.rs1 != 0, case .host(let h) = operand(i.rd) {
            // `add a5, a4, a5` into a5's own register: no copy through rax.
            alu(op, Reg(h, word ? .dword : .qword), i.rs1)
            if word { signExtendResult(h) }
            return
        }
        let d = destination(i.rd, keep: i.rs2)
        load(d, i.rs1)
        if word {
            alu(op, .r32(d), i.rs2)
            signExtendResult(d)
        } else {
            alu(op, .r64(d), i.rs2)
        }
        store(i.rd, d)
    }

    /// slt, sltu, slti, sltiu: compare, then materialise the flag.
    mutating func setLess(_ i: Instruction, _ cc: Condition, immediate: Bool) {
        guard i.rd != 0 else { return }
        let left = register(i.rs1, scratch: Host.t0)
        if immediate {
            a.cmp(.r64(left), imm: Int32(truncatingIfNeeded: i.imm))
        } else {
            alu(.cmp, .r64(left), i.rs2)
        }
        a.setcc(cc, .al)
        a.movzx(.eax, .al)
        store(i.rd, Host.t0)
    }

    /// x86 masks shift counts to 6 bits (5 for 32-bit operands), exactly as RISC-V does.
    mutating func shiftImmediate(_ i: Instruction, _ kind: ShiftKind, word: Bool) {
        guard i.rd != 0 else { return }
        let count = UInt8(truncatingIfNeeded: i.imm) & (word ? 31 : 63)
        if !word, i.rd == i.rs1, case .memory(let disp) = operand(i.rd) {
            // `slli s8, s8, 2` on an uncached register: one read-modify-write.
            shift(kind, .qword(Host.state, disp), count: count)
            return
        }
        let d = destination(i.rd)
        load(d, i.rs1)
        if word {
            shift(kind, .r32(d), count: count)
            // srliw by 1–31 leaves bit 31 clear, so the 32-bit result's zero extension (what a
            // 32-bit x86 operation leaves) is already its sign extension.
            if kind != .shr || count == 0 { signExtendResult(d) }
        } else {
            shift(kind, .r64(d), count: count)
        }
        store(i.rd, d)
    }

    mutating func shiftRegister(_ i: Instruction, _ kind: ShiftKind, word: Bool) {
        guard i.rd != 0 else { return }
        load(Host.t1, i.rs2)
        let d = destination(i.rd)
        load(d, i.rs1)
        if word {
            shift(kind, .r32(d), count: nil)
            signExtendResult(d)
        } else {
            shift(kind, .r64(d), count: nil)
        }
        store(i.rd, d)
    }

    mutating func multiply(_ i: Instruction, word: Bool) {
        guard i.rd != 0 else { return }
        let d = destination(i.rd, keep: i.rs2)
        load(d, i.rs1)
        let size: OperandSize = word ? .dword : .qword
        switch operand(i.rs2) {
        case .zero: a.xor(.r32(d), .r32(d))
        case .host(let h): a.imul(Reg(d, size), Reg(h, size))
        case .memory(let disp): a.imul(Reg(d, size), Mem(size, base: .gpr(Host.state), disp: disp))
        }
        if word { signExtendResult(d) }
        store(i.rd, d)
    }

    enum Signedness { case signed, unsigned, signedUnsigned }

    /// The high 64 bits of the 128-bit product, from rdx after a one-operand mul/imul.
    mutating func multiplyHigh(_ i: Instruction, _ s: Signedness) {
        guard i.rd != 0 else { return }
        load(Host.t1, i.rs2)
        load(Host.t0, i.rs1)
        switch s {
        case .signed: a.imul(.rcx)
        case .unsigned: a.mul(.rcx)
        case .signedUnsigned:
            // high(signed a × unsigned b) = high(unsigned a × b) − (a < 0 ? b : 0)
            a.mul(.rcx)
            load(Host.t0, i.rs1)
            a.sar(.rax, imm: 63)
            a.and(.rax, .rcx)
            a.sub(.rdx, .rax)
        }
        store(i.rd, Host.t2)
    }

    /// RISC-V division never traps: x/0 is all ones and x%0 is x; MIN/−1 is MIN and MIN%−1 is 0.
    /// x86 div/idiv fault on both, so they are handled before dividing.
    mutating func divide(_ i: Instruction, signed: Bool, remainder: Bool, word: Bool) {
        guard i.rd != 0 else { return }
        let size: OperandSize = word ? .dword : .qword
        let ax = Reg(.rax, size), cx = Reg(.rcx, size)
        load(Host.t1, i.rs2)
        load(Host.t0, i.rs1)
        let byZero = a.newLabel(), done = a.newLabel()
        a.test(cx, cx)
        a.jcc(.e, byZero)
        if signed {
            let ordinary = a.newLabel()
            a.cmp(cx, imm: -1)
            a.jcc(.ne, ordinary)
            if remainder { a.xor(.eax, .eax) } else { a.neg(ax) } // −MIN wraps to MIN
            a.jmp(done)
            a.bind(ordinary)
            if word { a.cdq() } else { a.cqo() }
            a.idiv(cx)
        } else {
            a.xor(.edx, .edx)
            a.div(cx)
        }
        if remainder { a.mov(Reg(.rax, size), Reg(.rdx, size)) }
        a.jmp(done)
        a.bind(byZero)
        if !remainder { a.mov(.rax, imm: -1) } // x % 0 = x: rax still holds it
        a.bind(done)
        if word { a.movsxd(.rax, .eax) }
        store(i.rd, Host.t0)
    }
}

enum ShiftKind { case shl, shr, sar }

extension Translator {
    /// `kind m, count` by an immediate, in memory.
    mutating func shift(_ kind: ShiftKind, _ m: Mem, count: UInt8) {
        switch kind {
        case .shl: a.shl(m, imm: count)
        case .shr: a.shr(m, imm: count)
        case .sar: a.sar(m, imm: count)
        }
    }

    /// `kind r, count` by an immediate, or by cl when `count` is nil.
    mutating func shift(_ kind: ShiftKind, _ r: Reg, count: UInt8?) {
        switch (kind, count) {
        case (.shl, let c?): a.shl(r, imm: c)
        case (.shr, let c?): a.shr(r, imm: c)
        case (.sar, let c?): a.sar(r, imm: c)
        case (.shl, nil): a.shl(r, .cl)
        case (.shr, nil): a.shr(r, .cl)
        case (.sar, nil): a.sar(r, .cl)
        }
    }
}
