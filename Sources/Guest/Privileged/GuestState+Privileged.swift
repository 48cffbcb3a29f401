/// Accessors for the privileged fields of the state block (offsets in `StateOffset`), and the
/// two ways a hart starts: as a Linux user process or as a machine coming out of reset.
///
/// Public entry points: the properties below (raw stored values: no WARL rules are applied
/// here, the CSR file does that), `privilege`, `resetForUserMode()`, `resetForMachine(hartID:)`,
/// `floatingPointEnabled`, `markFloatingPointDirty()`, `pmpConfig(_:)`, `pmpAddress(_:)`.
extension GuestState {
    @inline(__always) func word(_ offset: Int) -> UInt64 { raw.load(fromByteOffset: offset, as: UInt64.self) }
    @inline(__always) func setWord(_ offset: Int, _ value: UInt64) { raw.storeBytes(of: value, toByteOffset: offset, as: UInt64.self) }

    /// The privilege level the hart runs at. Only 0, 1 and 3 are ever stored.
    public var privilege: PrivilegeMode {
        @inline(__always) get { PrivilegeMode(rawValue: UInt8(truncatingIfNeeded: word(StateOffset.privilege))) ?? .machine }
        @inline(__always) nonmutating set { setWord(StateOffset.privilege, UInt64(newValue.rawValue)) }
    }
    /// mstatus as stored: no SD, UXL or SXL (see `Hart.mstatus` for the guest's view).
    public var mstatus: UInt64 {
        @inline(__always) get { word(StateOffset.mstatus) }
        @inline(__always) nonmutating set { setWord(StateOffset.mstatus, newValue) }
    }
    public var medeleg: UInt64 { get { word(StateOffset.medeleg) } nonmutating set { setWord(StateOffset.medeleg, newValue) } }
    public var mideleg: UInt64 { get { word(StateOffset.mideleg) } nonmutating set { setWord(StateOffset.mideleg, newValue) } }
    public var mie: UInt64 { get { word(StateOffset.mie) } nonmutating set { setWord(StateOffset.mie, newValue) } }
    /// The software-writable mip bits only.
    public var mipSoftware: UInt64 { get { word(StateOffset.mip) } nonmutating set { setWord(StateOffset.mip, newValue) } }
    public var mtvec: UInt64 { get { word(StateOffset.mtvec) } nonmutating set { setWord(StateOffset.mtvec, newValue) } }
    public var mscratch: UInt64 { get { word(StateOffset.mscratch) } nonmutating set { setWord(StateOffset.mscratch, newValue) } }
    public var mepc: UInt64 { get { word(StateOffset.mepc) } nonmutating set { setWord(StateOffset.mepc, newValue) } }
    public var mcause: UInt64 { get { word(StateOffset.mcause) } nonmutating set { setWord(StateOffset.mcause, newValue) } }
    public var mtval: UInt64 { get { word(StateOffset.mtval) } nonmutating set { setWord(StateOffset.mtval, newValue) } }
    public var mcounteren: UInt64 { get { word(StateOffset.mcounteren) } nonmutating set { setWord(StateOffset.mcounteren, newValue) } }
    public var mcountinhibit: UInt64 { get { word(StateOffset.mcountinhibit) } nonmutating set { setWord(StateOffset.mcountinhibit, newValue) } }
    public var menvcfg: UInt64 { get { word(StateOffset.menvcfg) } nonmutating set { setWord(StateOffset.menvcfg, newValue) } }
    public var stvec: UInt64 { get { word(StateOffset.stvec) } nonmutating set { setWord(StateOffset.stvec, newValue) } }
    public var sscratch: UInt64 { get { word(StateOffset.sscratch) } nonmutating set { setWord(StateOffset.sscratch, newValue) } }
    public var sepc: UInt64 { get { word(StateOffset.sepc) } nonmutating set { setWord(StateOffset.sepc, newValue) } }
    public var scause: UInt64 { get { word(StateOffset.scause) } nonmutating set { setWord(StateOffset.scause, newValue) } }
    public var stval: UInt64 { get { word(StateOffset.stval) } nonmutating set { setWord(StateOffset.stval, newValue) } }
    public var scounteren: UInt64 { get { word(StateOffset.scounteren) } nonmutating set { setWord(StateOffset.scounteren, newValue) } }
    public var senvcfg: UInt64 { get { word(StateOffset.senvcfg) } nonmutating set { setWord(StateOffset.senvcfg, newValue) } }
    public var satp: UInt64 { get { word(StateOffset.satp) } nonmutating set { setWord(StateOffset.satp, newValue) } }
    public var stimecmp: UInt64 { get { word(StateOffset.stimecmp) } nonmutating set { setWord(StateOffset.stimecmp, newValue) } }
    public var mhartid: UInt64 { get { word(StateOffset.mhartid) } nonmutating set { setWord(StateOffset.mhartid, newValue) } }

    /// pmpNcfg, one byte.
    public func pmpConfig(_ i: Int) -> UInt8 { raw.load(fromByteOffset: StateOffset.pmpcfg + i, as: UInt8.self) }
    func setPMPConfig(_ i: Int, _ v: UInt8) { raw.storeBytes(of: v, toByteOffset: StateOffset.pmpcfg + i, as: UInt8.self) }
    /// pmpaddrN: bits 55:2 of an address.
    public func pmpAddress(_ i: Int) -> UInt64 { word(StateOffset.pmpaddr + i &* 8) }
    func setPMPAddress(_ i: Int, _ v: UInt64) { setWord(StateOffset.pmpaddr + i &* 8, v) }

    /// mstatus.FS is not Off: F/D instructions and the FP CSRs may run.
    public var floatingPointEnabled: Bool { mstatus & MStatus.fs != 0 }
    /// Records that f registers or fcsr changed (FS = Dirty), as the kernel's lazy FP save needs.
    @inline(__always) public func markFloatingPointDirty() { mstatus |= MStatus.fs }

    /// A Linux user process: U-mode with the FP unit on (FS = Initial) and `cycle`, `time` and
    /// `instret` readable (as Linux allows; hpmcounters stay illegal), no translation, no PMP to
    /// consult. What `Hart.init` sets up.
    public func resetForUserMode() {
        privilege = .user
        mstatus = MStatus.fsInitial << MStatus.fsShift
        mcounteren = 0b111
        scounteren = 0b111
    }

    /// A hart coming out of reset: M-mode, interrupts and translation off, FS = Off, counters
    /// hidden from S and U (`mcause` 0: the reset cause is not distinguished).
    public func resetForMachine(hartID: UInt64) {
        let first = StateOffset.privilege, end = StateOffset.pmpaddr + 8 * StateOffset.pmpCount
        raw.advanced(by: first).initializeMemory(as: UInt8.self, repeating: 0, count: end - first)
        privilege = .machine
        mhartid = hartID
    }
}
