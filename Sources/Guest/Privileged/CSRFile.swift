import RISCV

/// The CSR file: which CSRs exist, who may access them, what they read, and the WARL rules that
/// decide what a write leaves behind (privileged spec 1.12; RV64, one hart, Sstc).
///
/// Public entry points: `Hart.csrAllowed(_:writing:)`, `Hart.readCSR(_:)`, `Hart.writeCSR(_:_:)`,
/// `Hart.mstatus` (the guest's view), `Hart.mip` (with device lines and Sstc's STIP).
/// The csr* instructions themselves are in CSRInstruction.swift.
extension Hart {
    /// The privilege level the hart runs at (kept in the state block, where translated code reads it).
    public var privilege: PrivilegeMode {
        get { state.privilege }
        set { state.privilege = newValue }
    }

    /// mstatus as the guest reads it: UXL = SXL = 64-bit, SD summarising FS = Dirty.
    public var mstatus: UInt64 {
        let raw = state.mstatus
        return raw | MStatus.xlens | (raw & MStatus.fs == MStatus.fs ? MStatus.sd : 0)
    }

    /// mip as the guest reads it: the software bits, the platform's lines, and with Sstc STIP
    /// from `time >= stimecmp` instead of its software copy.
    public var mip: UInt64 {
        var bits = state.mipSoftware
        if let platform { bits |= platform.interruptLines(hartID: Int(truncatingIfNeeded: state.mhartid)) }
        if state.menvcfg & EnvConfig.stce != 0 {
            bits &= ~InterruptCause.supervisorTimer.bit
            if mtime >= state.stimecmp { bits |= InterruptCause.supervisorTimer.bit }
        }
        return bits
    }

    /// Whether the current privilege level may read (and, if `writing`, write) a CSR that exists.
    public func csrAllowed(_ csr: UInt16, writing: Bool) -> Bool {
        let mode = privilege
        guard CSRNumber.minimumPrivilege(csr) <= mode.rawValue, !(writing && CSRNumber.isReadOnly(csr)) else { return false }
        switch csr {
        case CSRNumber.fflags, CSRNumber.frm, CSRNumber.fcsr:
            return state.floatingPointEnabled
        case CSRNumber.cycle...CSRNumber.hpmcounter31:
            return counterEnabled(UInt64(csr - CSRNumber.cycle), mode)
        case CSRNumber.satp:
            return mode != .supervisor || state.mstatus & MStatus.tvm == 0
        case CSRNumber.stimecmp:
            return mode == .machine || state.menvcfg & EnvConfig.stce != 0 && state.mcounteren & 2 != 0
        default:
            return true
        }
    }

    /// S-mode needs the counter's mcounteren bit, U-mode its mcounteren and scounteren bits.
    private func counterEnabled(_ index: UInt64, _ mode: PrivilegeMode) -> Bool {
        switch mode {
        case .machine: true
        case .supervisor: state.mcounteren >> index & 1 != 0
        case .user: (state.mcounteren & state.scounteren) >> index & 1 != 0
        }
    }

    /// A CSR's value, or nil if the CSR does not exist. Does not check access (`csrAllowed`).
    public func readCSR(_ csr: UInt16) -> UInt64? {
        switch csr {
        case CSRNumber.fflags: UInt64(state.fflags)
        case CSRNumber.frm: UInt64(state.frm)
        case CSRNumber.fcsr: UInt64(state.fcsr)
        case CSRNumber.cycle, CSRNumber.mcycle: counter(StateOffset.mcycle, inhibit: 1 << 0)
        case CSRNumber.instret, CSRNumber.minstret: counter(StateOffset.minstret, inhibit: 1 << 2)
        case CSRNumber.time: mtime
        case CSRNumber.hpmcounter3...CSRNumber.hpmcounter31,
             CSRNumber.mhpmcounter3...CSRNumber.mhpmcounter31,
             CSRNumber.mhpmevent3...CSRNumber.mhpmevent31,
             CSRNumber.mvendorid, CSRNumber.marchid, CSRNumber.mimpid, CSRNumber.mconfigptr: 0
        case CSRNumber.sstatus: mstatus & MStatus.supervisorView
        case CSRNumber.sie: state.mie & state.mideleg
        case CSRNumber.stvec: state.stvec
        case CSRNumber.scounteren: state.scounteren
        case CSRNumber.senvcfg: state.senvcfg
        case CSRNumber.sscratch: state.sscratch
        case CSRNumber.sepc: state.sepc
        case CSRNumber.scause: state.scause
        case CSRNumber.stval: state.stval
        case CSRNumber.sip: mip & state.mideleg
        case CSRNumber.stimecmp: state.stimecmp
        case CSRNumber.satp: state.satp
        case CSRNumber.mhartid: state.mhartid
        case CSRNumber.mstatus: mstatus
        case CSRNumber.misa: Misa.value(cpu)
        case CSRNumber.medeleg: state.medeleg
        case CSRNumber.mideleg: state.mideleg
        case CSRNumber.mie: state.mie
        case CSRNumber.mtvec: state.mtvec
        case CSRNumber.mcounteren: state.mcounteren
        case CSRNumber.menvcfg: state.menvcfg
        case CSRNumber.mcountinhibit: state.mcountinhibit
        case CSRNumber.mscratch: state.mscratch
        case CSRNumber.mepc: state.mepc
        case CSRNumber.mcause: state.mcause
        case CSRNumber.mtval: state.mtval
        case CSRNumber.mip: mip
        case CSRNumber.pmpcfg0...CSRNumber.pmpcfg15: readPMPConfig(csr)
        case CSRNumber.pmpaddr0...CSRNumber.pmpaddr63: readPMPAddress(csr)
        default: nil
        }
    }

    /// Writes a CSR that exists, keeping only what its WARL rules allow (an illegal value leaves
    /// the field unchanged). Does not check access (`csrAllowed`).
    public func writeCSR(_ csr: UInt16, _ value: UInt64) {
        let v32 = UInt32(truncatingIfNeeded: value)
        switch csr {
        case CSRNumber.fflags: state.fflags = v32 & 0x1f; state.markFloatingPointDirty()
        case CSRNumber.frm: state.frm = v32 & 0x7; state.markFloatingPointDirty()
        case CSRNumber.fcsr: state.fcsr = v32 & 0xff; state.markFloatingPointDirty()
        case CSRNumber.mcycle: setCounter(StateOffset.mcycle, inhibit: 1 << 0, value)
        case CSRNumber.minstret: setCounter(StateOffset.minstret, inhibit: 1 << 2, value)
        case CSRNumber.mcountinhibit: setCountInhibit(value)
        case CSRNumber.sstatus: state.mstatus = merge(state.mstatus, value, MStatus.supervisorWritable)
        case CSRNumber.mstatus: state.mstatus = merge(state.mstatus, legalMPP(value), MStatus.writable)
        case CSRNumber.sie: state.mie = merge(state.mie, value, state.mideleg & InterruptCause.supervisor)
        case CSRNumber.mie: state.mie = value & InterruptCause.all
        case CSRNumber.sip: state.mipSoftware = merge(state.mipSoftware, value, state.mideleg & InterruptCause.supervisorSoftware.bit)
        case CSRNumber.mip: state.mipSoftware = merge(state.mipSoftware, value, softwareWritableMIP)
        case CSRNumber.medeleg: state.medeleg = value & Hart.delegableExceptions
        case CSRNumber.mideleg: state.mideleg = value & InterruptCause.supervisor
        case CSRNumber.stvec: if let vector = legalTrapVector(value) { state.stvec = vector }
        case CSRNumber.mtvec: if let vector = legalTrapVector(value) { state.mtvec = vector }
        case CSRNumber.scounteren: state.scounteren = value & 0xFFFF_FFFF
        case CSRNumber.mcounteren: state.mcounteren = value & 0xFFFF_FFFF
        case CSRNumber.senvcfg: state.senvcfg = value & EnvConfig.fiom | EnvConfig.cacheBlockBits(value)
        case CSRNumber.menvcfg: state.menvcfg = value & (EnvConfig.fiom | EnvConfig.stce) | EnvConfig.cacheBlockBits(value)
        case CSRNumber.sscratch: state.sscratch = value
        case CSRNumber.mscratch: state.mscratch = value
        // IALIGN is 16 (C is always on): only bit 0 of an epc is fixed at zero.
        case CSRNumber.sepc: state.sepc = value & ~1
        case CSRNumber.mepc: state.mepc = value & ~1
        case CSRNumber.scause: state.scause = value
        case CSRNumber.mcause: state.mcause = value
        case CSRNumber.stval: state.stval = value
        case CSRNumber.mtval: state.mtval = value
        case CSRNumber.stimecmp: state.stimecmp = value
        case CSRNumber.satp: writeSATP(value)
        case CSRNumber.pmpcfg0...CSRNumber.pmpcfg15: writePMPConfig(csr, value)
        case CSRNumber.pmpaddr0...CSRNumber.pmpaddr63: writePMPAddress(csr, value)
        // misa (read-only as WARL allows), hpm counters and events (read-only zero), and the
        // read-only CSRs writes never reach.
        default: break
        }
    }

    /// Exceptions that may be delegated to S-mode: all but ecall from M (and the reserved causes).
    static let delegableExceptions: UInt64 = 0xB3FF

    /// The time the `time` CSR shows: the platform's mtime, or host time for a Linux process.
    public var mtime: UInt64 { platform?.mtime ?? time }

    private var softwareWritableMIP: UInt64 {
        let stip = InterruptCause.supervisorTimer.bit
        return state.menvcfg & EnvConfig.stce != 0 ? InterruptCause.softwareWritable & ~stip : InterruptCause.softwareWritable
    }

    private func merge(_ old: UInt64, _ new: UInt64, _ mask: UInt64) -> UInt64 { old & ~mask | new & mask }

    /// MPP holds U, S or M; the reserved value 2 leaves the old MPP.
    private func legalMPP(_ value: UInt64) -> UInt64 {
        value & MStatus.mpp == 2 << MStatus.mppShift ? value & ~MStatus.mpp | state.mstatus & MStatus.mpp : value
    }

    /// xtvec MODE is Direct (0) or Vectored (1); a reserved mode makes the whole write a no-op.
    private func legalTrapVector(_ value: UInt64) -> UInt64? { value & 3 < 2 ? value : nil }

    /// Bare, Sv39, Sv48 and Sv57 are accepted; any other MODE leaves satp unchanged, which is how
    /// Linux probes the modes. Cached translations go whenever satp changes, as QEMU does, so a
    /// guest that forgets its sfence.vma sees what it would under QEMU.
    private func writeSATP(_ value: UInt64) {
        let mode = SATP.mode(value)
        guard mode == SATP.bare || SATP.levels(mode: mode) != nil, value != state.satp else { return }
        state.satp = value
        tlb.switchAddressSpace()
    }
}
