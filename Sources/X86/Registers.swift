/// A general-purpose register, by its hardware number (0–15). The width an instruction uses it at
/// is carried separately by `Reg`, so one `GPR` names rax, eax, ax and al alike.
public enum GPR: UInt8, CaseIterable, Sendable {
    case rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi
    case r8, r9, r10, r11, r12, r13, r14, r15

    /// The low three bits that go into ModRM, SIB or the opcode.
    var low3: UInt8 { rawValue & 7 }
    /// Whether the register needs a REX (or VEX) extension bit.
    var isExtended: Bool { rawValue >= 8 }
}

/// The width of an operand. `xmmword` exists only to name 128-bit memory operands.
public enum OperandSize: Int, Sendable {
    case byte = 1, word = 2, dword = 4, qword = 8, xmmword = 16

    /// The Intel-syntax size keyword (`qword` in `qword ptr [rax]`).
    public var keyword: String {
        switch self {
        case .byte: "byte"
        case .word: "word"
        case .dword: "dword"
        case .qword: "qword"
        case .xmmword: "xmmword"
        }
    }
}

/// A general-purpose register used at a given width: `.rax`, `.eax`, `.ax`, `.al`, `.r8d`, `.spl`…
/// The legacy high-byte registers (ah, ch, dh, bh) are deliberately absent: they cannot be encoded
/// together with a REX prefix, and nothing in a translator needs them.
public struct Reg: Hashable, Sendable, CustomStringConvertible {
    public let gpr: GPR
    public let size: OperandSize

    public init(_ gpr: GPR, _ size: OperandSize) {
        precondition(size != .xmmword, "a general register is at most 64 bits wide")
        self.gpr = gpr
        self.size = size
    }

    public static func r64(_ g: GPR) -> Reg { Reg(g, .qword) }
    public static func r32(_ g: GPR) -> Reg { Reg(g, .dword) }
    public static func r16(_ g: GPR) -> Reg { Reg(g, .word) }
    public static func r8(_ g: GPR) -> Reg { Reg(g, .byte) }

    /// The same register at another width.
    public func sized(_ s: OperandSize) -> Reg { Reg(gpr, s) }

    /// spl, bpl, sil and dil exist only with a REX prefix (without one they would be ah, ch, dh, bh).
    var needsREXForByte: Bool { size == .byte && gpr.rawValue >= 4 && gpr.rawValue < 8 }

    public var description: String { Reg.names[Int(gpr.rawValue)][Reg.column(size)] }

    /// The register with this Intel name (`"r9d"`, `"sil"`), if there is one.
    public init?(name: String) {
        for (i, row) in Reg.names.enumerated() {
            for (c, n) in row.enumerated() where n == name {
                let sizes: [OperandSize] = [.qword, .dword, .word, .byte]
                self.init(GPR(rawValue: UInt8(i))!, sizes[c])
                return
            }
        }
        return nil
    }

    private static func column(_ s: OperandSize) -> Int {
        switch s {
        case .qword: 0
        case .dword: 1
        case .word: 2
        case .byte, .xmmword: 3
        }
    }

    static let names: [[String]] = [
        ["rax", "eax", "ax", "al"], ["rcx", "ecx", "cx", "cl"], ["rdx", "edx", "dx", "dl"],
        ["rbx", "ebx", "bx", "bl"], ["rsp", "esp", "sp", "spl"], ["rbp", "ebp", "bp", "bpl"],
        ["rsi", "esi", "si", "sil"], ["rdi", "edi", "di", "dil"],
    ] + (8...15).map { ["r\($0)", "r\($0)d", "r\($0)w", "r\($0)b"] }
}

extension Reg {
    public static let rax = r64(.rax), rcx = r64(.rcx), rdx = r64(.rdx), rbx = r64(.rbx)
    public static let rsp = r64(.rsp), rbp = r64(.rbp), rsi = r64(.rsi), rdi = r64(.rdi)
    public static let r8 = r64(.r8), r9 = r64(.r9), r10 = r64(.r10), r11 = r64(.r11)
    public static let r12 = r64(.r12), r13 = r64(.r13), r14 = r64(.r14), r15 = r64(.r15)

    public static let eax = r32(.rax), ecx = r32(.rcx), edx = r32(.rdx), ebx = r32(.rbx)
    public static let esp = r32(.rsp), ebp = r32(.rbp), esi = r32(.rsi), edi = r32(.rdi)
    public static let r8d = r32(.r8), r9d = r32(.r9), r10d = r32(.r10), r11d = r32(.r11)
    public static let r12d = r32(.r12), r13d = r32(.r13), r14d = r32(.r14), r15d = r32(.r15)

    public static let ax = r16(.rax), cx = r16(.rcx), dx = r16(.rdx), bx = r16(.rbx)
    public static let sp = r16(.rsp), bp = r16(.rbp), si = r16(.rsi), di = r16(.rdi)
    public static let r8w = r16(.r8), r9w = r16(.r9), r10w = r16(.r10), r11w = r16(.r11)
    public static let r12w = r16(.r12), r13w = r16(.r13), r14w = r16(.r14), r15w = r16(.r15)

    public static let al = r8(.rax), cl = r8(.rcx), dl = r8(.rdx), bl = r8(.rbx)
    public static let spl = r8(.rsp), bpl = r8(.rbp), sil = r8(.rsi), dil = r8(.rdi)
    public static let r8b = r8(.r8), r9b = r8(.r9), r10b = r8(.r10), r11b = r8(.r11)
    public static let r12b = r8(.r12), r13b = r8(.r13), r14b = r8(.r14), r15b = r8(.r15)
}

/// An SSE register.
public enum XMM: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7
    case xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15

    var low3: UInt8 { rawValue & 7 }
    var isExtended: Bool { rawValue >= 8 }
    public var description: String { "xmm\(rawValue)" }
}
