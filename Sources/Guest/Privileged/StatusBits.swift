import RISCV

/// Bit layouts of the status-like CSRs: mstatus/sstatus, mip/mie, menvcfg, satp, misa.
///
/// Public entry points: `MStatus`, `InterruptCause`, `EnvConfig`, `SATP`, `Misa` constants.
public enum MStatus {
    public static let sie: UInt64 = 1 << 1
    public static let mie: UInt64 = 1 << 3
    public static let spie: UInt64 = 1 << 5
    public static let mpie: UInt64 = 1 << 7
    public static let spp: UInt64 = 1 << 8
    public static let mppShift: UInt64 = 11
    public static let mpp: UInt64 = 3 << 11
    public static let fsShift: UInt64 = 13
    public static let fs: UInt64 = 3 << 13
    public static let mprv: UInt64 = 1 << 17
    public static let sum: UInt64 = 1 << 18
    public static let mxr: UInt64 = 1 << 19
    public static let tvm: UInt64 = 1 << 20
    public static let tw: UInt64 = 1 << 21
    public static let tsr: UInt64 = 1 << 22
    /// UXL = SXL = 2 (64-bit), read-only; sstatus shows only UXL.
    public static let uxl: UInt64 = 2 << 32
    public static let xlens: UInt64 = uxl | 2 << 34
    public static let sd: UInt64 = 1 << 63

    /// FS values: the floating-point unit's state as the kernel tracks it.
    public static let fsOff: UInt64 = 0, fsInitial: UInt64 = 1, fsClean: UInt64 = 2, fsDirty: UInt64 = 3

    /// The bits an mstatus write may change (MPP is further restricted to U, S, M).
    static let writable: UInt64 = sie | mie | spie | mpie | spp | mpp | fs | mprv | sum | mxr | tvm | tw | tsr
    /// The bits sstatus shows, and those it may change.
    static let supervisorView: UInt64 = sie | spie | spp | fs | sum | mxr | uxl | sd
    static let supervisorWritable: UInt64 = sie | spie | spp | fs | sum | mxr
    /// `supervisorWritable`, for translated code that reads sstatus itself.
    public static let supervisorWritableBits = supervisorWritable
}

/// Interrupt causes (mcause/scause with the interrupt bit set), which are also their mip/mie bit
/// numbers.
public enum InterruptCause: UInt64, Sendable, CaseIterable {
    case supervisorSoftware = 1
    case machineSoftware = 3
    case supervisorTimer = 5
    case machineTimer = 7
    case supervisorExternal = 9
    case machineExternal = 11

    public var bit: UInt64 { 1 << rawValue }

    /// Highest priority first: MEI > MSI > MTI > SEI > SSI > STI.
    public static let byPriority: [InterruptCause] = [
        .machineExternal, .machineSoftware, .machineTimer,
        .supervisorExternal, .supervisorSoftware, .supervisorTimer,
    ]
    /// The interrupts mie implements, and those S-mode can see and be delegated.
    static let all: UInt64 = 0xAAA
    static let supervisor: UInt64 = 0x222
    /// The mip bits M-mode software may write (STIP only without Sstc).
    static let softwareWritable: UInt64 = 0x222
}

/// menvcfg/senvcfg fields this hart implements.
public enum EnvConfig {
    public static let fiom: UInt64 = 1 << 0
    /// Zicbom/Zicboz: cbo.inval (CBIE, 2 bits: 01 flush, 11 invalidate), cbo.clean/flush (CBCFE)
    /// and cbo.zero (CBZE) allowed in the modes below.
    public static let cbie: UInt64 = 3 << 4
    public static let cbcfe: UInt64 = 1 << 6
    public static let cbze: UInt64 = 1 << 7
    /// What senvcfg and menvcfg keep of these (CBIE's reserved 10 reads as 00).
    static func cacheBlockBits(_ value: UInt64) -> UInt64 {
        let kept = value & (cbie | cbcfe | cbze)
        return kept & cbie == 2 << 4 ? kept & ~cbie : kept
    }
    /// Sstc: stimecmp drives STIP, and S-mode may access stimecmp.
    public static let stce: UInt64 = 1 << 63
}

/// satp: MODE in bits 63:60, ASID in 59:44, root page-table PPN in 43:0.
public enum SATP {
    public static let bare: UInt64 = 0, sv39: UInt64 = 8, sv48: UInt64 = 9, sv57: UInt64 = 10
    @inline(__always) public static func mode(_ satp: UInt64) -> UInt64 { satp >> 60 }
    @inline(__always) public static func asid(_ satp: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: satp >> 44) }
    @inline(__always) public static func ppn(_ satp: UInt64) -> UInt64 { satp & (1 << 44 - 1) }
    /// Page-table levels for a translating mode, nil for Bare and unsupported modes.
    @inline(__always) public static func levels(mode: UInt64) -> Int? {
        switch mode {
        case sv39: 3
        case sv48: 4
        case sv57: 5
        default: nil
        }
    }
}

/// misa: RV64 with the `--cpu` choice's single-letter extensions (I, M, A, F, D, C by default)
/// and the S and U modes. Read-only (writes are ignored, which WARL allows).
public enum Misa {
    public static func value(_ cpu: CPUModel = .all) -> UInt64 { 2 << 62 | extensions(cpu.letters.uppercased() + "SU") }
    static func extensions(_ letters: String) -> UInt64 {
        letters.unicodeScalars.reduce(0) { $0 | 1 << UInt64($1.value - 65) }
    }
}
