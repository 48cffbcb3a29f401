import Guest
import RISCV
import Testing

@Suite struct PMPTests {
    /// pmpcfg bytes: A field, lock and permissions.
    static let r: UInt64 = 1, w: UInt64 = 2, x: UInt64 = 4
    static let tor: UInt64 = 1 << 3, na4: UInt64 = 2 << 3, napot: UInt64 = 3 << 3, lock: UInt64 = 1 << 7

    private func allows(_ hart: Hart, _ address: UInt64, _ length: UInt64 = 1, _ access: MemoryFault.Access = .read,
                        _ mode: PrivilegeMode = .supervisor) -> Bool {
        hart.pmpAllows(address, length: length, access: access, privilege: mode)
    }

    @Test func noMatchingEntry() {
        let (hart, _) = makeSystemHart()
        #expect(allows(hart, 0x8000_0000, 8, .write, .machine))
        #expect(!allows(hart, 0x8000_0000, 8, .read, .supervisor))
        #expect(!allows(hart, 0x8000_0000, 4, .execute, .user))
    }

    @Test func topOfRange() {
        let (hart, _) = makeSystemHart()
        // Entry 0: TOR [0, 0x8000_0000) no access; entry 1: TOR [0x8000_0000, 0x8010_0000) R+X.
        hart.csrWrite(CSRNumber.pmpaddr0, 0x8000_0000 >> 2)
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), 0x8010_0000 >> 2)
        hart.csrWrite(CSRNumber.pmpcfg0, PMPTests.tor | (PMPTests.tor | PMPTests.r | PMPTests.x) << 8)
        #expect(allows(hart, 0x8000_0000, 8))
        #expect(allows(hart, 0x800F_FFF8, 8, .execute))
        #expect(!allows(hart, 0x8000_0000, 8, .write))
        #expect(!allows(hart, 0x7FFF_FFF8, 8))            // entry 0 matches: no permissions
        #expect(!allows(hart, 0x800F_FFFC, 8))            // straddles the top
        #expect(!allows(hart, 0x7FFF_FFFC, 8))            // straddles the bottom (entry 0 matches first)
        #expect(!allows(hart, 0x8010_0000, 4))            // no entry
        #expect(allows(hart, 0x7FFF_FFF8, 8, .write, .machine))   // unlocked entries do not bind M
        // An empty TOR range (bottom ≥ top) matches nothing.
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), 0x1000 >> 2)
        #expect(!allows(hart, 0x800, 4))
        #expect(hart.csrRead(CSRNumber.pmpcfg0) == PMPTests.tor | (PMPTests.tor | PMPTests.r | PMPTests.x) << 8)
    }

    @Test func naturallyAlignedRegions() {
        let (hart, _) = makeSystemHart()
        // Entry 0: NA4 at 0x1000 RW; entry 1: NAPOT 64 KiB at 0x8001_0000 R.
        hart.csrWrite(CSRNumber.pmpaddr0, 0x1000 >> 2)
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), 0x8001_0000 >> 2 | (0x1_0000 / 8 - 1))
        hart.csrWrite(CSRNumber.pmpcfg0, PMPTests.na4 | PMPTests.r | PMPTests.w | (PMPTests.napot | PMPTests.r) << 8)
        #expect(allows(hart, 0x1000, 4, .write))
        #expect(!allows(hart, 0x1000, 8, .write))         // only 4 bytes covered
        #expect(!allows(hart, 0x1004, 4))
        #expect(allows(hart, 0x8001_0000, 8))
        #expect(allows(hart, 0x8001_FFF8, 8))
        #expect(!allows(hart, 0x8002_0000, 1))
        #expect(!allows(hart, 0x8001_8000, 4, .execute))
        // All ones: every address.
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), ~0)
        #expect(hart.csrRead((CSRNumber.pmpaddr0 + 1)) == 1 << 54 - 1)
        #expect(allows(hart, 0xFFFF_FFFF_FFFF_FFF0, 8))
    }

    @Test func lockedEntriesBindMachineModeAndResistWrites() {
        let (hart, _) = makeSystemHart()
        hart.csrWrite(CSRNumber.pmpaddr0, 0x8000_0000 >> 2)
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), 0x8000_1000 >> 2)
        // Entry 1: locked TOR, R only.
        hart.csrWrite(CSRNumber.pmpcfg0, (PMPTests.lock | PMPTests.tor | PMPTests.r) << 8)
        #expect(allows(hart, 0x8000_0000, 8, .read, .machine))
        #expect(!allows(hart, 0x8000_0000, 8, .write, .machine))
        // Neither its cfg, nor its pmpaddr, nor the pmpaddr below a locked TOR entry may change.
        hart.csrWrite(CSRNumber.pmpcfg0, PMPTests.r | PMPTests.na4 | (PMPTests.napot | PMPTests.r | PMPTests.w) << 8)
        #expect(hart.csrRead(CSRNumber.pmpcfg0) == PMPTests.r | PMPTests.na4 | (PMPTests.lock | PMPTests.tor | PMPTests.r) << 8)
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), 0)
        hart.csrWrite(CSRNumber.pmpaddr0, 0)
        #expect(hart.csrRead((CSRNumber.pmpaddr0 + 1)) == 0x8000_1000 >> 2)
        #expect(hart.csrRead(CSRNumber.pmpaddr0) == 0x8000_0000 >> 2)
    }

    @Test func configWARL() {
        let (hart, _) = makeSystemHart()
        // R=0 W=1 is reserved: that byte keeps its old value; bits 6:5 read zero.
        hart.csrWrite(CSRNumber.pmpcfg0, PMPTests.napot | PMPTests.r | 0x60 | (PMPTests.w) << 8)
        #expect(hart.csrRead(CSRNumber.pmpcfg0) == PMPTests.napot | PMPTests.r)
        hart.csrWrite((CSRNumber.pmpcfg0 + 2), 0xFF_0000_0000_0000)
        #expect(hart.csrRead((CSRNumber.pmpcfg0 + 2)) == 0x9F_0000_0000_0000)
        // Odd pmpcfg CSRs do not exist on RV64; entries past 16 read zero.
        #expect(hart.csrRead(CSRNumber.pmpcfg0 + 1) == nil)
        #expect(hart.csrRead(CSRNumber.pmpcfg0 + 4) == 0)
        hart.csrWrite(CSRNumber.pmpaddr0 + 20, 0x1234)
        #expect(hart.csrRead(CSRNumber.pmpaddr0 + 20) == 0)
        // S-mode may not touch PMP at all.
        hart.privilege = .supervisor
        #expect(hart.csrRead(CSRNumber.pmpcfg0) == nil)
    }

    @Test func translationChecksTheResultAndTheWalk() {
        let (hart, platform) = makeSystemHart()
        var tables = PageTables(platform.ram, levels: 3)
        tables.map(0x4000, 0x9000_0000, flags: Bits.rwx ^ Bits.d)
        hart.state.satp = tables.satp()
        // Entry 0: the page tables (first 64 KiB of RAM) readable; entry 1: 0x9000_0000 page R.
        hart.csrWrite(CSRNumber.pmpaddr0, RAMBus.base >> 2 | (0x1_0000 / 8 - 1))
        hart.csrWrite((CSRNumber.pmpaddr0 + 1), 0x9000_0000 >> 2 | (0x1000 / 8 - 1))
        hart.state.setPMPForTest(0x1F ^ PMPTests.w ^ PMPTests.x, PMPTests.napot | PMPTests.r)
        hart.privilege = .supervisor
        hart.state.pc = 0x8000_0000
        #expect(hart.translate(0x4008, access: .read, length: 8) == .success(0x9000_0008))
        #expect(hart.translate(0x4008, access: .execute, length: 4) ==
                .failure(GuestTrap(.instructionAccessFault, pc: 0x8000_0000, tval: 0x4008)))
        // The walk wants to set D: a page table PMP keeps read-only is an access fault.
        #expect(hart.translate(0x4008, access: .write, length: 8) ==
                .failure(GuestTrap(.storeAccessFault, pc: 0x8000_0000, tval: 0x4008)))
        // With the tables unreadable, the walk itself faults.
        hart.state.setPMPForTest(PMPTests.napot, PMPTests.napot | PMPTests.r)
        hart.tlb.flushAll()
        #expect(hart.translate(0x4008, access: .read) == .failure(GuestTrap(.loadAccessFault, pc: 0x8000_0000, tval: 0x4008)))
    }
}

private extension GuestState {
    /// Sets pmp0cfg and pmp1cfg directly (no TLB flush, unlike a pmpcfg0 write).
    func setPMPForTest(_ cfg0: UInt64, _ cfg1: UInt64) {
        raw.storeBytes(of: UInt8(cfg0), toByteOffset: StateOffset.pmpcfg, as: UInt8.self)
        raw.storeBytes(of: UInt8(cfg1), toByteOffset: StateOffset.pmpcfg + 1, as: UInt8.self)
    }
}
