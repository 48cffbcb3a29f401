import Guest
import RISCV
import Testing

@Suite struct TrapTests {
    static let mtvec: UInt64 = 0x8000_1000
    static let stvec: UInt64 = 0x8000_2000

    private func hart(at mode: PrivilegeMode, delegating: Bool) -> Hart {
        let (hart, _) = makeSystemHart()
        hart.state.mtvec = TrapTests.mtvec
        hart.state.stvec = TrapTests.stvec
        if delegating {
            hart.state.medeleg = 0xB3FF
            hart.state.mideleg = 0x222
        }
        // Both interrupt enables on, so their move into xPIE shows.
        hart.state.mstatus = MStatus.mie | MStatus.sie
        hart.privilege = mode
        hart.state.pc = 0x4000
        return hart
    }

    @Test(arguments: [PrivilegeMode.user, .supervisor, .machine], [false, true])
    func exceptionEntry(from mode: PrivilegeMode, delegating: Bool) {
        let hart = hart(at: mode, delegating: delegating)
        hart.enterTrap(GuestTrap(.loadPageFault, pc: 0x4444, tval: 0xdead))
        let status = hart.state.mstatus
        if delegating && mode != .machine {
            #expect(hart.privilege == .supervisor)
            #expect(hart.state.pc == TrapTests.stvec)
            #expect(hart.state.sepc == 0x4444 && hart.state.scause == 13 && hart.state.stval == 0xdead)
            #expect(status & MStatus.spie != 0 && status & MStatus.sie == 0)
            #expect((status & MStatus.spp != 0) == (mode == .supervisor))
            #expect(status & MStatus.mie != 0)         // M's enable untouched
            #expect(hart.state.mepc == 0 && hart.state.mcause == 0)
        } else {
            #expect(hart.privilege == .machine)
            #expect(hart.state.pc == TrapTests.mtvec)
            #expect(hart.state.mepc == 0x4444 && hart.state.mcause == 13 && hart.state.mtval == 0xdead)
            #expect(status & MStatus.mpie != 0 && status & MStatus.mie == 0)
            #expect(status >> MStatus.mppShift & 3 == UInt64(mode.rawValue))
            #expect(status & MStatus.sie != 0)
            #expect(hart.state.sepc == 0 && hart.state.scause == 0)
        }
    }

    @Test(arguments: [PrivilegeMode.user, .supervisor, .machine])
    func mretReturnsToMPP(to mode: PrivilegeMode) {
        let hart = hart(at: .machine, delegating: false)
        hart.state.mstatus = MStatus.mpie | MStatus.mprv | UInt64(mode.rawValue) << MStatus.mppShift
        hart.state.mepc = 0x5000
        #expect(hart.run(.mret) == .retired(.resume))
        #expect(hart.privilege == mode && hart.state.pc == 0x5000)
        let status = hart.state.mstatus
        #expect(status & MStatus.mie != 0 && status & MStatus.mpie != 0 && status & MStatus.mpp == 0)
        #expect((status & MStatus.mprv != 0) == (mode == .machine))
    }

    @Test(arguments: [PrivilegeMode.user, .supervisor])
    func sretReturnsToSPP(to mode: PrivilegeMode) {
        let hart = hart(at: .supervisor, delegating: true)
        hart.state.mstatus = MStatus.spie | MStatus.mprv | (mode == .supervisor ? MStatus.spp : 0)
        hart.state.sepc = 0x6000
        #expect(hart.run(.sret) == .retired(.resume))
        #expect(hart.privilege == mode && hart.state.pc == 0x6000)
        let status = hart.state.mstatus
        #expect(status & MStatus.sie != 0 && status & MStatus.spie != 0 && status & MStatus.spp == 0)
        #expect(status & MStatus.mprv == 0)
    }

    @Test func returnsAreIllegalBelowTheirMode() {
        let user = hart(at: .user, delegating: true)
        for opcode in [Opcode.mret, .sret, .wfi, .sfence_vma] {
            #expect(user.run(opcode) == .exception(GuestTrap(.illegalInstruction, pc: 0x4000)))
        }
        let supervisor = hart(at: .supervisor, delegating: true)
        #expect(supervisor.run(.mret) == .exception(GuestTrap(.illegalInstruction, pc: 0x4000)))
        supervisor.state.mstatus |= MStatus.tsr
        #expect(supervisor.run(.sret) == .exception(GuestTrap(.illegalInstruction, pc: 0x4000)))
        supervisor.state.mstatus = MStatus.tw
        #expect(supervisor.run(.wfi) == .exception(GuestTrap(.illegalInstruction, pc: 0x4000)))
        supervisor.state.mstatus = MStatus.tvm
        #expect(supervisor.run(.sfence_vma) == .exception(GuestTrap(.illegalInstruction, pc: 0x4000)))
        // M-mode may sret (TSR binds only S).
        let machine = hart(at: .machine, delegating: false)
        machine.state.mstatus = MStatus.tsr
        #expect(machine.run(.sret) == .retired(.resume))
        #expect(machine.privilege == .user)
    }

    @Test func vectoredInterruptsAndDirectExceptions() {
        let hart = hart(at: .user, delegating: false)
        hart.state.mtvec = TrapTests.mtvec | 1
        hart.enterTrap(InterruptCause.machineTimer.rawValue, tval: 0, interrupt: true)
        #expect(hart.state.pc == TrapTests.mtvec + 4 * 7)
        #expect(hart.state.mcause == UInt64(1) << 63 | 7)
        #expect(hart.state.mepc == 0x4000)
        hart.enterTrap(GuestTrap(.illegalInstruction, pc: 0x7000, tval: 0x13))
        #expect(hart.state.pc == TrapTests.mtvec)
    }

    @Test func roundTripUserToSupervisorAndBack() {
        let hart = hart(at: .user, delegating: true)
        hart.enterTrap(GuestTrap(.ecallFromU, pc: 0x4000))
        #expect(hart.privilege == .supervisor && hart.state.scause == 8)
        hart.state.sepc &+= 4
        #expect(hart.run(.sret) == .retired(.resume))
        #expect(hart.privilege == .user && hart.state.pc == 0x4004)
        #expect(hart.state.mstatus & MStatus.sie != 0)
    }

    @Test func wfiSleepsOnlyWithNothingPending() {
        let (hart, platform) = makeSystemHart()
        #expect(hart.run(.wfi) == .retired(.waitForInterrupt))
        #expect(hart.state.pc == 0x8000_0004)
        hart.waitForInterrupt()
        #expect(platform.waits == [nil])
        // A pending, enabled interrupt ends wfi even with mstatus.MIE off.
        hart.state.mie = InterruptCause.machineSoftware.bit
        platform.lines = InterruptCause.machineSoftware.bit
        #expect(hart.run(.wfi) == .retired(.resume))
        hart.waitForInterrupt()
        #expect(platform.waits.count == 1)
        // With Sstc and STIE the deadline is stimecmp.
        platform.lines = 0
        hart.state.menvcfg = EnvConfig.stce
        hart.state.stimecmp = 500
        hart.state.mie = InterruptCause.supervisorTimer.bit
        hart.waitForInterrupt()
        #expect(platform.waits == [nil, 500])
    }
}

@Suite struct InterruptTests {
    @Test func priorityOrder() {
        let (hart, platform) = makeSystemHart()
        hart.privilege = .user
        hart.state.mie = 0xAAA
        platform.lines = 0x888      // MEI, MTI, MSI
        hart.state.mipSoftware = 0x222
        var order: [InterruptCause] = []
        while let cause = hart.pendingInterrupt() {
            order.append(cause)
            hart.state.mie &= ~cause.bit
        }
        #expect(order == [.machineExternal, .machineSoftware, .machineTimer,
                          .supervisorExternal, .supervisorSoftware, .supervisorTimer])
    }

    @Test func globalEnablesPerMode() {
        let (hart, _) = makeSystemHart()
        hart.state.mie = 0xAAA
        hart.state.mipSoftware = InterruptCause.supervisorSoftware.bit
        // Not delegated: an M interrupt, taken in M only with MIE, always below M.
        #expect(hart.pendingInterrupt() == nil)
        hart.state.mstatus = MStatus.mie
        #expect(hart.pendingInterrupt() == .supervisorSoftware)
        hart.state.mstatus = 0
        hart.privilege = .supervisor
        #expect(hart.pendingInterrupt() == .supervisorSoftware)
        // Delegated: never in M, in S with SIE, always in U.
        hart.state.mideleg = 0x222
        hart.privilege = .machine
        hart.state.mstatus = MStatus.mie | MStatus.sie
        #expect(hart.pendingInterrupt() == nil)
        hart.privilege = .supervisor
        hart.state.mstatus = 0
        #expect(hart.pendingInterrupt() == nil)
        hart.state.mstatus = MStatus.sie
        #expect(hart.pendingInterrupt() == .supervisorSoftware)
        hart.privilege = .user
        hart.state.mstatus = 0
        #expect(hart.pendingInterrupt() == .supervisorSoftware)
        // Disabled in mie: nothing.
        hart.state.mie = 0
        #expect(hart.pendingInterrupt() == nil)
    }

    @Test func machineInterruptsBeforeDelegatedOnes() {
        let (hart, _) = makeSystemHart()
        hart.privilege = .supervisor
        hart.state.mstatus = MStatus.sie
        hart.state.mie = 0xAAA
        hart.state.mideleg = InterruptCause.supervisorExternal.bit
        // SEI (delegated, higher priority) and STI (for M) pending: M's comes first.
        hart.state.mipSoftware = InterruptCause.supervisorExternal.bit | InterruptCause.supervisorTimer.bit
        #expect(hart.pendingInterrupt() == .supervisorTimer)
    }

    @Test func takingAnInterrupt() {
        let (hart, _) = makeSystemHart()
        hart.state.mtvec = 0x8000_0100
        hart.state.stvec = 0x8000_0200 | 1
        hart.state.mideleg = 0x222
        hart.state.mie = 0xAAA
        hart.privilege = .user
        hart.state.pc = 0x1234
        hart.state.mipSoftware = InterruptCause.supervisorSoftware.bit
        #expect(hart.takeInterrupt())
        #expect(hart.privilege == .supervisor)
        #expect(hart.state.scause == UInt64(1) << 63 | 1 && hart.state.sepc == 0x1234 && hart.state.stval == 0)
        #expect(hart.state.pc == 0x8000_0204)
        // In S with SIE now clear, the same interrupt waits.
        #expect(!hart.takeInterrupt())
    }
}
