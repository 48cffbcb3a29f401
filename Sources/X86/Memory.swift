/// A memory operand: `[base + index*scale + disp]`, `[rip + disp]`, `[rip + label]` or `[disp]`.
///
/// Build one with the size constructors, which read like Intel syntax:
/// `.qword(.rbx, 8)` is `qword ptr [rbx + 8]`, `.dword(.rax, .r12, 4, -16)` is
/// `dword ptr [rax + r12*4 - 0x10]`. The size only matters where no register fixes the operand
/// width (immediate and one-operand forms); `lea` ignores it.
public struct Mem: Hashable, Sendable {
    /// What the address is relative to.
    public enum Base: Hashable, Sendable {
        case gpr(GPR)
        /// The address of the next instruction plus `disp`.
        case rip
        /// The bound position of a label (plus `disp`), encoded RIP-relative.
        case label(Label)
        /// No base: `disp` (sign-extended) is the address, optionally plus a scaled index.
        case none
    }

    public var base: Base
    public var index: GPR?
    /// 1, 2, 4 or 8.
    public var scale: UInt8
    public var disp: Int32
    public var size: OperandSize

    public init(_ size: OperandSize, base: Base, index: GPR? = nil, scale: UInt8 = 1, disp: Int32 = 0) {
        precondition(index != .rsp, "rsp cannot be an index register")
        precondition(scale == 1 || scale == 2 || scale == 4 || scale == 8, "scale must be 1, 2, 4 or 8")
        if index != nil {
            switch base {
            case .gpr, .none: break
            case .rip, .label: preconditionFailure("RIP-relative operands take no index")
            }
        }
        self.size = size
        self.base = base
        self.index = index
        self.scale = scale
        self.disp = disp
    }

    /// The same address at another size.
    public func sized(_ s: OperandSize) -> Mem {
        var m = self
        m.size = s
        return m
    }
}

extension Mem {
    public static func byte(_ b: GPR, _ disp: Int32 = 0) -> Mem { Mem(.byte, base: .gpr(b), disp: disp) }
    public static func word(_ b: GPR, _ disp: Int32 = 0) -> Mem { Mem(.word, base: .gpr(b), disp: disp) }
    public static func dword(_ b: GPR, _ disp: Int32 = 0) -> Mem { Mem(.dword, base: .gpr(b), disp: disp) }
    public static func qword(_ b: GPR, _ disp: Int32 = 0) -> Mem { Mem(.qword, base: .gpr(b), disp: disp) }
    public static func xmmword(_ b: GPR, _ disp: Int32 = 0) -> Mem { Mem(.xmmword, base: .gpr(b), disp: disp) }

    public static func byte(_ b: GPR, _ i: GPR, _ scale: UInt8 = 1, _ disp: Int32 = 0) -> Mem {
        Mem(.byte, base: .gpr(b), index: i, scale: scale, disp: disp)
    }
    public static func word(_ b: GPR, _ i: GPR, _ scale: UInt8 = 1, _ disp: Int32 = 0) -> Mem {
        Mem(.word, base: .gpr(b), index: i, scale: scale, disp: disp)
    }
    public static func dword(_ b: GPR, _ i: GPR, _ scale: UInt8 = 1, _ disp: Int32 = 0) -> Mem {
        Mem(.dword, base: .gpr(b), index: i, scale: scale, disp: disp)
    }
    public static func qword(_ b: GPR, _ i: GPR, _ scale: UInt8 = 1, _ disp: Int32 = 0) -> Mem {
        Mem(.qword, base: .gpr(b), index: i, scale: scale, disp: disp)
    }

    /// `[rip + disp]`: `disp` is relative to the end of the instruction.
    public static func rip(_ size: OperandSize, _ disp: Int32) -> Mem { Mem(size, base: .rip, disp: disp) }
    /// `[rip + label]`: resolved when the label is bound, like a jump.
    public static func rip(_ size: OperandSize, _ label: Label) -> Mem { Mem(size, base: .label(label)) }
    /// `[disp]`: an absolute address in the low or high 2 GiB.
    public static func absolute(_ size: OperandSize, _ address: Int32) -> Mem { Mem(size, base: .none, disp: address) }
}
