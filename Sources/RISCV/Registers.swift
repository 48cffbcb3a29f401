/// ABI names of the integer and floating-point registers, as binutils prints them.
public enum RegisterNames {
    public static let x: [String] = [
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    ]
    public static let f: [String] = [
        "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
        "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
    ]

    /// Name of x`n` (only the low five bits are used, so any value is safe).
    @inlinable public static func x(_ n: UInt8) -> String { x[Int(n & 31)] }
    @inlinable public static func f(_ n: UInt8) -> String { f[Int(n & 31)] }
}

/// Names of the FP rounding modes as they appear in assembly; nil for the reserved 5 and 6.
public enum RoundingModeNames {
    public static let all: [String?] = ["rne", "rtz", "rdn", "rup", "rmm", nil, nil, "dyn"]
}

/// CSR numbers Trapeze itself gives meaning to.
public enum CSR {
    public static let fflags: UInt16 = 0x001, frm: UInt16 = 0x002, fcsr: UInt16 = 0x003
    public static let cycle: UInt16 = 0xc00, time: UInt16 = 0xc01, instret: UInt16 = 0xc02

    /// binutils' name for a CSR number under privileged spec `spec`, or nil when it has none (it
    /// then prints the number in hex).
    public static func name(_ number: UInt16, spec: PrivilegedSpec = .v1_12) -> String? {
        switch spec {
        case .v1_12: CSRNames.table[Int(number & 0xfff)]
        case .v1_11: CSRNames.table1_11[Int(number & 0xfff)]
        }
    }
}

/// The privileged-spec version whose CSR names a listing uses. objdump takes it from an ELF's
/// `Tag_priv_spec` attribute (GCC 12 writes 1.11) and uses 1.12 when there is none.
public enum PrivilegedSpec: Sendable, Equatable {
    case v1_11, v1_12

    /// The version an ELF's Tag_priv_spec/minor/revision attributes name, or nil (use the default).
    /// objdump treats 1.9.1, 1.10 and 1.11 alike for the CSRs Trapeze names, so they map to 1.11.
    public init?(major: UInt64, minor: UInt64) {
        switch (major, minor) {
        case (1, 12...): self = .v1_12
        case (1, 9...11): self = .v1_11
        default: return nil
        }
    }
}
