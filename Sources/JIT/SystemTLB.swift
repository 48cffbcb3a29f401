import Guest
import Interpreter
import RISCV

/// System mode's inline data TLB: what translated loads and stores probe (Lower+SystemMemory.swift),
/// and the engine's system-mode block bookkeeping.
///
/// Two direct-mapped tables of `entries` entries, read then write, 16 bytes each: the virtual
/// page address (`invalid` when empty) and the addend that turns a virtual address on that page
/// into the host address of the RAM behind it. An entry exists only for a 4 KiB page that is
/// RAM, that translation and PMP (for the whole page) allow for that access at the current
/// privilege, and, for writes, that holds no translated code; so MMIO, code pages and anything
/// unusual always take the slow path.
///
/// There is one such pair per way of reaching memory (`tableSets`): U-mode, S-mode with SUM
/// clear, S-mode with SUM set, M-mode; translated code gets the current one's address in its
/// memory register at every entry from the dispatcher (privilege and mstatus change only in
/// the trap-and-emulate handler, at traps and interrupts, all of which leave translated code).
/// So a trap from U into S and the `sret` back, or a kernel's SUM toggling around each user
/// copy, no longer empty anything: each set keeps its entries, and is emptied only when what
/// else it depends on moved (MXR for all; MPRV, MPP and SUM too for M-mode's).
/// The MMU's own flushes are followed exactly (`followMappings`):
/// `sfence.vma addr` drops only the entries of the leaf that maps `addr` (each entry remembers
/// its leaf's size), everything else empties the tables.
final class SystemTLB {
    /// 8192 pages (32 MiB) per table: with 256, a program sweeping a few MiB (a sieve, a matrix
    /// multiply, pointer chasing; `tools/bench --system`) refilled through the slow path every
    /// few hundred instructions, and with 4096 the sieve's 20 MB still made 826 refills per
    /// million instructions. Emptying costs only the sets that hold entries (`filled`), and in
    /// them only the slots that were filled (`filledSlots`), so the bigger table costs nothing
    /// at a flush.
    static let entries = 8192
    static let entrySize = 16
    /// U, S with SUM clear, S with SUM set, M (chosen by `revalidate`).
    static let tableSets = 4
    /// UInt64 words in one set (read table, then write table).
    private static let setWords = 2 * entries * 2
    /// A tag no masked address equals (their low 12 bits are at most 7).
    static let invalid = UInt64.max

    let base: UnsafeMutablePointer<UInt64>
    /// The single-instruction semantics the slow path uses, and the code-page tracking.
    let stepper = SystemStepper()
    /// log2 of the leaf size behind each entry (`Hart.leafShift`), for `sfence.vma addr`.
    private let shifts: UnsafeMutablePointer<UInt8>
    /// The privilege and mstatus bits last seen (`revalidate`).
    private var valid: (UInt64, UInt64)? = nil
    /// The set translated code uses now, and the mstatus bits each set's entries were made under.
    private(set) var current = 3
    private var signatures = [UInt64](repeating: 0, count: SystemTLB.tableSets)
    /// log2 of the widest leaf behind an entry of each set: `invalidate` looks at the slots of
    /// every page such a leaf could cover around the address (all of them for a leaf wider
    /// than the table), not only the one the address indexes.
    private var widest = [UInt8](repeating: 12, count: SystemTLB.tableSets)
    /// Whether a set may hold entries (it was filled since it was last emptied).
    private var filled = [Bool](repeating: false, count: SystemTLB.tableSets)
    /// Per set, the slots (index of the entry in `base`, in entries) filled since the set was
    /// last emptied, so that emptying it clears those instead of the whole set; nil when there
    /// were too many to be worth listing (a slot refilled after `invalidate` is listed again).
    private var filledSlots = [[Int32]?](repeating: [], count: SystemTLB.tableSets)
    private static let slotListLimit = SystemTLB.entries
    /// Counts for `--stats`.
    private(set) var fills: UInt64 = 0
    private(set) var flushes: UInt64 = 0
    private(set) var slowAccesses: UInt64 = 0
    /// Entries and jump-cache entries dropped one leaf at a time (`sfence.vma addr`), and the
    /// times everything went (sfence.vma x0, satp, PMP).
    private(set) var preciseFlushes: UInt64 = 0
    private(set) var mappingFlushes: UInt64 = 0
    /// `fence.i`s, and the pages written behind the hart's back whose translations they dropped.
    var fences: UInt64 = 0
    var fencePagesDropped: UInt64 = 0
    /// The memory's `codeGeneration` (moved by fence.i) the engine last acted on.
    var codeGeneration: UInt64? = nil
    /// One jump cache (`jalr` table) per privilege level (a virtual pc means different code in each).
    let jumps = [SystemJumpCache(), SystemJumpCache(), SystemJumpCache(), SystemJumpCache()]
    /// The translation epochs chained exits to other pages check (SystemEpochs.swift).
    let epochs: SystemEpochs
    /// The MMU flush count the tables were last brought up to date with.
    var mappingGeneration: UInt64 = 0
    /// Translated blocks by virtual pc, privilege and the physical page they were fetched from.
    /// Look them up through `block(_:)`, and change them only here (`record`, `drop`,
    /// `forgetBlocks`), which keep the cache in front of the dictionary right.
    private(set) var blocks: [SystemBlockKey: SystemBlock] = [:]

    /// A direct-mapped cache of recent lookups in front of `blocks`: the dispatcher looks a key
    /// up at every exit, and hashing into the dictionary was about 5% of a Linux boot's CPU.
    private static let recentSize = 4096
    private var recentKeys = [SystemBlockKey](repeating: SystemBlockKey(virtual: .max, physicalPage: .max), count: SystemTLB.recentSize)
    private var recentBlocks = [SystemBlock](repeating: SystemBlock(host: 0), count: SystemTLB.recentSize)

    private static func recentSlot(_ key: SystemBlockKey) -> Int {
        Int(truncatingIfNeeded: (key.virtual >> 1 ^ key.virtual >> 13) & UInt64(recentSize - 1))
    }

    /// The block translated for `key`, if any.
    func block(_ key: SystemBlockKey) -> SystemBlock? {
        let slot = SystemTLB.recentSlot(key)
        if recentKeys[slot] == key { return recentBlocks[slot] }
        guard let found = blocks[key] else { return nil }
        recentKeys[slot] = key
        recentBlocks[slot] = found
        return found
    }

    private func forgetRecent(_ key: SystemBlockKey) {
        let slot = SystemTLB.recentSlot(key)
        if recentKeys[slot] == key { recentKeys[slot] = SystemBlockKey(virtual: .max, physicalPage: .max) }
    }

    /// Drops every block (the code cache was emptied).
    func forgetBlocks() {
        blocks.removeAll(keepingCapacity: true)
        for slot in 0..<SystemTLB.recentSize { recentKeys[slot] = SystemBlockKey(virtual: .max, physicalPage: .max) }
    }
    /// Host code of blocks whose last instruction reaches into the next page: their validity
    /// depends on two mappings, so they are never chained to, only entered from the dispatcher,
    /// which checks both, or through a jump cache, whose entry for them follows both.
    var straddling: Set<UInt64> = []

    /// `trapeze dump --system`: each block's physical start and privilege level, by host
    /// address; nil (not kept) unless the engine counts block executions for a dump.
    var placements: [UInt64: (physical: UInt64, mode: UInt8)]? = nil

    /// Records a block just translated at `host` (see `blocks`).
    func record(_ guest: GuestBlock, host: UInt64, key: SystemBlockKey, physical: UInt64, _ hart: Hart) {
        placements?[host] = (key.physicalPage << 12 | guest.start & 0xFFF, UInt8(truncatingIfNeeded: key.virtual >> 59) &- 1)
        var block = SystemBlock(host: host)
        let last = guest.highestEnd &- 2
        if last >> 12 != guest.start >> 12, let physical = hart.codePhysicalAddress(last) {
            block.next = (last & ~0xFFF, physical >> 12)
            straddling.insert(host)
        }
        blocks[key] = block
        forgetRecent(key)
        jumps[Int(hart.state.privilege.rawValue & 3)].insert(block, pc: guest.start, physical: physical, hart)
        onPage[key.physicalPage, default: []].append(key)
        if let next = block.next { onPage[next.physicalPage, default: []].append(key) }
    }

    /// The blocks whose bytes come (partly) from each physical page. Lists may name blocks
    /// already gone or since translated again; dropping those too costs a retranslation only.
    var onPage: [UInt64: [SystemBlockKey]] = [:]

    /// Drops the blocks fetched from `page` (a store reached it). No other block jumps into
    /// them directly: chains stay within a page and never enter a block that straddles pages, so
    /// with the `jalr` tables emptied nothing reaches their code any more.
    /// With `clearJumps` false the caller empties the jump caches itself, once for many pages;
    /// otherwise only their entries that lead to the dropped blocks go (a kernel storing to a
    /// page beside code it runs used to empty them whole, and every `jalr` then missed once).
    func drop(page: UInt64, clearJumps: Bool = true) -> Int {
        guard let keys = onPage.removeValue(forKey: page) else { return 0 }
        var hosts: Set<UInt64> = []
        for key in keys {
            forgetRecent(key)
            guard let block = blocks.removeValue(forKey: key) else { continue }
            straddling.remove(block.host)
            hosts.insert(block.host)
        }
        if clearJumps, !hosts.isEmpty { for jump in jumps { jump.remove(leadingTo: hosts) } }
        return hosts.count
    }

    init(epochStart: UInt32 = 0) {
        epochs = SystemEpochs(start: epochStart)
        base = .allocate(capacity: SystemTLB.tableSets * SystemTLB.setWords)
        base.initialize(repeating: SystemTLB.invalid, count: SystemTLB.tableSets * SystemTLB.setWords)
        // Read only for entries whose tag is valid, which `fill` wrote (so never initialised whole).
        shifts = .allocate(capacity: SystemTLB.tableSets * 2 * SystemTLB.entries)
    }

    deinit {
        base.deallocate()
        shifts.deallocate()
    }

    /// The current set's tables: what translated code gets in its memory register.
    var address: UInt64 { UInt64(UInt(bitPattern: base + current * SystemTLB.setWords)) }

    /// Empties every set (and the interpreter-side data TLB of the slow path).
    func flush() {
        for set in 0..<SystemTLB.tableSets { empty(set) }
        stepper.flushData()
        flushes &+= 1
    }

    private func empty(_ set: Int) {
        guard filled[set] else { return }
        filled[set] = false
        if let slots = filledSlots[set] {
            for slot in slots { base[2 * Int(slot)] = SystemTLB.invalid }
            filledSlots[set]!.removeAll(keepingCapacity: true)
        } else {
            let first = set * SystemTLB.setWords
            for k in stride(from: first, to: first + SystemTLB.setWords, by: 2) { base[k] = SystemTLB.invalid }
            filledSlots[set] = []
        }
        widest[set] = 12
    }

    /// What a hit depends on besides the page tables: privilege and the mstatus bits that
    /// change the effective privilege or permissions of data accesses. Picks the set for them
    /// and empties it if it was filled under other bits.
    func revalidate(_ hart: Hart) {
        let state = hart.state
        let bits = state.mstatus & (MStatus.mprv | MStatus.mpp | MStatus.sum | MStatus.mxr)
        let now = (UInt64(state.privilege.rawValue), bits)
        if let valid, valid == now { return }
        valid = now
        stepper.flushData() // the slow path's own data TLB is made for one privilege
        let set: Int
        switch state.privilege {
        case .user: set = 0
        case .supervisor: set = bits & MStatus.sum != 0 ? 2 : 1
        default: set = 3
        }
        current = set
        let signature = set == 3 ? bits : bits & MStatus.mxr
        if signatures[set] != signature {
            signatures[set] = signature
            empty(set)
            flushes &+= 1
        }
    }

    /// Follows the MMU's flushes since the last call (satp and PMP writes, `sfence.vma`): the
    /// inline tables and the jump caches hold translations of the current address space only
    /// (a satp write empties them), so `sfence.vma addr` drops the entries of that leaf, one for
    /// another address space drops nothing, and anything wider empties them. The physically
    /// keyed translations stay: only the ways from a virtual pc to them change.
    func followMappings(_ hart: Hart) {
        let tlb = hart.tlb
        guard tlb.flushes != mappingGeneration else { return }
        mappingGeneration = tlb.flushes
        let current = SATP.asid(hart.state.satp)
        var switched = false
        for flush in tlb.takeFlushes() {
            switch flush {
            case .address(let address):
                invalidate(address)
                epochs.move(linkedAt: address)
            case .asid(let asid) where asid != current:
                stepper.flushData()
            case .all:
                self.flush()
                clearIndirect()
                epochs.move(SystemEpochs.allModes)
                mappingFlushes &+= 1
            case .asid, .addressSpace:
                // sfence.vma x0, asid of the current space (a process's unmap, fork, exit) or
                // a satp write: M-mode fetches are not translated, U-mode code is the process's
                // own, and the kernel's entries stay where a walk of the tables gives the same
                // page without writing (its mappings are shared by every process:
                // `SystemJumpCache.revalidate`).
                self.flush()
                jumps[0].clear()
                epochs.move(SystemEpochs.translatedModes)
                switched = true
                mappingFlushes &+= 1
            }
        }
        if switched { jumps[1].revalidate(hart) }
    }

    /// `sfence.vma addr`: drops the inline entries and jump-cache entries whose leaf holds `address`.
    private func invalidate(_ address: UInt64) {
        func drop(_ slot: Int) {
            if base[2 * slot] != SystemTLB.invalid, (base[2 * slot] ^ address) >> UInt64(shifts[slot]) == 0 {
                base[2 * slot] = SystemTLB.invalid
            }
        }
        for set in 0..<SystemTLB.tableSets where filled[set] {
            let first = set * 2 * SystemTLB.entries
            let pages = widest[set] >= 12 + 12 ? SystemTLB.entries : min(SystemTLB.entries, 1 << (Int(widest[set]) - 12))
            // The pages of the widest leaf that may hold the address, read and write slots.
            let start = (address >> 12) & ~UInt64(pages - 1)
            for k in 0..<UInt64(pages) {
                let index = Int(truncatingIfNeeded: (start &+ k) & UInt64(SystemTLB.entries - 1))
                drop(first + index)
                drop(first + SystemTLB.entries + index)
            }
        }
        for jump in jumps { jump.invalidate(address) }
        stepper.flushData()
        preciseFlushes &+= 1
    }

    /// After the slow path performed a plain load or store at `vaddr`: caches its page when
    /// that is RAM the access may reach inline.
    func fill(_ vaddr: UInt64, store: Bool, _ hart: Hart) {
        slowAccesses &+= 1
        guard let bus = hart.platform?.bus else { return }
        let access: MemoryFault.Access = store ? .write : .read
        guard case .success(let physical) = hart.translate(vaddr, access: access) else { return }
        let page = physical & ~0xFFF
        guard let host = bus.ram(page, 0x1000) else { return }
        if store, !bus.ramWritable(page, 0x1000) || stepper.holdsCode(page: page >> 12) { return }
        guard hart.pmpAllows(page, length: 0x1000, access: access, privilege: hart.effectivePrivilege(for: access)) else { return }
        // A write entry also serves the loads of a group sharing one probe with stores
        // (SystemSharedProbes.swift): the page must be readable as well (W without R is reserved
        // in PTEs and pmpcfg, but which way an implementation reads it is not for this to assume).
        if store {
            guard case .success = hart.translate(vaddr, access: .read),
                  hart.pmpAllows(page, length: 0x1000, access: .read, privilege: hart.effectivePrivilege(for: .read)) else { return }
        }
        let virtualPage = vaddr & ~0xFFF
        let slot = current * 2 * SystemTLB.entries + (store ? SystemTLB.entries : 0)
            + Int(truncatingIfNeeded: (vaddr >> 12) & UInt64(SystemTLB.entries - 1))
        if base[2 * slot] == SystemTLB.invalid, filledSlots[current] != nil {
            if filledSlots[current]!.count < SystemTLB.slotListLimit {
                filledSlots[current]!.append(Int32(slot))
            } else {
                filledSlots[current] = nil
            }
        }
        base[2 * slot] = virtualPage
        base[2 * slot + 1] = UInt64(UInt(bitPattern: host)) &- virtualPage
        let shift = hart.leafShift(vaddr, access: access)
        shifts[slot] = shift
        if shift > widest[current] { widest[current] = shift }
        filled[current] = true
        fills &+= 1
    }

    /// Forgets every write entry (a page became a code page).
    func flushWrites() {
        for set in 0..<SystemTLB.tableSets where filled[set] {
            if let slots = filledSlots[set] {
                let writes = set * 2 * SystemTLB.entries + SystemTLB.entries
                for slot in slots where slot >= writes { base[2 * Int(slot)] = SystemTLB.invalid }
                continue
            }
            let first = set * SystemTLB.setWords + 2 * SystemTLB.entries
            for k in stride(from: first, to: first + 2 * SystemTLB.entries, by: 2) { base[k] = SystemTLB.invalid }
        }
    }

    func clearIndirect() { for jump in jumps { jump.clear() } }
}

/// A system-mode jump cache: the `jalr` table translated code probes (virtual pc → host code of
/// the block that pc reaches now), with the slots in use and the leaf size of each entry's
/// page kept beside it, so that emptying it costs what was filled and `sfence.vma addr` drops
/// one leaf's entries.
final class SystemJumpCache {
    /// Empty entries hold 0 (entry 0: 2), so a fresh table is untouched zero pages: the four
    /// caches' 2 MiB used to be written at start-up, a few milliseconds of every short run.
    let table = IndirectTable(entries: IndirectTable.systemEntries, low: true, zeroIsEmpty: true)
    private var used: [Int] = []
    private static let slots = IndirectTable.systemEntries
    /// Per entry: log2 of the size of the leaf mapping its pc, the physical address its pc was
    /// fetched from, and for a block whose last instruction reaches into the next page that
    /// page's virtual address (`none` otherwise), physical page number and leaf size. Read only
    /// for the entries in `used`, which `insert` wrote, so they are never initialised whole
    /// (their pages stay untouched until used).
    private let shifts = UnsafeMutablePointer<UInt8>.allocate(capacity: slots)
    private let physical = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
    private let nextVirtual = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
    private let nextPhysical = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
    private let nextShifts = UnsafeMutablePointer<UInt8>.allocate(capacity: slots)
    private static let none = UInt64.max

    init() {}

    deinit {
        shifts.deallocate()
        physical.deallocate()
        nextVirtual.deallocate()
        nextPhysical.deallocate()
        nextShifts.deallocate()
    }

    /// Whether entry `i` is empty (IndirectTable's `emptyKey`: a key no pc indexing it equals).
    @inline(__always) private func isEmpty(_ i: Int) -> Bool { table.base[2 * i] == table.emptyKey(i) }

    /// The lowest and highest address of the leaves behind the entries: `sfence.vma` of an
    /// address outside them has nothing to drop here (a user page's flush, for the kernel's).
    private var low = UInt64.max
    private var high: UInt64 = 0

    /// Enters `pc` → `host`. A block that reaches into the next page (`next`: that page's
    /// virtual address, the physical page it was fetched from, its leaf size) stays only while
    /// both mappings do, so translated code may enter it without checking either.
    func insert(guest pc: UInt64, host: UInt64, physical address: UInt64, leafShift: UInt8,
                next: (virtual: UInt64, physicalPage: UInt64, leafShift: UInt8)? = nil) {
        let i = Int((pc >> 1) & UInt64(table.mask))
        if isEmpty(i) { used.append(i) }
        table.insert(guest: pc, host: host)
        physical[i] = address
        nextVirtual[i] = next?.virtual ?? SystemJumpCache.none
        nextPhysical[i] = next?.physicalPage ?? 0
        note(i, pc, leafShift, nextShift: next?.leafShift ?? 64)
    }

    private func cover(_ address: UInt64, _ shift: UInt8) {
        let span = shift >= 64 ? UInt64.max : (1 << UInt64(shift)) - 1
        low = min(low, address & ~span)
        high = max(high, address | span)
    }

    private func note(_ i: Int, _ pc: UInt64, _ leafShift: UInt8, nextShift: UInt8) {
        shifts[i] = leafShift
        cover(pc, leafShift)
        nextShifts[i] = nextShift
        if nextVirtual[i] != SystemJumpCache.none { cover(nextVirtual[i], nextShift) }
    }

    private func vacate(_ i: Int) {
        table.base[2 * i] = table.emptyKey(i)
        table.base[2 * i + 1] = 0
    }

    /// After a satp write or an `sfence.vma x0, asid` of the current space (S-mode's table):
    /// keeps the entries whose pages a fresh walk of the tables maps to the same physical
    /// addresses with nothing for the walk to write, and drops the others. The interpreter,
    /// which walks again, would fetch the same bytes; the kernel's entries survive a context
    /// switch (its mappings are shared by every process).
    func revalidate(_ hart: Hart) {
        low = .max
        high = 0
        var leaves: [(virtual: UInt64, shift: UInt8, physical: UInt64)] = []
        func walk(_ address: UInt64) -> (physical: UInt64, leafShift: UInt8)? {
            for leaf in leaves where (address ^ leaf.virtual) >> UInt64(leaf.shift) == 0 {
                return (leaf.physical | address & ((1 << UInt64(leaf.shift)) - 1), leaf.shift)
            }
            guard let walked = hart.peekSupervisorFetch(address) else { return nil }
            let mask = (UInt64(1) << UInt64(walked.leafShift)) - 1
            if leaves.count < 64 { leaves.append((address & ~mask, walked.leafShift, walked.physical & ~mask)) }
            return walked
        }
        retain { i, pc in
            guard let found = walk(pc), found.physical == physical[i] else { return false }
            var nextShift: UInt8 = 64
            if nextVirtual[i] != SystemJumpCache.none {
                guard let second = walk(nextVirtual[i]), second.physical >> 12 == nextPhysical[i] else { return false }
                nextShift = second.leafShift
            }
            note(i, pc, found.leafShift, nextShift: nextShift)
            return true
        }
    }

    /// Enters `block`, found or translated for `pc` (fetched from `physical`) just now.
    func insert(_ block: SystemBlock, pc: UInt64, physical: UInt64, _ hart: Hart) {
        let next = block.next.map { ($0.virtual, $0.physicalPage, hart.leafShift($0.virtual, access: .execute)) }
        insert(guest: pc, host: block.host, physical: physical, leafShift: hart.leafShift(pc, access: .execute), next: next)
    }

    /// The host code for `pc`, if the table holds it.
    func lookup(_ pc: UInt64) -> UInt64? {
        let i = Int((pc >> 1) & UInt64(table.mask))
        return table.base[2 * i] == pc && !isEmpty(i) ? table.base[2 * i + 1] : nil
    }

    func clear() {
        for i in used { vacate(i) }
        used.removeAll(keepingCapacity: true)
        low = .max
        high = 0
    }

    /// Drops the entries whose host code is one of `hosts`.
    func remove(leadingTo hosts: Set<UInt64>) {
        retain { i, _ in !hosts.contains(table.base[2 * i + 1]) }
    }

    func invalidate(_ address: UInt64) {
        guard address >= low, address <= high else { return }
        retain { i, pc in
            ((pc & ~0xFFF) ^ address) >> UInt64(shifts[i]) != 0
                && (nextVirtual[i] == SystemJumpCache.none || (nextVirtual[i] ^ address) >> UInt64(nextShifts[i]) != 0)
        }
    }

    /// Keeps the filled entries `keeps(index, pc)` accepts and vacates the others.
    private func retain(_ keeps: (Int, UInt64) -> Bool) {
        var kept = 0
        for i in used {
            if isEmpty(i) { continue }
            let pc = table.base[2 * i]
            guard keeps(i, pc) else { vacate(i); continue }
            used[kept] = i
            kept += 1
        }
        used.removeLast(used.count - kept)
    }
}

/// What identifies a block in the engine's table: the guest pc in user mode; in system mode the
/// virtual pc with the privilege level it was translated at folded into bits the pc cannot use
/// (a pc whose bits 63…57 are not all equal cannot be fetched in any mode, so it has no key).
enum BlockKey {
    static func key(_ pc: UInt64, mode: UInt8?) -> UInt64? {
        guard let mode else { return pc }
        let signed = Int64(bitPattern: pc)
        guard (signed << 6) >> 6 == signed else { return nil }
        return (pc & ((1 << 58) - 1)) | (UInt64(mode) + 1) << 59
    }
}

/// A system-mode block's identity: what its code means depends on the virtual pc (auipc, jumps),
/// the privilege (`BlockKey` folds both) and the bytes, found through the physical page.
struct SystemBlockKey: Hashable {
    var virtual: UInt64
    var physicalPage: UInt64

    /// One word into the hasher, not two: the dispatcher looks a key up at every exit, and the
    /// hashing was 4-5% of a Linux boot's CPU time (perf). The physical page of a given virtual
    /// pc rarely varies, so mixing it in by a multiply loses nothing that matters.
    func hash(into hasher: inout Hasher) {
        hasher.combine(virtual ^ physicalPage &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// A system-mode block: its host code and, when it reaches into the next page, that page's
/// virtual address and the physical page it was fetched from.
struct SystemBlock {
    var host: UInt64
    var next: (virtual: UInt64, physicalPage: UInt64)? = nil

    /// Whether the mapping of the next page still is the one the block was fetched through.
    func valid(_ hart: Hart) -> Bool {
        guard let next else { return true }
        return hart.codePhysicalAddress(next.virtual).map { $0 >> 12 } == next.physicalPage
    }
}
