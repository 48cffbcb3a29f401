import Guest
import RISCV
import Testing

@Suite struct CSRTests {
    @Test func identityCSRsAreReadOnly() {
        let (hart, _) = makeSystemHart()
        #expect(hart.csrRead(CSRNumber.misa) == 0x8000_0000_0014_112D)
        #expect(hart.csrWrite(CSRNumber.misa, 0))
        #expect(hart.csrRead(CSRNumber.misa) == 0x8000_0000_0014_112D)
        // misa follows --cpu: rv64imac has no F or D.
        hart.cpu = try! CPUModel.parse("rv64imac").get()
        #expect(hart.csrRead(CSRNumber.misa) == 0x8000_0000_0014_1105)
        hart.cpu = .all
        for id in [CSRNumber.mvendorid, CSRNumber.marchid, CSRNumber.mimpid, CSRNumber.mhartid, CSRNumber.mconfigptr] {
            #expect(hart.csrRead(id) == 0)
            #expect(!hart.csrWrite(id, 1), "read-only CSR \(id) written")
        }
    }

    @Test func mstatusFieldsAndViews() {
        let (hart, _) = makeSystemHart()
        #expect(hart.csrRead(CSRNumber.mstatus) == 2 << 32 | 2 << 34)
        // Writable fields stick; UXL/SXL stay 64-bit whatever is written.
        let fields = MStatus.sie | MStatus.mpie | MStatus.sum | MStatus.mxr | MStatus.tvm | 1 << MStatus.mppShift
        hart.csrWrite(CSRNumber.mstatus, fields | 0xF << 32)
        #expect(hart.csrRead(CSRNumber.mstatus) == fields | MStatus.xlens)
        // MPP = 2 is reserved: the old MPP stays.
        hart.csrWrite(CSRNumber.mstatus, 2 << MStatus.mppShift)
        #expect(hart.csrRead(CSRNumber.mstatus)! & MStatus.mpp == 1 << MStatus.mppShift)
        // FS = Dirty shows SD; sstatus is a window on the same bits.
        hart.csrWrite(CSRNumber.mstatus, MStatus.fs | MStatus.mie | MStatus.sie)
        #expect(hart.csrRead(CSRNumber.mstatus)! & MStatus.sd != 0)
        #expect(hart.csrRead(CSRNumber.sstatus) == MStatus.sd | MStatus.fs | MStatus.sie | 2 << 32)
        hart.csrWrite(CSRNumber.sstatus, MStatus.spp | MStatus.mie)
        #expect(hart.state.mstatus == MStatus.spp | MStatus.mie)
    }

    @Test func floatingPointCSRsFollowFS() {
        let (hart, _) = makeSystemHart()
        // Reset leaves FS = Off: the FP CSRs are illegal.
        #expect(hart.csrRead(CSRNumber.fflags) == nil)
        #expect(!hart.csrWrite(CSRNumber.frm, 1))
        hart.csrWrite(CSRNumber.mstatus, MStatus.fsInitial << MStatus.fsShift)
        #expect(hart.csrRead(CSRNumber.fcsr) == 0)
        #expect(hart.state.mstatus & MStatus.fs == MStatus.fsInitial << MStatus.fsShift)
        hart.csrWrite(CSRNumber.fflags, 1)
        #expect(hart.state.mstatus & MStatus.fs == MStatus.fs)
        #expect(hart.csrRead(CSRNumber.mstatus)! & MStatus.sd != 0)
    }

    @Test func privilegeChecks() {
        let (hart, _) = makeSystemHart()
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.mstatus) == nil)
        #expect(hart.csrRead(CSRNumber.sstatus) != nil)
        #expect(!hart.csrWrite(CSRNumber.cycle, 1))
        hart.privilege = .user
        #expect(hart.csrRead(CSRNumber.sstatus) == nil)
        #expect(hart.csrRead(CSRNumber.satp) == nil)
        // Unimplemented CSRs are illegal at any level (mtval2 needs the hypervisor extension).
        hart.privilege = .machine
        #expect(hart.csrRead(0x34B) == nil)
        // The failing access changed nothing but reported an illegal instruction with its bits.
        let inst = Instruction(opcode: .csrrs, rd: 5, rs1: 0, csr: 0x34B, raw: 0x34B0_22F3)
        #expect(hart.emulateSystem(inst) == .exception(GuestTrap(.illegalInstruction, pc: hart.state.pc, tval: 0x34B0_22F3)))
    }

    @Test func countersNeedTheirEnableBits() {
        let (hart, platform) = makeSystemHart()
        platform.mtime = 1234
        hart.state.instret = 50
        #expect(hart.csrRead(CSRNumber.time) == 1234)
        #expect(hart.csrRead(CSRNumber.instret) == 50)
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.time) == nil)
        hart.privilege = .machine
        hart.csrWrite(CSRNumber.mcounteren, 0b010)
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.time) == 1234)
        #expect(hart.csrRead(CSRNumber.cycle) == nil)
        hart.privilege = .user
        #expect(hart.csrRead(CSRNumber.time) == nil)
        hart.privilege = .supervisor
        hart.csrWrite(CSRNumber.scounteren, 0b010)
        hart.privilege = .user
        #expect(hart.csrRead(CSRNumber.time) == 1234)
        // hpm counters exist and read zero where enabled.
        hart.privilege = .machine
        #expect(hart.csrRead(CSRNumber.hpmcounter3) == 0)
        #expect(hart.csrRead(CSRNumber.mhpmcounter31) == 0)
        hart.csrWrite(CSRNumber.mhpmevent3, 5)
        #expect(hart.csrRead(CSRNumber.mhpmevent3) == 0)
    }

    @Test func minstretWritesAndInhibit() {
        let (hart, _) = makeSystemHart()
        hart.state.instret = 100
        hart.csrWrite(CSRNumber.minstret, 1000)
        hart.state.instret &+= 1            // the engine retires the csrw
        #expect(hart.csrRead(CSRNumber.minstret) == 1000)
        hart.state.instret &+= 10
        #expect(hart.csrRead(CSRNumber.instret) == 1010)
        #expect(hart.csrRead(CSRNumber.mcycle) == 111)
        // Inhibiting CY and IR freezes both (the hpm bits stay zero); clearing IR restarts minstret.
        hart.csrWrite(CSRNumber.mcountinhibit, 0b1111)
        #expect(hart.csrRead(CSRNumber.mcountinhibit) == 0b101)
        hart.state.instret &+= 5
        #expect(hart.csrRead(CSRNumber.minstret) == 1010)
        #expect(hart.csrRead(CSRNumber.mcycle) == 111)
        hart.csrWrite(CSRNumber.mcountinhibit, 0b001)
        hart.state.instret &+= 5
        #expect(hart.csrRead(CSRNumber.minstret) == 1015)
        #expect(hart.csrRead(CSRNumber.mcycle) == 111)
    }

    @Test func delegationAndEnableMasks() {
        let (hart, _) = makeSystemHart()
        hart.csrWrite(CSRNumber.medeleg, ~0)
        #expect(hart.csrRead(CSRNumber.medeleg) == 0xB3FF)   // never ecall from M
        hart.csrWrite(CSRNumber.mideleg, ~0)
        #expect(hart.csrRead(CSRNumber.mideleg) == 0x222)
        hart.csrWrite(CSRNumber.mie, ~0)
        #expect(hart.csrRead(CSRNumber.mie) == 0xAAA)
        #expect(hart.csrRead(CSRNumber.sie) == 0x222)
        hart.csrWrite(CSRNumber.mideleg, 0x020)
        hart.csrWrite(CSRNumber.sie, 0)
        #expect(hart.csrRead(CSRNumber.mie) == 0xA8A)       // only the delegated STIE cleared
    }

    @Test func mipSoftwareBitsAndLines() {
        let (hart, platform) = makeSystemHart()
        platform.lines = InterruptCause.machineTimer.bit | InterruptCause.supervisorExternal.bit
        // M can write SSIP, STIP, SEIP; MTIP comes from the platform only.
        hart.csrWrite(CSRNumber.mip, InterruptCause.supervisorSoftware.bit | InterruptCause.machineSoftware.bit)
        #expect(hart.csrRead(CSRNumber.mip) == 0x282)
        // csrrc on SEIP clears the software copy; the line still shows.
        #expect(hart.csrClear(CSRNumber.mip, InterruptCause.supervisorExternal.bit) == 0x282)
        #expect(hart.state.mipSoftware == InterruptCause.supervisorSoftware.bit)
        #expect(hart.csrRead(CSRNumber.mip) == 0x282)
        // sip shows delegated bits only and S may write only SSIP.
        #expect(hart.csrRead(CSRNumber.sip) == 0)
        hart.csrWrite(CSRNumber.mideleg, 0x222)
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.sip) == 0x202)
        hart.csrWrite(CSRNumber.sip, InterruptCause.supervisorTimer.bit)
        #expect(hart.state.mipSoftware == 0)
    }

    @Test func trapVectorsAndEPCs() {
        let (hart, _) = makeSystemHart()
        hart.csrWrite(CSRNumber.mtvec, 0x8000_0101)
        #expect(hart.csrRead(CSRNumber.mtvec) == 0x8000_0101)
        hart.csrWrite(CSRNumber.mtvec, 0x9000_0002)         // reserved mode: no change
        #expect(hart.csrRead(CSRNumber.mtvec) == 0x8000_0101)
        hart.csrWrite(CSRNumber.stvec, 0x8000_0203)
        #expect(hart.csrRead(CSRNumber.stvec) == 0)
        hart.csrWrite(CSRNumber.mepc, 0x1233)
        hart.csrWrite(CSRNumber.sepc, 0x4567)
        #expect(hart.csrRead(CSRNumber.mepc) == 0x1232 && hart.csrRead(CSRNumber.sepc) == 0x4566)
    }

    @Test func satpModesAreWARL() {
        let (hart, _) = makeSystemHart()
        let sv48: UInt64 = 9 << 60 | 0x1234 << 44 | 0x80000
        hart.csrWrite(CSRNumber.satp, sv48)
        #expect(hart.csrRead(CSRNumber.satp) == sv48)
        // Linux's probe: Sv64 (11) is not supported, nothing changes.
        hart.csrWrite(CSRNumber.satp, 11 << 60 | 0x80000)
        #expect(hart.csrRead(CSRNumber.satp) == sv48)
        let sv57: UInt64 = 10 << 60 | 0x80001
        hart.csrWrite(CSRNumber.satp, sv57)
        #expect(hart.csrRead(CSRNumber.satp) == sv57)
        // TVM: S-mode may no longer touch satp (M still may).
        hart.csrWrite(CSRNumber.mstatus, MStatus.tvm)
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.satp) == nil)
        hart.privilege = .machine
        #expect(hart.csrRead(CSRNumber.satp) != nil)
    }

    @Test func envcfgAndStimecmp() {
        let (hart, platform) = makeSystemHart()
        hart.csrWrite(CSRNumber.menvcfg, ~0)
        let cacheBlock = EnvConfig.cbie | EnvConfig.cbcfe | EnvConfig.cbze  // Zicbom/Zicboz (ext)
        #expect(hart.csrRead(CSRNumber.menvcfg) == EnvConfig.stce | EnvConfig.fiom | cacheBlock)
        hart.csrWrite(CSRNumber.senvcfg, ~0)
        #expect(hart.csrRead(CSRNumber.senvcfg) == EnvConfig.fiom | cacheBlock)
        // With STCE, STIP follows time >= stimecmp and software cannot set it.
        hart.csrWrite(CSRNumber.stimecmp, 100)
        platform.mtime = 99
        hart.csrWrite(CSRNumber.mip, InterruptCause.supervisorTimer.bit)
        #expect(hart.csrRead(CSRNumber.mip) == 0)
        platform.mtime = 100
        #expect(hart.csrRead(CSRNumber.mip) == InterruptCause.supervisorTimer.bit)
        // S-mode reaches stimecmp only with mcounteren.TM as well.
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.stimecmp) == nil)
        hart.privilege = .machine
        hart.csrWrite(CSRNumber.mcounteren, 0b010)
        hart.privilege = .supervisor
        #expect(hart.csrWrite(CSRNumber.stimecmp, 200))
        #expect(hart.csrRead(CSRNumber.sip) == 0)   // STI not delegated
        hart.privilege = .machine
        #expect(hart.csrRead(CSRNumber.mip) == 0)
        // Without STCE, STIP is M's to write.
        hart.csrWrite(CSRNumber.menvcfg, 0)
        hart.csrWrite(CSRNumber.mip, InterruptCause.supervisorTimer.bit)
        #expect(hart.csrRead(CSRNumber.mip) == InterruptCause.supervisorTimer.bit)
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.stimecmp) == nil)
    }

    @Test func linuxUserModeKeepsItsCSRs() {
        let hart = makeUserHart()
        #expect(hart.privilege == .user)
        hart.state.instret = 7
        #expect(hart.csrRead(CSRNumber.instret) == 7)
        #expect(hart.csrRead(CSRNumber.cycle) == 7)
        #expect(hart.csrRead(CSRNumber.time) != nil)
        #expect(hart.csrWrite(CSRNumber.fcsr, 0x21))
        #expect(hart.csrRead(CSRNumber.frm) == 1)
        for number in [CSRNumber.hpmcounter3, CSRNumber.sstatus, CSRNumber.satp, CSRNumber.mstatus, CSRNumber.mhartid] {
            #expect(hart.csrRead(number) == nil, "CSR \(number) readable in user mode")
        }
        for opcode in [Opcode.mret, .sret, .wfi, .sfence_vma] {
            guard case .exception(let trap) = hart.run(opcode) else { Issue.record("\(opcode) retired"); continue }
            #expect(trap.cause == .illegalInstruction)
        }
    }
}
