/// CSR numbers the hart implements (privileged spec 1.12, RV64, one hart).
///
/// Public entry points: the numbers, `isReadOnly` and `minimumPrivilege` (the access rules
/// encoded in a CSR number's top bits).
public enum CSRNumber {
    // Unprivileged: floating point and counters.
    public static let fflags: UInt16 = 0x001
    public static let frm: UInt16 = 0x002
    public static let fcsr: UInt16 = 0x003
    public static let cycle: UInt16 = 0xC00
    public static let time: UInt16 = 0xC01
    public static let instret: UInt16 = 0xC02
    /// hpmcounter3...hpmcounter31 are 0xC03...0xC1F.
    public static let hpmcounter3: UInt16 = 0xC03
    public static let hpmcounter31: UInt16 = 0xC1F

    // Supervisor.
    public static let sstatus: UInt16 = 0x100
    public static let sie: UInt16 = 0x104
    public static let stvec: UInt16 = 0x105
    public static let scounteren: UInt16 = 0x106
    public static let senvcfg: UInt16 = 0x10A
    public static let sscratch: UInt16 = 0x140
    public static let sepc: UInt16 = 0x141
    public static let scause: UInt16 = 0x142
    public static let stval: UInt16 = 0x143
    public static let sip: UInt16 = 0x144
    public static let stimecmp: UInt16 = 0x14D
    public static let satp: UInt16 = 0x180

    // Machine.
    public static let mvendorid: UInt16 = 0xF11
    public static let marchid: UInt16 = 0xF12
    public static let mimpid: UInt16 = 0xF13
    public static let mhartid: UInt16 = 0xF14
    public static let mconfigptr: UInt16 = 0xF15
    public static let mstatus: UInt16 = 0x300
    public static let misa: UInt16 = 0x301
    public static let medeleg: UInt16 = 0x302
    public static let mideleg: UInt16 = 0x303
    public static let mie: UInt16 = 0x304
    public static let mtvec: UInt16 = 0x305
    public static let mcounteren: UInt16 = 0x306
    public static let menvcfg: UInt16 = 0x30A
    public static let mcountinhibit: UInt16 = 0x320
    /// mhpmevent3...mhpmevent31 are 0x323...0x33F.
    public static let mhpmevent3: UInt16 = 0x323
    public static let mhpmevent31: UInt16 = 0x33F
    public static let mscratch: UInt16 = 0x340
    public static let mepc: UInt16 = 0x341
    public static let mcause: UInt16 = 0x342
    public static let mtval: UInt16 = 0x343
    public static let mip: UInt16 = 0x344
    /// pmpcfg0...pmpcfg15 are 0x3A0...0x3AF (only the even ones exist on RV64);
    /// pmpaddr0...pmpaddr63 are 0x3B0...0x3EF.
    public static let pmpcfg0: UInt16 = 0x3A0
    public static let pmpcfg15: UInt16 = 0x3AF
    public static let pmpaddr0: UInt16 = 0x3B0
    public static let pmpaddr63: UInt16 = 0x3EF
    public static let mcycle: UInt16 = 0xB00
    public static let minstret: UInt16 = 0xB02
    /// mhpmcounter3...mhpmcounter31 are 0xB03...0xB1F.
    public static let mhpmcounter3: UInt16 = 0xB03
    public static let mhpmcounter31: UInt16 = 0xB1F

    /// CSRs whose bits 11:10 are `11` are read-only; writing one is an illegal instruction.
    @inline(__always) public static func isReadOnly(_ csr: UInt16) -> Bool { csr >> 10 & 3 == 3 }
    /// Bits 9:8 give the lowest privilege level that may access the CSR.
    @inline(__always) public static func minimumPrivilege(_ csr: UInt16) -> UInt8 { UInt8(truncatingIfNeeded: csr >> 8 & 3) }
}
