/// The hart's software TLB: for each access kind (read, write, execute) a direct-mapped table of
/// 4 KiB-page translations tagged with the ASID and the global bit. A superpage is cached one
/// 4 KiB piece at a time; every piece remembers the leaf's size so `sfence.vma addr` drops all of
/// them. Entries keep the leaf PTE's permission bits, checked again on every hit, because
/// privilege, SUM, MXR and MPRV change without a fence.
///
/// Public entry points: `flushAll()`, `flush(address:asid:)`, `flush(asid:)` (what sfence.vma
/// and satp/PMP writes call), and the counters `hits`, `fills`, `flushes` for `--stats`.
public final class TLB: @unchecked Sendable {
    public static let entriesPerKind = 256

    struct Entry {
        /// Virtual page number (vaddr >> 12) this entry translates.
        var virtualPage: UInt64 = 0
        /// Physical address of that 4 KiB page.
        var physicalPage: UInt64 = 0
        /// log2 of the leaf's page size: 12, 21, 30, 39 or 48.
        var leafShift: UInt8 = 12
        /// The leaf PTE's bits 7:0 (V R W X U G A D), G set too when a parent PTE was global.
        var flags: UInt8 = 0
        var asid: UInt16 = 0
        /// Valid only while equal to the TLB's epoch, so flushing everything is one increment.
        var epoch: UInt32 = 0
    }

    private let table: UnsafeMutableBufferPointer<Entry>
    private var epoch: UInt32 = 1

    /// Lookups that found a translation, walks that filled an entry, flush operations.
    public private(set) var hits: UInt64 = 0
    public private(set) var fills: UInt64 = 0
    public private(set) var flushes: UInt64 = 0

    public init() {
        table = .allocate(capacity: 3 * TLB.entriesPerKind)
        table.initialize(repeating: Entry())
    }

    deinit { table.deallocate() }

    @inline(__always) private func slot(_ virtualPage: UInt64, _ access: MemoryFault.Access) -> Int {
        let kind = switch access {
        case .read: 0
        case .write: 1
        case .execute: 2
        }
        return kind &* TLB.entriesPerKind &+ Int(truncatingIfNeeded: virtualPage) & (TLB.entriesPerKind - 1)
    }

    func lookup(_ virtualPage: UInt64, _ access: MemoryFault.Access, asid: UInt16) -> Entry? {
        let entry = table[slot(virtualPage, access)]
        guard entry.epoch == epoch, entry.virtualPage == virtualPage,
              entry.asid == asid || entry.flags & PTE.g != 0 else { return nil }
        hits &+= 1
        return entry
    }

    func fill(_ entry: Entry, _ access: MemoryFault.Access) {
        var entry = entry
        entry.epoch = epoch
        table[slot(entry.virtualPage, access)] = entry
        fills &+= 1
        if entry.leafShift > 12 {
            let span = entry.leafShift >= 64 ? UInt64.max : (UInt64(1) << UInt64(entry.leafShift)) - 1
            let address = entry.virtualPage << 12
            bigLow = min(bigLow, address & ~span)
            bigHigh = max(bigHigh, address | span)
        }
    }

    /// The lowest and highest address of the superpage leaves entries were filled from since
    /// everything was last flushed: `sfence.vma addr` of an address outside them (a user page,
    /// while the superpages are the kernel's) can only hit the 4 KiB entries of its own page,
    /// one slot per kind, instead of every slot.
    private var bigLow = UInt64.max
    private var bigHigh: UInt64 = 0

    /// What one flush covered, for an engine that keeps translations of its own (the JIT's
    /// inline TLB and jump caches) and wants to drop no more than the hart did.
    public enum Flush: Equatable, Sendable {
        /// Every translation (sfence.vma x0, x0; satp and PMP writes).
        case all
        /// The leaf mapping `address`, in every address space or one (sfence.vma addr[, asid]).
        case address(UInt64)
        /// Every non-global translation of one address space (sfence.vma x0, asid).
        case asid(UInt16)
        /// Every translation, because satp changed (`switchAddressSpace`): an engine may keep
        /// what a walk of the new tables would give again (JIT jump caches, SystemTLB.swift).
        case addressSpace
    }

    /// The flushes since the last `takeFlushes`, oldest first; past `journalLimit` of them the
    /// journal says `.all` instead.
    private var journal: [Flush] = []
    static let journalLimit = 64

    private func record(_ flush: Flush) {
        if journal.first == .all { return }
        if flush == .all || journal.count >= TLB.journalLimit {
            journal.removeAll(keepingCapacity: true)
            journal.append(.all)
        } else {
            journal.append(flush)
        }
    }

    /// The flushes since the last call (or since the TLB was made), oldest first; empties the
    /// journal. A journal nobody takes stays bounded (it collapses into `.all`).
    public func takeFlushes() -> [Flush] {
        defer { journal.removeAll(keepingCapacity: true) }
        return journal
    }

    /// log2 of the size of the leaf the cached translation of `vaddr` for `access` came from,
    /// without counting a hit; nil if the TLB does not hold it.
    func leafShift(_ vaddr: UInt64, _ access: MemoryFault.Access, asid: UInt16) -> UInt8? {
        let page = vaddr >> 12
        let entry = table[slot(page, access)]
        guard entry.epoch == epoch, entry.virtualPage == page,
              entry.asid == asid || entry.flags & PTE.g != 0 else { return nil }
        return entry.leafShift
    }

    /// Drops every translation (sfence.vma x0, x0; satp and PMP changes).
    public func flushAll() {
        flushes &+= 1
        record(.all)
        epoch &+= 1
        bigLow = .max
        bigHigh = 0
        // After 2^32 flushes an old entry's epoch could match again: clear them all once.
        if epoch == 0 {
            for i in table.indices { table[i].epoch = 0 }
            epoch = 1
        }
    }

    /// A satp write: drops every translation like `flushAll`, journaled as `.addressSpace`.
    public func switchAddressSpace() {
        let everything = journal.first == .all
        flushAll() // leaves the journal [.all]: what came before is covered
        if !everything { journal[0] = .addressSpace }
    }

    /// sfence.vma addr: the translations of the leaf that maps `address`, for all address spaces
    /// (asid nil) or, leaving global ones, for one ASID.
    public func flush(address: UInt64, asid: UInt16?) {
        flushes &+= 1
        record(.address(address))
        if address < bigLow || address > bigHigh {
            let page = address >> 12
            func drop(_ access: MemoryFault.Access) {
                let i = slot(page, access)
                guard table[i].epoch == epoch, table[i].virtualPage == page else { return }
                if let asid, table[i].asid != asid || table[i].flags & PTE.g != 0 { return }
                table[i].epoch = 0
            }
            drop(.read)
            drop(.write)
            drop(.execute)
            return
        }
        for i in table.indices where table[i].epoch == epoch {
            let entry = table[i]
            guard (entry.virtualPage << 12 ^ address) >> UInt64(entry.leafShift) == 0 else { continue }
            if let asid, entry.asid != asid || entry.flags & PTE.g != 0 { continue }
            table[i].epoch = 0
        }
    }

    /// sfence.vma x0, asid: every non-global translation of one address space.
    public func flush(asid: UInt16) {
        flushes &+= 1
        record(.asid(asid))
        for i in table.indices where table[i].epoch == epoch && table[i].asid == asid && table[i].flags & PTE.g == 0 {
            table[i].epoch = 0
        }
    }
}

/// Page-table entry bits (Sv39/48/57).
enum PTE {
    static let v: UInt8 = 1 << 0, r: UInt8 = 1 << 1, w: UInt8 = 1 << 2, x: UInt8 = 1 << 3
    static let u: UInt8 = 1 << 4, g: UInt8 = 1 << 5, a: UInt8 = 1 << 6, d: UInt8 = 1 << 7
    /// Bits 63:54 (N, PBMT and the reserved bits): this hart implements none of them.
    static let reserved: UInt64 = 0x3FF << 54
    @inline(__always) static func ppn(_ pte: UInt64) -> UInt64 { pte >> 10 & (1 << 44 - 1) }
}
