/// An x86 condition code, as used by jcc, setcc and cmovcc. The raw value is the `cc` nibble
/// that is added to the opcode (0x70+cc, 0x0F 0x80+cc, 0x0F 0x90+cc, 0x0F 0x40+cc).
public enum Condition: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case o = 0x0, no = 0x1
    /// Unsigned below (carry set).
    case b = 0x2
    /// Unsigned above or equal (carry clear).
    case ae = 0x3
    case e = 0x4, ne = 0x5
    /// Unsigned below or equal.
    case be = 0x6
    /// Unsigned above.
    case a = 0x7
    case s = 0x8, ns = 0x9
    /// Parity set: after ucomis/comis, the operands were unordered (a NaN).
    case p = 0xA, np = 0xB
    /// Signed less.
    case l = 0xC
    case ge = 0xD, le = 0xE, g = 0xF

    /// The opposite condition; flipping the low bit is how x86 pairs them.
    public var inverted: Condition { Condition(rawValue: rawValue ^ 1)! }

    /// The suffix used in mnemonics (`ne` in `jne`).
    public var description: String {
        switch self {
        case .o: "o"
        case .no: "no"
        case .b: "b"
        case .ae: "ae"
        case .e: "e"
        case .ne: "ne"
        case .be: "be"
        case .a: "a"
        case .s: "s"
        case .ns: "ns"
        case .p: "p"
        case .np: "np"
        case .l: "l"
        case .ge: "ge"
        case .le: "le"
        case .g: "g"
        }
    }
}
