import Guest

/// User mode: guest page → the blocks whose instructions lie on it, so that a change to some
/// pages' code (an executable mapping unmapped, remapped or reprotected, `riscv_flush_icache` of a
/// range, a debugger's write) drops only the blocks on those pages instead of the whole cache.
///
/// A block is listed under every page one of its instructions has a byte on (one or two: blocks
/// end at a page boundary, and only an instruction straddling it reaches the next page; more
/// where a leaf call was decoded into the block). A saved block is listed under every page from
/// its lowest instruction to the last byte of its highest. Entries are not removed from the other page when a block goes through one: a stale
/// entry only makes a later change drop a newer translation at the same pc, which is safe.
struct CodeIndex {
    private var byPage: [UInt64: [UInt64]] = [:]

    var isEmpty: Bool { byPage.isEmpty }

    mutating func record(_ guest: GuestBlock) {
        // A block with a leaf call decoded into it (`BlockDecoder.leafCallee`) has instructions
        // on the callee's page too, which may be far away: list the pages it has instructions
        // on, not all those between.
        var pages: [UInt64] = []
        for (pc, inst) in zip(guest.pcs, guest.instructions) {
            let first = pc >> GuestMemory.pageShift, last = (pc &+ UInt64(inst.length) &- 1) >> GuestMemory.pageShift
            if !pages.contains(first) { pages.append(first) }
            if last != first, !pages.contains(last) { pages.append(last) }
        }
        for page in pages { byPage[page, default: []].append(guest.start) }
        if pages.isEmpty { record(start: guest.start, low: guest.start, highestEnd: guest.start &+ 1) }
    }

    /// `record` for a block that spans `low..<highestEnd`.
    mutating func record(start: UInt64, low: UInt64, highestEnd: UInt64) {
        let high = max(highestEnd, low &+ 1) &- 1
        var page = low >> GuestMemory.pageShift
        let last = high >> GuestMemory.pageShift
        while page <= last {
            byPage[page, default: []].append(start)
            page &+= 1
        }
    }

    /// Removes and returns the pcs of blocks listed on pages `pages` (page numbers).
    mutating func take(pages: Range<UInt64>) -> [UInt64] {
        var out: [UInt64] = []
        if UInt64(byPage.count) < UInt64(pages.count) {
            // A wide range (an munmap of a big region): walk the index instead of the range.
            for page in byPage.keys where pages.contains(page) {
                out += byPage.removeValue(forKey: page) ?? []
            }
        } else {
            for page in pages {
                if let pcs = byPage.removeValue(forKey: page) { out += pcs }
            }
        }
        return out
    }

    mutating func removeAll() { byPage.removeAll(keepingCapacity: true) }
}

/// Entries of dropped blocks. A block's code stays where it is (the cache is only ever appended
/// to), but its first eight bytes become a 5-byte `call` to the cold-exit thunk, so any jump
/// still aimed at it (a patched chain site, a jump linked at translation time, a `jalr` table
/// entry) leaves to the dispatcher with the block's guest pc, which retranslates it. Blocks start
/// 16-byte aligned, so the rewrite is one aligned 8-byte store.
struct RetiredEntries {
    /// Return offset of the entry's `call` (block offset + 5) → the block's guest pc.
    private var pcs: [UInt32: UInt64] = [:]

    var count: Int { pcs.count }

    mutating func add(returnOffset: UInt32, pc: UInt64) { pcs[returnOffset] = pc }

    func pc(returnOffset: UInt32) -> UInt64? { pcs.isEmpty ? nil : pcs[returnOffset] }

    mutating func removeAll() { pcs.removeAll(keepingCapacity: true) }

    /// The eight bytes that replace a dropped block's entry at `host`: `call thunk` and `int3`s.
    static func entryBytes(host: UInt64, thunk: UInt64) -> UInt64? {
        guard let rel = Int32(exactly: Int64(bitPattern: thunk &- (host &+ UInt64(ColdSite.callLength)))) else { return nil }
        let r = UInt64(UInt32(bitPattern: rel))
        return 0xE8 | r << 8 | 0xCC_CC_CC << 40
    }
}
