import Guest
import RISCV
import Testing

/// What engines need to keep translations exactly as long as the ISA lets them: the log of RAM
/// written behind the hart's stores (read at fence.i), the journal of TLB flushes (so that
/// `sfence.vma addr` drops one leaf, not everything) and the size of the leaf behind a page.
@Suite struct CodeWriteTrackingTests {
    @Test func theLogNamesEveryPageAWriteTouchesAndEmptiesWhenTaken() {
        let log = RAMWriteLog()
        log.note(0x8000_1ff8, 8)
        log.note(0x8000_3ffc, 8)         // straddles two pages
        log.note(0x8000_5000, 0)         // nothing written
        let taken = log.take()
        #expect(!taken.everything)
        #expect(taken.pages == [0x80001, 0x80003, 0x80004])
        #expect(log.take().pages.isEmpty)
    }

    @Test func tooManyPagesBecomeEverythingUntilTaken() {
        let log = RAMWriteLog()
        for page in 0..<UInt64(RAMWriteLog.capacity + 1) { log.note(page << 12, 1) }
        let taken = log.take()
        #expect(taken.everything && taken.pages.isEmpty)
        log.note(0, 1 << 40)             // one write wider than the log
        #expect(log.take().everything)
        log.note(0x1000, 4)
        #expect(log.take() == ([0x1], false))
    }

    @Test func theJournalKeepsAddressesAndAddressSpacesAndCollapsesIntoAll() {
        let tlb = TLB()
        tlb.flush(address: 0x4000_1234, asid: nil)
        tlb.flush(asid: 3)
        #expect(tlb.takeFlushes() == [.address(0x4000_1234), .asid(3)])
        #expect(tlb.takeFlushes().isEmpty)
        tlb.flush(address: 0x1000, asid: 1)
        tlb.flushAll()
        tlb.flush(address: 0x2000, asid: nil)
        #expect(tlb.takeFlushes() == [.all])
        for i in 0..<100 { tlb.flush(address: UInt64(i) << 12, asid: nil) }
        #expect(tlb.takeFlushes() == [.all])
    }

    @Test func theWalkLogsThePageTableEntriesItSetsAOrDIn() {
        let (hart, platform) = makeSystemHart()
        var tables = PageTables(platform.ram, levels: 3)
        hart.state.satp = tables.satp()
        openPMP(hart)
        hart.privilege = .supervisor
        let clean = tables.map(0x4000_0000, 0x8008_0000, flags: Bits.v | Bits.r | Bits.w | Bits.x)
        let marked = tables.map(0x4000_1000, 0x8008_1000, flags: Bits.rwx)
        _ = platform.ram.log.take()
        #expect(hart.translate(0x4000_1000, access: .write) == .success(0x8008_1000))
        #expect(platform.ram.log.take().pages.isEmpty, "A and D were set already: nothing written")
        #expect(hart.translate(0x4000_0000, access: .read) == .success(0x8008_0000))
        #expect(platform.ram.log.take().pages == [clean >> 12])
        #expect(platform.ram.load(clean) & Bits.a != 0)
        _ = marked
    }

    @Test func leafShiftIsTheSizeOfTheMappingBehindAPage() {
        let (hart, platform) = makeSystemHart()
        var tables = PageTables(platform.ram, levels: 3)
        tables.map(0x4000_0000, 0x8008_0000, flags: Bits.rwx)
        tables.map(0x4020_0000, 0x8020_0000, level: 1, flags: Bits.rwx)
        openPMP(hart)
        hart.privilege = .supervisor
        #expect(hart.leafShift(0x4000_0000, access: .read) == 12, "bare: nothing to invalidate but the page")
        hart.state.satp = tables.satp()
        #expect(hart.leafShift(0x4000_0000, access: .read) == 64, "not cached yet: assume anything")
        _ = hart.translate(0x4000_0000, access: .read)
        _ = hart.translate(0x4020_5000, access: .execute)
        #expect(hart.leafShift(0x4000_0000, access: .read) == 12)
        #expect(hart.leafShift(0x4020_5000, access: .execute) == 21)
        hart.privilege = .machine
        #expect(hart.leafShift(0x4020_5000, access: .execute) == 12)
    }
}
