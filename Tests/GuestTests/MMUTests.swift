import Guest
import RISCV
import Testing

/// A hart in S-mode translating through `tables`, with PMP open to everything.
private func translatingHart(levels: Int = 3) -> (Hart, TestPlatform, PageTables) {
    let (hart, platform) = makeSystemHart()
    let tables = PageTables(platform.ram, levels: levels)
    hart.state.satp = tables.satp()
    openPMP(hart)
    hart.privilege = .supervisor
    return (hart, platform, tables)
}

/// pmpaddr0 NAPOT over all addresses with RWX, as firmware sets up before entering S-mode.
func openPMP(_ hart: Hart) {
    let pc = hart.state.pc
    hart.csrWrite(CSRNumber.pmpaddr0, ~0)
    hart.csrWrite(CSRNumber.pmpcfg0, 0x1F)
    hart.state.pc = pc
}

private func pageFault(_ access: MemoryFault.Access, _ va: UInt64, pc: UInt64 = 0x8000_0000) -> Result<UInt64, GuestTrap> {
    let cause: ExceptionCause = switch access {
    case .read: .loadPageFault
    case .write: .storePageFault
    case .execute: .instructionPageFault
    }
    return .failure(GuestTrap(cause, pc: pc, tval: va))
}

@Suite struct MMUTests {
    @Test(arguments: [3, 4, 5])
    func everyLevelAndPageSize(levels: Int) {
        for leaf in 0..<levels {
            let (hart, _, tables) = translatingHart(levels: levels)
            var t = tables
            let size = UInt64(1) << UInt64(12 + 9 * leaf)
            let va = 3 * size + size / 2 + 0x123
            let pa: UInt64 = 5 * size
            t.map(3 * size, pa, level: leaf, flags: Bits.rwx)
            for access in [MemoryFault.Access.read, .write, .execute] {
                #expect(hart.translate(va, access: access) == .success(pa + size / 2 + 0x123), "Sv\(12 + 9 * levels) level \(leaf) \(access)")
            }
            // The next page of the same size is not mapped.
            #expect(hart.translate(va + size, access: .read) == pageFault(.read, va + size))
        }
    }

    @Test func bareAndMachineModeDoNotTranslate() {
        let (hart, _, _) = translatingHart()
        hart.privilege = .machine
        #expect(hart.translate(0x1234_5678, access: .read) == .success(0x1234_5678))
        hart.privilege = .supervisor
        hart.state.satp = 0
        #expect(hart.translate(0x1234_5678, access: .write) == .success(0x1234_5678))
    }

    @Test func misalignedSuperpageFaults() {
        var (hart, _, tables) = translatingHart()
        tables.map(0x4000_0000, 0x8020_0000, level: 1, flags: Bits.rwx)   // 2 MiB leaf, PPN[0] ≠ 0 (pa 0x80200000 is fine)
        #expect(hart.translate(0x4000_0010, access: .read) == .success(0x8020_0010))
        tables.map(0x8000_0000, 0x8020_1000, level: 1, flags: Bits.rwx)
        #expect(hart.translate(0x8000_0010, access: .read) == pageFault(.read, 0x8000_0010))
        tables.map(0xC000_0000, 0x8020_0000, level: 2, flags: Bits.rwx)   // 1 GiB leaf needs PPN[1:0] = 0
        #expect(hart.translate(0xC000_0000, access: .read) == pageFault(.read, 0xC000_0000))
    }

    @Test func invalidEntriesFault() {
        var (hart, _, tables) = translatingHart()
        let cases: [(UInt64, String)] = [
            (Bits.r | Bits.a, "V clear"),
            (Bits.v | Bits.w | Bits.a | Bits.d, "W without R"),
            (Bits.rwx | 1 << 54, "reserved bit 54"),
            (Bits.rwx | 1 << 61, "PBMT without Svpbmt"),
            (Bits.rwx | 1 << 63, "N without Svnapot"),
        ]
        for (i, (flags, what)) in cases.enumerated() {
            let va = UInt64(0x10000 + i * 0x1000)
            tables.map(va, 0x9000_0000, flags: flags)
            #expect(hart.translate(va, access: .read) == pageFault(.read, va), "\(what)")
        }
        // A pointer at the last level faults, and so does a pointer PTE with A, D or U set.
        tables.map(0x30_0000, 0x8000_0000, flags: Bits.v)
        #expect(hart.translate(0x30_0000, access: .read) == pageFault(.read, 0x30_0000))
        let (other, otherPlatform) = makeSystemHart()
        openPMP(other)
        other.privilege = .supervisor
        var reserved = PageTables(otherPlatform.ram, levels: 3)
        reserved.map(0x20_0000, 0x9000_0000, flags: Bits.rwx, pointerFlags: Bits.a)
        other.state.satp = reserved.satp()
        #expect(other.translate(0x20_0000, access: .read) == pageFault(.read, 0x20_0000))
    }

    @Test func nonCanonicalAddressesFault() {
        var (hart, _, tables) = translatingHart()
        tables.map(0xFFFF_FFC0_0000_0000, 0xC000_0000, level: 2, flags: Bits.rwx)
        #expect(hart.translate(0xFFFF_FFC0_0000_0008, access: .read) == .success(0xC000_0008))
        #expect(hart.translate(0x0000_0040_0000_0008, access: .read) == pageFault(.read, 0x0000_0040_0000_0008))
        #expect(hart.translate(0xFF00_0000_0000_0000, access: .execute) == pageFault(.execute, 0xFF00_0000_0000_0000))
    }

    @Test func tableOutsideRAMIsAnAccessFault() {
        let (hart, _) = makeSystemHart()
        openPMP(hart)
        hart.privilege = .supervisor
        hart.state.satp = 8 << 60 | 0x1000   // root at 16 MiB: no RAM there
        #expect(hart.translate(0x5000, access: .write) == .failure(GuestTrap(.storeAccessFault, pc: 0x8000_0000, tval: 0x5000)))
        #expect(hart.translate(0x5000, access: .execute) == .failure(GuestTrap(.instructionAccessFault, pc: 0x8000_0000, tval: 0x5000)))
    }

    @Test func permissions() {
        var (hart, _, tables) = translatingHart()
        let page: [String: UInt64] = [
            "r": Bits.v | Bits.r | Bits.a, "rw": Bits.v | Bits.r | Bits.w | Bits.a | Bits.d,
            "x": Bits.v | Bits.x | Bits.a, "ur": Bits.v | Bits.r | Bits.u | Bits.a,
            "urwx": Bits.rwx | Bits.u,
        ]
        var va: [String: UInt64] = [:]
        for (i, (name, flags)) in page.sorted(by: { $0.key < $1.key }).enumerated() {
            va[name] = UInt64(0x100_0000 + i * 0x1000)
            tables.map(va[name]!, 0x9000_0000, flags: flags)
        }
        func allowed(_ name: String, _ access: MemoryFault.Access) -> Bool {
            if case .success = hart.translate(va[name]!, access: access) { return true }
            return false
        }
        // S-mode, no SUM, no MXR.
        #expect(allowed("r", .read) && !allowed("r", .write) && !allowed("r", .execute))
        #expect(allowed("rw", .read) && allowed("rw", .write) && !allowed("rw", .execute))
        #expect(!allowed("x", .read) && !allowed("x", .write) && allowed("x", .execute))
        #expect(!allowed("ur", .read) && !allowed("urwx", .write) && !allowed("urwx", .execute))
        // SUM opens U pages to S loads and stores, never to fetches.
        hart.state.mstatus = MStatus.sum
        #expect(allowed("ur", .read) && allowed("urwx", .write) && !allowed("urwx", .execute))
        // MXR makes execute-only pages readable.
        hart.state.mstatus = MStatus.mxr
        #expect(allowed("x", .read) && !allowed("x", .write))
        // U-mode sees only U pages.
        hart.privilege = .user
        hart.state.mstatus = 0
        #expect(!allowed("r", .read) && !allowed("x", .execute))
        #expect(allowed("ur", .read) && !allowed("ur", .write) && allowed("urwx", .execute))
        // A failed check is a page fault with the virtual address.
        #expect(hart.translate(va["ur"]! + 8, access: .write) == pageFault(.write, va["ur"]! + 8))
    }

    @Test func accessedAndDirtyBits() {
        var (hart, platform, tables) = translatingHart()
        let slot = tables.map(0x5000, 0x9000_0000, flags: Bits.v | Bits.r | Bits.w)
        let base = (UInt64(0x9000_0000) >> 12) << 10 | Bits.v | Bits.r | Bits.w
        #expect(hart.translate(0x5008, access: .read) == .success(0x9000_0008))
        #expect(platform.ram.load(slot) == base | Bits.a)
        #expect(hart.translate(0x5010, access: .write) == .success(0x9000_0010))
        #expect(platform.ram.load(slot) == base | Bits.a | Bits.d)
        // A fault sets neither.
        let denied = tables.map(0x6000, 0x9000_0000, flags: Bits.v | Bits.r)
        #expect(hart.translate(0x6000, access: .write) == pageFault(.write, 0x6000))
        #expect(platform.ram.load(denied) & (Bits.a | Bits.d) == 0)
    }

    @Test func mprvTranslatesMachineLoadsAndStores() {
        var (hart, _, tables) = translatingHart()
        tables.map(0x7000, 0x9000_0000, flags: Bits.rwx)
        hart.privilege = .machine
        hart.state.mstatus = MStatus.mprv | 1 << MStatus.mppShift
        #expect(hart.effectivePrivilege(for: .read) == .supervisor)
        #expect(hart.translate(0x7004, access: .read) == .success(0x9000_0004))
        #expect(hart.translate(0x7004, access: .write) == .success(0x9000_0004))
        #expect(hart.translate(0x7004, access: .execute) == .success(0x7004))
        // MPP = U: the U bit now matters.
        hart.state.mstatus = MStatus.mprv
        #expect(hart.translate(0x7004, access: .read) == pageFault(.read, 0x7004))
        // MPP = M: no translation.
        hart.state.mstatus = MStatus.mprv | MStatus.mpp
        #expect(hart.translate(0x7004, access: .read) == .success(0x7004))
    }

    @Test func tlbKeepsTranslationsUntilFenced() {
        var (hart, platform, tables) = translatingHart()
        let slot = tables.map(0x8000, 0x9000_0000, flags: Bits.rwx)
        #expect(hart.translate(0x8000, access: .read) == .success(0x9000_0000))
        #expect(hart.tlb.fills == 1)
        platform.ram.store(slot, (UInt64(0x9100_0000) >> 12) << 10 | Bits.rwx)
        #expect(hart.translate(0x8000, access: .read) == .success(0x9000_0000))
        #expect(hart.tlb.hits == 1)
        // Each access kind has its own entries: a fetch walks and sees the new PTE.
        #expect(hart.translate(0x8000, access: .execute) == .success(0x9100_0000))
        // sfence.vma with the address drops it.
        hart.state.setX(10, 0x8123)
        #expect(hart.run(.sfence_vma, rs1: 10) == .retired(.resume))
        #expect(hart.translate(0x8000, access: .read) == .success(0x9100_0000))
    }

    @Test func fenceByASIDKeepsGlobalMappings() {
        var (hart, platform, tables) = translatingHart()
        hart.state.satp = tables.satp(asid: 7)
        let local = tables.map(0x1_0000, 0x9000_0000, flags: Bits.rwx)
        let global = tables.map(0x1_1000, 0x9000_1000, flags: Bits.rwx | Bits.g)
        _ = hart.translate(0x1_0000, access: .read)
        _ = hart.translate(0x1_0000, access: .execute)
        _ = hart.translate(0x1_1000, access: .read)
        platform.ram.store(local, (UInt64(0x9200_0000) >> 12) << 10 | Bits.rwx)
        platform.ram.store(global, (UInt64(0x9200_1000) >> 12) << 10 | Bits.rwx | Bits.g)
        // Another address space shares the global entry (satp set directly: no flush).
        hart.state.satp = tables.satp(asid: 8)
        #expect(hart.translate(0x1_1000, access: .read) == .success(0x9000_1000))
        #expect(hart.translate(0x1_0000, access: .execute) == .success(0x9200_0000))
        hart.state.satp = tables.satp(asid: 7)
        #expect(hart.translate(0x1_0000, access: .read) == .success(0x9000_0000))
        hart.state.setX(11, 7)
        #expect(hart.run(.sfence_vma, rs2: 11) == .retired(.resume))
        #expect(hart.translate(0x1_0000, access: .read) == .success(0x9200_0000))
        #expect(hart.translate(0x1_1000, access: .read) == .success(0x9000_1000))
        // sfence.vma x0, x0 drops everything.
        #expect(hart.run(.sfence_vma) == .retired(.resume))
        #expect(hart.translate(0x1_1000, access: .read) == .success(0x9200_1000))
    }

    @Test func fenceByAddressAndASID() {
        var (hart, platform, tables) = translatingHart()
        hart.state.satp = tables.satp(asid: 3)
        let local = tables.map(0x2_0000, 0x9000_0000, flags: Bits.rwx)
        let global = tables.map(0x2_1000, 0x9000_1000, flags: Bits.rwx | Bits.g)
        let other = tables.map(0x2_2000, 0x9000_2000, flags: Bits.rwx)
        for va: UInt64 in [0x2_0000, 0x2_1000, 0x2_2000] { _ = hart.translate(va, access: .read) }
        for (slot, pa) in [(local, 0x9400_0000), (global, 0x9400_1000), (other, 0x9400_2000)] as [(UInt64, UInt64)] {
            platform.ram.store(slot, (pa >> 12) << 10 | Bits.rwx | (slot == global ? Bits.g : 0))
        }
        // Another ASID at this address: nothing goes.
        hart.state.setX(10, 0x2_0000)
        hart.state.setX(11, 4)
        _ = hart.run(.sfence_vma, rs1: 10, rs2: 11)
        #expect(hart.translate(0x2_0000, access: .read) == .success(0x9000_0000))
        // This ASID: the local entry at that address goes; a global one is kept even when named.
        hart.state.setX(11, 3)
        _ = hart.run(.sfence_vma, rs1: 10, rs2: 11)
        hart.state.setX(10, 0x2_1000)
        _ = hart.run(.sfence_vma, rs1: 10, rs2: 11)
        #expect(hart.translate(0x2_0000, access: .read) == .success(0x9400_0000))
        #expect(hart.translate(0x2_1000, access: .read) == .success(0x9000_1000))
        #expect(hart.translate(0x2_2000, access: .read) == .success(0x9000_2000))
    }

    @Test func fenceByAddressDropsAWholeSuperpage() {
        var (hart, platform, tables) = translatingHart()
        let slot = tables.map(0x20_0000, 0x9000_0000, level: 1, flags: Bits.rwx)
        _ = hart.translate(0x20_0000, access: .read)
        _ = hart.translate(0x3F_F000, access: .read)   // another 4 KiB piece of the same leaf
        platform.ram.store(slot, (UInt64(0x9040_0000) >> 12) << 10 | Bits.rwx)
        hart.state.setX(10, 0x20_0000)
        _ = hart.run(.sfence_vma, rs1: 10)
        #expect(hart.translate(0x3F_F000, access: .read) == .success(0x905F_F000))
    }

    @Test func satpWritesFlush() {
        var (hart, platform, tables) = translatingHart()
        let slot = tables.map(0x9000, 0x9000_0000, flags: Bits.rwx)
        _ = hart.translate(0x9000, access: .read)
        platform.ram.store(slot, (UInt64(0x9300_0000) >> 12) << 10 | Bits.rwx)
        hart.csrWrite(CSRNumber.satp, tables.satp(asid: 1))
        #expect(hart.translate(0x9000, access: .read) == .success(0x9300_0000))
        #expect(hart.tlb.flushes >= 1)
    }
}
