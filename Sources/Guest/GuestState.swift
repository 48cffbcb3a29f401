/// Byte offsets of every field of the hart's raw state block.
///
/// The interpreter reads the block through `GuestState`; translated x86-64 code addresses the same
/// bytes as `[state + offset]`. This table is the one place the layout is written down.
public enum StateOffset {
    /// x0...x31, 8 bytes each. x0 is stored as zero and never written.
    public static let x = 0
    /// f0...f31, 8 bytes each (single-precision values NaN-boxed).
    public static let f = 256
    public static let pc = 512
    /// Accrued exception flags (fcsr bits 4:0), as a UInt32.
    public static let fflags = 520
    /// Dynamic rounding mode (fcsr bits 7:5), as a UInt32.
    public static let frm = 524
    /// Retired guest instructions (the `instret` CSR; `cycle` reads the same).
    public static let instret = 528
    /// Load-reservation address; `reservationValid` is 0 or 1.
    public static let reservation = 536
    public static let reservationValid = 544
    /// Why translated code last returned to the dispatcher (`ExitReason` raw value), a UInt32,
    /// and a 32-bit argument for it.
    public static let exitReason = 552
    public static let exitArgument = 556
    /// Host address of guest address 0 and the exclusive guest-address limit, for translated code.
    public static let memoryBase = 560
    public static let memoryLimit = 568
    /// Scratch words for engines (the JIT's spill area, helper arguments).
    public static let scratch = 576
    public static let scratchCount = 16

    // Privileged state (system mode; see Privileged/GuestState+Privileged.swift), after the
    // fields above so their offsets stay put. Each is a UInt64 unless noted.
    /// The current privilege level (`PrivilegeMode` raw value).
    public static let privilege = 704
    /// mstatus without SD, UXL and SXL (computed when read).
    public static let mstatus = 712
    public static let medeleg = 720
    public static let mideleg = 728
    public static let mie = 736
    /// The software-writable mip bits (SSIP, STIP, SEIP); devices' lines are ORed in when read.
    public static let mip = 744
    public static let mtvec = 752
    public static let mscratch = 760
    public static let mepc = 768
    public static let mcause = 776
    public static let mtval = 784
    public static let mcounteren = 792
    public static let mcountinhibit = 800
    public static let menvcfg = 808
    public static let stvec = 816
    public static let sscratch = 824
    public static let sepc = 832
    public static let scause = 840
    public static let stval = 848
    public static let scounteren = 856
    public static let senvcfg = 864
    public static let satp = 872
    public static let stimecmp = 880
    /// mcycle and minstret as offsets from `instret` (or their frozen values while inhibited).
    public static let mcycle = 888
    public static let minstret = 896
    public static let mhartid = 904
    /// pmp0cfg...pmp15cfg, one byte each (pmpcfg0 and pmpcfg2 as the guest sees them).
    public static let pmpcfg = 912
    /// pmpaddr0...pmpaddr15.
    public static let pmpaddr = 928
    public static let pmpCount = 16
    /// The value `lr` read (zero-extended), which `sc` compares-and-exchanges against, so that a
    /// store by another thread between them makes `sc` fail (threads share memory in user mode).
    public static let reservationValue = 1056
    /// System mode, the JIT: eight {virtual page, host addend} pairs that a self-loop's later
    /// iterations check their accesses against instead of probing the inline TLB (LoopPeel.swift,
    /// SystemSharedProbes.swift), 16 bytes each.
    public static let loopProbes = 1088
    public static let loopProbeCount = 8

    /// Total size of the block, rounded to a cache line.
    public static let size = 1216
}

/// A non-owning view of one hart's raw state block.
///
/// A trivial struct (no ARC traffic) so the interpreter's loop can hold it in a register; the
/// block itself is owned by `Hart`.
public struct GuestState: @unchecked Sendable {
    public let raw: UnsafeMutableRawPointer

    public init(raw: UnsafeMutableRawPointer) { self.raw = raw }

    @inline(__always) public func x(_ i: Int) -> UInt64 {
        raw.load(fromByteOffset: StateOffset.x + i &* 8, as: UInt64.self)
    }
    /// Writes xi; writes to x0 are discarded.
    @inline(__always) public func setX(_ i: Int, _ v: UInt64) {
        if i != 0 { raw.storeBytes(of: v, toByteOffset: StateOffset.x + i &* 8, as: UInt64.self) }
    }
    @inline(__always) public func f(_ i: Int) -> UInt64 {
        raw.load(fromByteOffset: StateOffset.f + i &* 8, as: UInt64.self)
    }
    @inline(__always) public func setF(_ i: Int, _ v: UInt64) {
        raw.storeBytes(of: v, toByteOffset: StateOffset.f + i &* 8, as: UInt64.self)
    }
    public var pc: UInt64 {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.pc, as: UInt64.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: StateOffset.pc, as: UInt64.self) }
    }
    public var fflags: UInt32 {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.fflags, as: UInt32.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue & 0x1f, toByteOffset: StateOffset.fflags, as: UInt32.self) }
    }
    public var frm: UInt32 {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.frm, as: UInt32.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue & 0x7, toByteOffset: StateOffset.frm, as: UInt32.self) }
    }
    /// fcsr as the guest sees it: frm in bits 7:5, fflags in bits 4:0.
    public var fcsr: UInt32 {
        get { (frm << 5) | fflags }
        nonmutating set { frm = (newValue >> 5) & 7; fflags = newValue & 0x1f }
    }
    public var instret: UInt64 {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.instret, as: UInt64.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: StateOffset.instret, as: UInt64.self) }
    }
    public var reservation: UInt64 {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.reservation, as: UInt64.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: StateOffset.reservation, as: UInt64.self) }
    }
    public var reservationValid: Bool {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.reservationValid, as: UInt64.self) != 0 }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue ? 1 : 0, toByteOffset: StateOffset.reservationValid, as: UInt64.self) }
    }
    public var reservationValue: UInt64 {
        @inline(__always) get { raw.load(fromByteOffset: StateOffset.reservationValue, as: UInt64.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: StateOffset.reservationValue, as: UInt64.self) }
    }
    public var exitReason: UInt32 {
        get { raw.load(fromByteOffset: StateOffset.exitReason, as: UInt32.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: StateOffset.exitReason, as: UInt32.self) }
    }
    public var exitArgument: UInt32 {
        get { raw.load(fromByteOffset: StateOffset.exitArgument, as: UInt32.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: StateOffset.exitArgument, as: UInt32.self) }
    }

    /// The 32 integer registers, for comparisons and dumps.
    public var xRegisters: [UInt64] { (0..<32).map { x($0) } }
    public var fRegisters: [UInt64] { (0..<32).map { f($0) } }
}
