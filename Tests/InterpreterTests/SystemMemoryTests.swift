import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// System mode's data memory and fetch as the interpreter's run loop performs them: exact
/// causes and tvals, page-crossing accesses, A/D, SUM/MXR/MPRV, PMP, device registers, and the
/// predecoded blocks' lifetime across stores, remapping and faults.
@Suite struct SystemMemoryTests {
    typealias Rig = SystemRig
    static let va: UInt64 = 0x4000_0000
    static let page: UInt64 = 0x8004_0000  // physical pages tests map, 4 KiB apart
    static let rw = Rig.v | Rig.r | Rig.w | Rig.a | Rig.d

    /// Runs `[op] + exit` with a1 = address, a2 = a value; the trap that stopped it, if any.
    private func access(_ rig: Rig, _ word: UInt32, _ address: UInt64, value: UInt64 = 0) -> GuestTrap? {
        rig.place([word] + Rig.exit)
        rig.hart.state.pc = Rig.code
        rig.hart.state.setX(11, address)
        rig.hart.state.setX(12, value)
        guard case .unhandled(let trap) = rig.run() else { return nil }
        return trap
    }

    @Test("load, store and fetch page faults at each level carry the virtual address", arguments: [0, 1, 2])
    func faultsAtEachLevel(level: Int) {
        // The walk meets an invalid PTE at `level`: the leaf, the level-1 pointer, or the root's.
        func rig() -> Rig {
            let rig = Rig()
            guard level < 2 else { return rig }
            let leaf = rig.map(Self.va, Self.page, Self.rw)
            if level == 0 { rig.machine.store64(leaf, 0); return rig }
            let l1Table = (rig.machine.load64(Rig.root + (Self.va >> 30 & 0x1FF) * 8) >> 10) << 12
            rig.machine.store64(l1Table + (Self.va >> 21 & 0x1FF) * 8, 0)
            return rig
        }
        let target = level == 2 ? 0xC000_0000 + 0x10 as UInt64 : Self.va + 0x10
        #expect(access(rig(), RV.ld(10, 11, 0), target) == GuestTrap(.loadPageFault, pc: Rig.code, tval: target))
        #expect(access(rig(), RV.sd(12, 11, 0), target) == GuestTrap(.storePageFault, pc: Rig.code, tval: target))
        // A jump there faults on fetch: epc and tval are the target.
        let fetch = rig()
        fetch.place([RV.jalr(0, 11, 0)])
        fetch.hart.state.setX(11, target)
        #expect(fetch.run() == .unhandled(GuestTrap(.instructionPageFault, pc: target, tval: target)))
    }

    @Test("a 2 MiB page with a misaligned PPN is a page fault; an aligned one translates")
    func superpageAlignment() {
        let ok = Rig()
        ok.map(Self.va, 0x8000_0000, Self.rw, level: 1)
        ok.machine.store64(0x8000_0ff8, 77)
        ok.place([RV.ld(10, 11, 0)] + Rig.exit, at: Rig.code)
        ok.hart.state.setX(11, Self.va + 0xff8)
        #expect(ok.run() == .exited(77))
        let bad = Rig()
        bad.map(Self.va, 0x8000_1000, Self.rw, level: 1)
        #expect(access(bad, RV.ld(10, 11, 0), Self.va + 8) == GuestTrap(.loadPageFault, pc: Rig.code, tval: Self.va + 8))
    }

    @Test("an access crossing into an unmapped page faults with the second page's address and changes nothing")
    func pageCrossing() {
        let rig = Rig()
        rig.map(Self.va, Self.page, Self.rw)
        rig.machine.store64(Self.page + 0xff8, 0x1111_2222_3333_4444)
        #expect(access(rig, RV.sd(12, 11, 0), Self.va + 0xffc, value: ~0) == GuestTrap(.storePageFault, pc: Rig.code, tval: Self.va + 0x1000))
        #expect(rig.machine.load64(Self.page + 0xff8) == 0x1111_2222_3333_4444)
        #expect(access(rig, RV.ld(10, 11, 0), Self.va + 0xffc) == GuestTrap(.loadPageFault, pc: Rig.code, tval: Self.va + 0x1000))
        // The first page unmapped: tval is the access's own address.
        let other = Rig()
        other.map(Self.va + 0x1000, Self.page, Self.rw)
        #expect(access(other, RV.ld(10, 11, 0), Self.va + 0xffa) == GuestTrap(.loadPageFault, pc: Rig.code, tval: Self.va + 0xffa))
        // Both mapped, to pages that are not adjacent physically: the bytes come from both.
        let both = Rig()
        both.map(Self.va, Self.page + 0x3000, Self.rw)
        both.map(Self.va + 0x1000, Self.page, Self.rw)
        both.machine.store64(Self.page + 0x3ff8, 0x4433_2211_0000_0000)
        both.machine.store64(Self.page, 0x0000_0000_8877_6655)
        #expect(access(both, RV.ld(10, 11, 0), Self.va + 0xffc) == nil)
        #expect(both.hart.state.x(10) == 0x8877_6655_4433_2211)
        #expect(access(both, RV.sd(12, 11, 0), Self.va + 0xffe, value: 0xAABB_CCDD_EEFF_0011) == nil)
        #expect(both.machine.load64(Self.page + 0x3ff8) >> 48 == 0x0011)
        #expect(both.machine.load64(Self.page) & 0xFFFF_FFFF_FFFF == 0xAABB_CCDD_EEFF)
    }

    @Test("the hardware sets A on a load and D on a store")
    func accessedAndDirty() {
        let rig = Rig()
        let pte = rig.map(Self.va, Self.page, Rig.v | Rig.r | Rig.w)
        #expect(access(rig, RV.ld(10, 11, 0), Self.va) == nil)
        #expect(rig.machine.load64(pte) & (Rig.a | Rig.d) == Rig.a)
        #expect(access(rig, RV.sd(12, 11, 0), Self.va) == nil)
        #expect(rig.machine.load64(pte) & (Rig.a | Rig.d) == Rig.a | Rig.d)
    }

    @Test("SUM and MXR take effect at the next instruction, through the data TLB")
    func sumAndMXR() {
        let rig = Rig()
        rig.map(Self.va, Self.page, Self.rw | Rig.u)
        rig.map(Self.va + 0x1000, Self.page + 0x1000, Rig.v | Rig.x | Rig.a)
        rig.machine.store64(Self.page, 5)
        rig.machine.store64(Self.page + 0x1000, 6)
        rig.hart.state.setX(11, Self.va)
        rig.hart.state.setX(13, Self.va + 0x1000)
        rig.hart.state.setX(14, 1 << 18 | 1 << 19)  // SUM | MXR
        rig.environment.deliver = false
        // Load the U page with SUM set, clear SUM, load again: the second load must fault even
        // though the first filled the data TLB.
        rig.place([RV.csr(.csrrs, 0, Int(CSRNumber.sstatus), 14), RV.ld(10, 11, 0), RV.ld(15, 13, 0),
                   RV.csr(.csrrc, 0, Int(CSRNumber.sstatus), 14), RV.ld(10, 11, 0)] + Rig.exit)
        #expect(rig.run() == .unhandled(GuestTrap(.loadPageFault, pc: Rig.code + 16, tval: Self.va)))
        #expect(rig.hart.state.x(10) == 5 && rig.hart.state.x(15) == 6)
        // Without MXR the execute-only page is not readable.
        let plain = Rig()
        plain.map(Self.va + 0x1000, Self.page + 0x1000, Rig.v | Rig.x | Rig.a)
        #expect(access(plain, RV.ld(10, 11, 0), Self.va + 0x1000) == GuestTrap(.loadPageFault, pc: Rig.code, tval: Self.va + 0x1000))
        // U-mode never reaches a supervisor page.
        let user = Rig(.user)
        user.map(Self.va, Self.page, Self.rw | Rig.u | Rig.x)
        user.map(Self.va + 0x1000, Self.page + 0x1000, Self.rw)
        user.machine.store32(Self.page, RV.ld(10, 11, 0))
        user.hart.state.pc = Self.va
        user.hart.state.setX(11, Self.va + 0x1000)
        #expect(user.run() == .unhandled(GuestTrap(.loadPageFault, pc: Self.va, tval: Self.va + 0x1000)))
    }

    @Test("M-mode loads and stores with MPRV translate at MPP; fetches do not")
    func mprv() {
        let rig = Rig(.machine)
        rig.map(Self.va, Self.page, Self.rw)
        rig.machine.store64(Self.page + 8, 99)
        rig.hart.state.mstatus |= MStatus.mprv | 1 << MStatus.mppShift  // MPP = S
        #expect(access(rig, RV.ld(10, 11, 8), Self.va) == nil)
        #expect(rig.hart.state.x(10) == 99)
        // MPP = U: the supervisor page faults, with the virtual address.
        rig.hart.state.mstatus &= ~(3 << MStatus.mppShift)
        #expect(access(rig, RV.ld(10, 11, 8), Self.va) == GuestTrap(.loadPageFault, pc: Rig.code, tval: Self.va + 8))
    }

    @Test("PMP denies S-mode a page that translation allows: an access fault with the virtual address")
    func pmpDenial() {
        let rig = Rig()
        rig.map(Self.va, Self.page, Self.rw)
        // Entry 0: NAPOT 4 KiB over the page with no permissions, before the open entry 1.
        rig.set(CSRNumber.pmpaddr0, (Self.page >> 2) | 0x1FF)
        rig.set(CSRNumber.pmpaddr0 + 1, ~0)
        rig.set(CSRNumber.pmpcfg0, 0x1F << 8 | 0x18)
        #expect(access(rig, RV.ld(10, 11, 0), Self.va + 16) == GuestTrap(.loadAccessFault, pc: Rig.code, tval: Self.va + 16))
        #expect(access(rig, RV.sd(12, 11, 0), Self.va + 16) == GuestTrap(.storeAccessFault, pc: Rig.code, tval: Self.va + 16))
    }

    @Test("device registers: loads and stores reach the bus with the physical address and width; misaligned or unanswered ones are access faults")
    func deviceRouting() {
        let rig = Rig()
        rig.map(Self.va, RigMachine.device, Rig.v | Rig.r | Rig.w | Rig.a | Rig.d)
        #expect(access(rig, RV.i(.lw, 10, 11, 4), Self.va) == nil)
        #expect(rig.hart.state.x(10) == 0x1122_3344)
        #expect(access(rig, RV.sw(12, 11, 0), Self.va, value: 0xABCD) == nil)
        #expect(rig.machine.deviceAccesses.map(\.address) == [RigMachine.device + 4, RigMachine.device])
        #expect(rig.machine.deviceAccesses.map(\.width) == [4, 4])
        #expect(rig.machine.deviceAccesses.last?.write == 0xABCD)
        #expect(access(rig, RV.i(.lw, 10, 11, 2), Self.va) == GuestTrap(.loadAccessFault, pc: Rig.code, tval: Self.va + 2))
        #expect(access(rig, RV.sd(12, 11, 0), Self.va + 0x10) == GuestTrap(.storeAccessFault, pc: Rig.code, tval: Self.va + 0x10))
        // An AMO to a device register is done by the device's read and write.
        #expect(access(rig, RV.r(.amoadd_w, 10, 11, 12), Self.va, value: 1) == nil)
        #expect(rig.machine.deviceAccesses.suffix(2).map(\.write) == [nil, 0x5566_7789])
    }
}

/// Predecoded blocks in system mode: they follow stores, remapping and faults.
@Suite struct SystemBlockTests {
    typealias Rig = SystemRig
    static let va: UInt64 = 0x4000_0000

    @Test("a store into code runs the new code; a store beside it in the same page drops nothing")
    func storesToCode() {
        let rig = Rig()
        // loop: a0 += 1; store a word at 0x800 of this page (data); a1 -= 1; bnez a1, loop;
        // then patch the `addi a0, a0, 1` into `addi a0, a0, 100` and run the loop once more.
        let data: UInt64 = Rig.code + 0x800
        rig.place([
            RV.addi(10, 10, 1),          // 0x00
            RV.sd(10, 13, 0),            // 0x04 data store beside the code
            RV.addi(11, 11, -1),         // 0x08
            RV.bne(11, 0, -12),          // 0x0c
            RV.bne(14, 0, 20),           // 0x10 second time round: exit
            RV.sw(15, 16, 0),            // 0x14 patch 0x00
            RV.addi(14, 0, 1),           // 0x18
            RV.addi(11, 0, 1),           // 0x1c one more pass
            RV.jal(0, -0x20),            // 0x20 back to 0x00
        ] + Rig.exit)                    // 0x24
        rig.hart.state.setX(11, 10)
        rig.hart.state.setX(13, data)
        rig.hart.state.setX(15, UInt64(RV.addi(10, 10, 100)))
        rig.hart.state.setX(16, Rig.code)
        #expect(rig.run() == .exited(110))
        #expect(rig.machine.load64(data) == 110)
        // Only the patch dropped blocks (those of the page: 0x00, 0x10, 0x14); 11 data stores did not.
        #expect(rig.interpreter.systemCodeStores == 3)
    }

    @Test("after remapping a page and sfence.vma, the new page's code runs, not the old blocks")
    func remappedCode() {
        let rig = Rig()
        let first: UInt64 = 0x8004_0000, second: UInt64 = 0x8005_0000
        let pte = rig.map(Self.va, first, Rig.v | Rig.r | Rig.x | Rig.a)
        rig.place([RV.addi(10, 0, 1), RV.jalr(0, 1, 0)], at: first)
        rig.place([RV.addi(10, 0, 2), RV.jalr(0, 1, 0)], at: second)
        // Kernel: call va; a2 = a0; remap va to `second`; sfence.vma; call va again; exit(a0 + 10 * a2).
        rig.place([
            RV.jalr(1, 11, 0),                      // 0x00
            RV.addi(12, 10, 0),                     // 0x04
            RV.sd(14, 13, 0),                       // 0x08 the leaf now points at `second`
            RV.encode(.sfence_vma),                 // 0x0c
            RV.jalr(1, 11, 0),                      // 0x10
            RV.slli(5, 12, 3), RV.add(5, 5, 12), RV.add(5, 5, 12), RV.add(10, 10, 5),  // a0 += 10 * a2
        ] + Rig.exit)
        rig.hart.state.setX(11, Self.va)
        rig.hart.state.setX(13, pte)
        rig.hart.state.setX(14, (second >> 12) << 10 | Rig.v | Rig.r | Rig.x | Rig.a)
        #expect(rig.run() == .exited(12))
    }

    @Test("two address spaces with the same virtual pc each run their own code across satp switches")
    func addressSpaces() {
        let rig = Rig()
        let other = rig.newRoot()
        rig.map(Self.va, 0x8004_0000, Rig.v | Rig.r | Rig.x | Rig.a)
        rig.map(Self.va, 0x8005_0000, Rig.v | Rig.r | Rig.x | Rig.a, root: other)
        rig.place([RV.addi(10, 10, 1), RV.jalr(0, 1, 0)], at: 0x8004_0000)
        rig.place([RV.addi(10, 10, 100), RV.jalr(0, 1, 0)], at: 0x8005_0000)
        // Three rounds of: satp = A; call va; satp = B; call va.
        rig.place([
            RV.csr(.csrrw, 0, Int(CSRNumber.satp), 13),  // 0x00
            RV.jalr(1, 11, 0),                           // 0x04
            RV.csr(.csrrw, 0, Int(CSRNumber.satp), 14),  // 0x08
            RV.jalr(1, 11, 0),                           // 0x0c
            RV.addi(15, 15, -1),                         // 0x10
            RV.bne(15, 0, -20),                          // 0x14
        ] + Rig.exit)
        rig.hart.state.setX(11, Self.va)
        rig.hart.state.setX(13, 8 << 60 | Rig.root >> 12)
        rig.hart.state.setX(14, 8 << 60 | other >> 12)
        rig.hart.state.setX(15, 3)
        #expect(rig.run() == .exited(303))
    }

    @Test("a fetch page fault is not remembered: once the handler maps the page, the code runs")
    func fetchFaultThenMap() {
        let rig = Rig()
        rig.environment.deliver = true
        rig.hart.state.stvec = 0x8000_0800
        rig.hart.state.medeleg = 1 << 12
        let code: UInt64 = 0x8004_0000
        rig.place([RV.addi(10, 0, 42)] + Rig.exit, at: code)
        // The handler maps va (the leaf's address in a3, its value in a4) and returns to it.
        let leaf = rig.map(Self.va, code, 0)
        rig.place([RV.sd(14, 13, 0), RV.encode(.sret)], at: 0x8000_0800)
        rig.place([RV.jalr(0, 11, 0)])
        rig.hart.state.setX(11, Self.va)
        rig.hart.state.setX(13, leaf)
        rig.hart.state.setX(14, (code >> 12) << 10 | Rig.v | Rig.r | Rig.x | Rig.a)
        #expect(rig.run() == .exited(42))
        #expect(rig.environment.trap == GuestTrap(.instructionPageFault, pc: Self.va, tval: Self.va))
    }
}

/// Traps and interrupts through the system-mode run loop.
@Suite struct SystemInterruptTests {
    typealias Rig = SystemRig

    /// A rig whose environment delivers interrupts, with the supervisor timer delegated and
    /// Sstc on; stvec at 0x8000_0800.
    private func timerRig(_ mode: PrivilegeMode) -> (Rig, RigInterruptEnvironment) {
        let rig = Rig(mode)
        let environment = RigInterruptEnvironment()
        environment.hart = rig.hart
        rig.hart.environment = environment
        rig.hart.state.mideleg = InterruptCause.supervisorTimer.bit
        rig.hart.state.medeleg = 1 << 8
        rig.hart.state.menvcfg |= EnvConfig.stce
        rig.hart.state.mie = InterruptCause.supervisorTimer.bit
        rig.hart.state.stvec = 0x8000_0800
        return (rig, environment)
    }

    @Test("a supervisor timer interrupt delegated to S preempts U-mode code at a block boundary")
    func timerPreemptsUserMode() {
        let (rig, environment) = timerRig(.user)
        rig.map(0x4000_0000, 0x8004_0000, Rig.v | Rig.r | Rig.x | Rig.u | Rig.a)
        // U: an endless loop. S handler: exit(scause's low bits + 1000).
        rig.place([RV.addi(5, 5, 1), RV.jal(0, -4)], at: 0x8004_0000)
        rig.place([RV.csrr(10, Int(CSRNumber.scause)), RV.slli(10, 10, 1), RV.i(.srli, 10, 10, 1),
                   RV.addi(10, 10, 1000)] + Rig.exit, at: 0x8000_0800)
        rig.hart.state.pc = 0x4000_0000
        rig.hart.state.stimecmp = 500
        rig.machine.mtime = 0
        #expect(rig.run(20_000) == .instructionLimit)  // not yet due
        #expect(environment.interrupts.isEmpty)
        rig.machine.mtime = 500
        #expect(rig.run(20_000) == .exited(1005))
        #expect(environment.interrupts == [InterruptCause.supervisorTimer.rawValue])
        #expect(rig.hart.state.sepc >= 0x4000_0000 && rig.hart.state.sepc < 0x4000_0008)
        #expect(rig.hart.privilege == .supervisor)
    }

    @Test("wfi idles the hart until the timer is due, then the interrupt is taken after it")
    func wfiWakesForTheTimer() {
        let (rig, environment) = timerRig(.supervisor)
        rig.place([RV.encode(.wfi), RV.addi(10, 0, 7)] + Rig.exit)
        // The handler exits with sepc's offset from the code: 4, just after the wfi.
        rig.place([RV.csrr(10, Int(CSRNumber.sepc)), RV.r(.sub, 10, 10, 20)] + Rig.exit, at: 0x8000_0800)
        rig.hart.state.setX(20, Rig.code)
        rig.hart.state.mstatus |= MStatus.sie
        rig.hart.state.stimecmp = 12_345
        #expect(rig.run() == .exited(4))
        #expect(rig.machine.waits == 1 && rig.machine.mtime == 12_345)
        #expect(environment.interrupts == [InterruptCause.supervisorTimer.rawValue])
    }

    @Test("with interrupts masked in S, wfi still wakes and execution goes on after it")
    func wfiWithInterruptsMasked() {
        let (rig, environment) = timerRig(.supervisor)
        rig.place([RV.encode(.wfi), RV.addi(10, 0, 7)] + Rig.exit)
        rig.hart.state.stimecmp = 100
        #expect(rig.run() == .exited(7))
        #expect(rig.machine.waits == 1)
        #expect(environment.interrupts.isEmpty)
    }
}
