/// The five RISC-V rounding modes, numbered as in the `rm` field and `frm`.
public enum RoundingMode: UInt8, Sendable, CaseIterable {
    /// Round to nearest, ties to even.
    case rne = 0
    /// Round towards zero.
    case rtz = 1
    /// Round down (towards −∞).
    case rdn = 2
    /// Round up (towards +∞).
    case rup = 3
    /// Round to nearest, ties away from zero (x86 has no such mode).
    case rmm = 4

    /// The mode an instruction rounds with: its static `rm` field, or `frm` when `rm` is 7
    /// (dynamic). Nil when the combination is reserved (rm 5 or 6, or dynamic with frm 5, 6 or 7),
    /// which makes the instruction illegal.
    @inline(__always)
    public init?(rm: UInt16, frm: UInt32) {
        let mode = rm == 7 ? UInt32(frm) : UInt32(rm)
        guard mode <= 4, let value = RoundingMode(rawValue: UInt8(truncatingIfNeeded: mode)) else { return nil }
        self = value
    }
}

/// The accrued exception flags, as the bits of `fflags` (fcsr bits 4:0).
public enum FloatFlags {
    /// NV: invalid operation.
    public static let invalid: UInt32 = 0x10
    /// DZ: divide by zero.
    public static let divideByZero: UInt32 = 0x08
    /// OF: overflow.
    public static let overflow: UInt32 = 0x04
    /// UF: underflow (tiny after rounding, and inexact).
    public static let underflow: UInt32 = 0x02
    /// NX: inexact.
    public static let inexact: UInt32 = 0x01
}
