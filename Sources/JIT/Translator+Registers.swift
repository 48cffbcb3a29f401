import Guest
import X86

/// Where a guest register's value is while translated code runs.
enum GuestOperand {
    /// x0: always zero.
    case zero
    /// Cached in this host register (see `RegisterMap`).
    case host(GPR)
    /// In the state block at `[state + disp]`.
    case memory(Int32)
}

extension Translator {
    @inline(__always) func operand(_ x: UInt8) -> GuestOperand {
        if x == 0 { return .zero }
        if let l = lent, l.guest == x { return .host(l.host) } // ChainGather.swift
        if let h = (regs.allocated ? blockHost : registerHost)[Int(x)] { return .host(h) }
        return .memory(Int32(StateOffset.x + 8 * Int(x)))
    }

    /// The 64-bit slot of an uncached guest register.
    func slot(_ x: UInt8) -> Mem { .qword(Host.state, Int32(StateOffset.x + 8 * Int(x))) }

    /// `dst = x` (64 bits).
    mutating func load(_ dst: GPR, _ x: UInt8) {
        switch operand(x) {
        case .zero: a.xor(.r32(dst), .r32(dst))
        case .host(let h): if h != dst { a.mov(.r64(dst), .r64(h)) }
        case .memory(let d): a.mov(.r64(dst), .qword(Host.state, d))
        }
    }

    /// A register holding x's value: its cache register, or `scratch` loaded with it.
    mutating func register(_ x: UInt8, scratch: GPR) -> GPR {
        if case .host(let h) = operand(x) { return h }
        load(scratch, x)
        return scratch
    }

    /// `x = src` (64 bits). Writes to x0 vanish.
    mutating func store(_ x: UInt8, _ src: GPR) {
        switch operand(x) {
        case .zero: break
        case .host(let h): if h != src { a.mov(.r64(h), .r64(src)) }
        case .memory(let d):
            let start = a.offset
            a.mov(.qword(Host.state, d), .r64(src))
            lastStore = (x, src, d, start, a.offset)
        }
    }

    /// `x = value`, a constant known at translation time.
    mutating func storeConstant(_ x: UInt8, _ value: UInt64) {
        switch operand(x) {
        case .zero: break
        case .host(let h): materialize(h, value)
        case .memory(let d): storeConstant(.qword(Host.state, d), value)
        }
    }

    /// `dst = value` in the shortest form.
    mutating func materialize(_ dst: GPR, _ value: UInt64) {
        if value == 0 {
            a.xor(.r32(dst), .r32(dst))
        } else if value <= UInt64(UInt32.max) {
            a.mov(.r32(dst), imm: Int64(value))
        } else {
            a.mov(.r64(dst), imm: Int64(bitPattern: value))
        }
    }

    /// Emits `op dst, x` for a two-operand ALU instruction, taking x from wherever it lives.
    mutating func alu(_ op: ALUOp, _ dst: Reg, _ x: UInt8) {
        switch operand(x) {
        case .zero: a.alu(op, dst, imm: 0)
        case .host(let h): a.alu(op, dst, h.sized(dst.size))
        case .memory(let d): a.alu(op, dst, Mem(dst.size, base: .gpr(Host.state), disp: d))
        }
    }
}

extension GPR {
    func sized(_ s: OperandSize) -> Reg { Reg(self, s) }
}
