import Guest

/// What the system-mode interpreter shares between its data memory, its block cache and its
/// loop, in raw memory so the hot path touches no class: a small data TLB, a small fetch TLB,
/// the physical pages (and byte ranges) blocks were predecoded from, the blocks a store to code
/// made stale, and an attention flag that asks the loop to look for interrupts and stops at once.
///
/// The data TLB maps a virtual page straight to host memory for RAM pages that translation, PMP
/// (for the whole page) and, for stores, code tracking allow. The fetch TLB maps a virtual page
/// to the physical page instructions come from, for pages execution at the current privilege
/// may reach whole (translation and PMP); the block cache checks every block against it, so
/// blocks survive `satp` writes and `sfence.vma` and are predecoded again only when their page
/// now translates elsewhere. Both TLBs are valid only while privilege, mstatus, satp and PMP
/// stay as they were: the loop flushes them (one increment) after every system instruction,
/// trap and interrupt, which is where those change.
final class CodePages {
    struct Entry {
        var virtualPage: UInt64 = 0
        /// Host address of the page's first byte.
        var host: UnsafeMutableRawPointer? = nil
        var epoch: UInt64 = 0
    }

    struct FetchEntry {
        var virtualPage: UInt64 = 0
        var physicalPage: UInt64 = 0
        var epoch: UInt64 = 0
    }

    /// The blocks predecoded from one physical page and the bytes they cover.
    struct PageCode {
        var low: Int
        var high: Int
        var blocks: [Int32]
    }

    static let entries = 256
    /// Marks a block that must be predecoded again before it runs (`Block.physicalPage`).
    static let noPage = UInt64.max
    /// Data TLB entries: `entries` for loads, then `entries` for stores.
    let table: UnsafeMutablePointer<Entry>
    let fetchTable: UnsafeMutablePointer<FetchEntry>
    /// [0] TLB epoch, [1] stale blocks waiting to be dropped, [2] attention flag, [3] data TLB
    /// fills, [4] fetch TLB fills, [5] blocks dropped because code was stored to.
    let words: UnsafeMutablePointer<UInt64>
    private var pages: [UInt64: PageCode] = [:]
    /// Blocks a store to their bytes made stale, for the block cache to drop before the next lookup.
    private(set) var stale: [Int32] = []

    init() {
        table = .allocate(capacity: 2 * CodePages.entries)
        table.initialize(repeating: Entry(), count: 2 * CodePages.entries)
        fetchTable = .allocate(capacity: CodePages.entries)
        fetchTable.initialize(repeating: FetchEntry(), count: CodePages.entries)
        words = .allocate(capacity: 6)
        words.initialize(repeating: 0, count: 6)
        words[0] = 1
    }

    deinit {
        table.deallocate()
        fetchTable.deallocate()
        words.deallocate()
    }

    var attention: Bool {
        get { words[2] != 0 }
        set { words[2] = newValue ? 1 : 0 }
    }
    var dataFills: UInt64 { words[3] }
    var fetchFills: UInt64 { words[4] }
    var codeStores: UInt64 { words[5] }
    @inline(__always) var staleWaiting: Bool { words[1] != 0 }

    /// Forgets every data and fetch TLB entry.
    @inline(__always) func flushData() { words[0] &+= 1 }

    /// The physical page execution at `pc` reads now, or nil if fetching there faults (or PMP
    /// does not let execution reach the whole page, which the fetch TLB cannot vouch for).
    @inline(__always) func codePage(_ pc: UInt64, _ hart: Hart) -> UInt64? {
        let page = pc >> 12
        let entry = fetchTable[Int(truncatingIfNeeded: page) & (CodePages.entries - 1)]
        if entry.epoch == words[0] && entry.virtualPage == page { return entry.physicalPage }
        return fillFetch(pc, hart)
    }

    @inline(never)
    private func fillFetch(_ pc: UInt64, _ hart: Hart) -> UInt64? {
        guard case .success(let physical) = hart.translate(pc, access: .execute, length: 2) else { return nil }
        let page = physical & ~0xFFF
        guard hart.platform?.bus.ram(page, 0x1000) != nil,
              hart.pmpAllows(page, length: 0x1000, access: .execute, privilege: hart.privilege) else { return nil }
        fetchTable[Int(truncatingIfNeeded: pc >> 12) & (CodePages.entries - 1)] =
            FetchEntry(virtualPage: pc >> 12, physicalPage: physical >> 12, epoch: words[0])
        words[4] &+= 1
        return physical >> 12
    }

    /// Records that block `index` was predecoded from bytes `[physical, physical + length)` (one
    /// page): stores there from now on go the slow way and make the block stale (and the data
    /// TLB forgets stores it may have allowed to a page that now holds code).
    func insert(_ physical: UInt64, length: Int, block index: Int32) {
        let page = physical >> 12, low = Int(physical & 0xFFF)
        if var code = pages[page] {
            code.low = min(code.low, low)
            code.high = max(code.high, low + length)
            code.blocks.append(index)
            pages[page] = code
        } else {
            pages[page] = PageCode(low: low, high: low + length, blocks: [index])
            flushData()
        }
    }

    @inline(__always) func contains(_ physicalPage: UInt64) -> Bool { pages[physicalPage] != nil }

    /// A store of `size` bytes at `physical` (one page) reached a page holding code. If it
    /// overlaps the bytes blocks were predecoded from, every block of the page becomes stale and
    /// the page stops being a code page; a store beside them (data sharing a page with code)
    /// changes nothing.
    func stored(_ physical: UInt64, _ size: Int) {
        let page = physical >> 12, low = Int(physical & 0xFFF)
        guard let code = pages[page], low < code.high, low + size > code.low else { return }
        pages[page] = nil
        stale.append(contentsOf: code.blocks)
        words[1] = 1
        words[5] &+= UInt64(code.blocks.count)
    }

    /// RAM page `page` was written behind the hart's back and `fence.i` came: its blocks become
    /// stale (dropped before the next lookup) and it stops being a code page. Returns how many.
    func drop(page: UInt64) -> Int {
        guard let code = pages.removeValue(forKey: page) else { return 0 }
        stale.append(contentsOf: code.blocks)
        words[1] = 1
        return code.blocks.count
    }

    /// The blocks of page `page` were dropped by their owner (a JIT at fence.i): the page is
    /// no longer code.
    func remove(page: UInt64) { pages[page] = nil }

    /// The block cache dropped the stale blocks.
    func staleDropped() {
        stale.removeAll(keepingCapacity: true)
        words[1] = 0
    }

    /// The blocks were dropped: no page holds code any more.
    func removeAll() {
        if !pages.isEmpty { pages.removeAll(keepingCapacity: true) }
        staleDropped()
    }
}

/// System mode's data memory for the interpreter: virtual addresses through the data TLB, or on
/// a miss through the MMU (`Hart.translate`: page walk, A/D, SUM/MXR/MPRV, PMP) to RAM or a
/// device register on the physical bus. Faults are exact: page faults and access faults with
/// the virtual address of the failing part of the access as tval; an access that crosses a page
/// is checked on both pages before any byte moves. Misaligned accesses to RAM work; to a device
/// they are access faults (the bus answers only aligned register accesses).
@usableFromInline
struct SystemMemory: DataMemory {
    unowned(unsafe) let hart: Hart
    unowned(unsafe) let shared: CodePages
    let table: UnsafeMutablePointer<CodePages.Entry>
    let words: UnsafeMutablePointer<UInt64>

    init(_ hart: Hart, _ shared: CodePages) {
        self.hart = hart
        self.shared = shared
        table = shared.table
        words = shared.words
    }

    /// The host address of a RAM access wholly inside one page, if the data TLB has the page.
    @inline(__always) func hit(_ address: UInt64, _ size: Int, write: Bool) -> UnsafeMutableRawPointer? {
        let page = address >> 12
        guard (address & 0xFFF) &+ UInt64(size) <= 0x1000 else { return nil }
        let entry = table[(write ? CodePages.entries : 0) &+ Int(truncatingIfNeeded: page) & (CodePages.entries - 1)]
        guard entry.epoch == words[0], entry.virtualPage == page, let host = entry.host else { return nil }
        return host + Int(address & 0xFFF)
    }

    @usableFromInline @inline(__always)
    func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) throws(DataFault) -> T {
        if let p = hit(address, MemoryLayout<T>.size, write: false) { return UnsafeRawPointer(p).loadUnaligned(as: T.self) }
        return T(truncatingIfNeeded: try slowLoad(address, MemoryLayout<T>.size))
    }

    @usableFromInline @inline(__always)
    func store<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(DataFault) {
        if let p = hit(address, MemoryLayout<T>.size, write: true) { p.storeBytes(of: value, as: T.self); return }
        try slowStore(address, MemoryLayout<T>.size, UInt64(truncatingIfNeeded: value))
    }

    @usableFromInline @inline(__always)
    func modify<T: FixedWidthInteger>(_ address: UInt64, as: T.Type, _ update: (T) -> T) throws(DataFault) -> T {
        // An AMO needs read and write permission and faults as a store; the store path checks
        // both (the address is aligned, so one page).
        let size = MemoryLayout<T>.size
        if let p = hit(address, size, write: true) {
            let old = UnsafeRawPointer(p).loadUnaligned(as: T.self)
            p.storeBytes(of: update(old), as: T.self)
            return old
        }
        let target = try physical(address, size, .write, readToo: true)
        let old: T
        if let p = hart.platform?.bus.ram(target, UInt64(size)), hart.platform?.bus.ramWritable(target, UInt64(size)) == true {
            if shared.contains(target >> 12) { shared.stored(target, size) }
            old = UnsafeRawPointer(p).loadUnaligned(as: T.self)
            p.storeBytes(of: update(old), as: T.self)
        } else {
            old = T(truncatingIfNeeded: try device(target, size, .write, faultAt: address))
            try writeDevice(target, size, UInt64(truncatingIfNeeded: update(old)), faultAt: address)
        }
        return old
    }

    @usableFromInline func compareExchange128(_ address: UInt64, expected: (UInt64, UInt64),
                            desired: (UInt64, UInt64)) throws(DataFault) -> (UInt64, UInt64) {
        if let p = hit(address, 16, write: true) {
            return HostAtomic.compareExchange128(p, expected: expected, desired: desired)
        }
        let target = try physical(address, 16, .write, readToo: true)
        guard let bus = hart.platform?.bus, let p = bus.ram(target, 16), bus.ramWritable(target, 16) else {
            throw DataFault(.storeAccessFault, tval: address)
        }
        if shared.contains(target >> 12) { shared.stored(target, 16) }
        return HostAtomic.compareExchange128(p, expected: expected, desired: desired)
    }

    // MARK: The slow path

    /// Loads `size` bytes at `address` (any alignment) after translating every page it touches.
    @inline(never)
    func slowLoad(_ address: UInt64, _ size: Int) throws(DataFault) -> UInt64 {
        let offset = Int(address & 0xFFF)
        if offset + size <= 0x1000 {
            let target = try physical(address, size, .read)
            if let bus = hart.platform?.bus, let p = bus.ram(target, UInt64(size)) {
                fill(address, target, write: false)
                return Self.read(p, size)
            }
            return try device(target, size, .read, faultAt: address)
        }
        // Crossing a page: both halves are translated (in address order) before either is read.
        let first = 0x1000 - offset
        let second = address &+ UInt64(first)
        let a = try physical(address, first, .read), b = try physical(second, size - first, .read)
        guard let bus = hart.platform?.bus, let pa = bus.ram(a, UInt64(first)) else { throw DataFault(.loadAccessFault, tval: address) }
        guard let pb = bus.ram(b, UInt64(size - first)) else { throw DataFault(.loadAccessFault, tval: second) }
        var value: UInt64 = 0
        for i in 0..<size {
            let byte = i < first ? pa.load(fromByteOffset: i, as: UInt8.self) : pb.load(fromByteOffset: i - first, as: UInt8.self)
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return value
    }

    @inline(never)
    func slowStore(_ address: UInt64, _ size: Int, _ value: UInt64) throws(DataFault) {
        let offset = Int(address & 0xFFF)
        guard let bus = hart.platform?.bus else { throw DataFault(.storeAccessFault, tval: address) }
        if offset + size <= 0x1000 {
            let target = try physical(address, size, .write)
            if let p = bus.ram(target, UInt64(size)), bus.ramWritable(target, UInt64(size)) {
                if shared.contains(target >> 12) { shared.stored(target, size) } else { fill(address, target, write: true) }
                Self.write(p, size, value)
                return
            }
            return try writeDevice(target, size, value, faultAt: address)
        }
        let first = 0x1000 - offset
        let second = address &+ UInt64(first)
        let a = try physical(address, first, .write), b = try physical(second, size - first, .write)
        guard let pa = bus.ram(a, UInt64(first)), bus.ramWritable(a, UInt64(first)) else { throw DataFault(.storeAccessFault, tval: address) }
        guard let pb = bus.ram(b, UInt64(size - first)), bus.ramWritable(b, UInt64(size - first)) else { throw DataFault(.storeAccessFault, tval: second) }
        if shared.contains(a >> 12) { shared.stored(a, first) }
        if shared.contains(b >> 12) { shared.stored(b, size - first) }
        for i in 0..<size {
            let byte = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
            if i < first { pa.storeBytes(of: byte, toByteOffset: i, as: UInt8.self) } else { pb.storeBytes(of: byte, toByteOffset: i - first, as: UInt8.self) }
        }
    }

    /// The physical address of `[address, address + size)` (one page), or the fault.
    func physical(_ address: UInt64, _ size: Int, _ access: MemoryFault.Access, readToo: Bool = false) throws(DataFault) -> UInt64 {
        switch hart.translate(address, access: access, length: UInt64(size)) {
        case .success(let target):
            if readToo, !hart.pmpAllows(target, length: UInt64(size), access: .read, privilege: hart.effectivePrivilege(for: .read)) {
                throw DataFault(.storeAccessFault, tval: address)
            }
            return target
        case .failure(let trap):
            throw DataFault(trap.cause, tval: address)
        }
    }

    /// Puts the page in the data TLB when all of it is RAM that PMP lets this access reach.
    func fill(_ address: UInt64, _ target: UInt64, write: Bool) {
        guard let bus = hart.platform?.bus else { return }
        let page = target & ~0xFFF
        let access: MemoryFault.Access = write ? .write : .read
        guard let host = bus.ram(page, 0x1000), !write || bus.ramWritable(page, 0x1000),
              hart.pmpAllows(page, length: 0x1000, access: access, privilege: hart.effectivePrivilege(for: access)) else { return }
        let vpage = address >> 12
        table[(write ? CodePages.entries : 0) &+ Int(truncatingIfNeeded: vpage) & (CodePages.entries - 1)] =
            CodePages.Entry(virtualPage: vpage, host: host, epoch: words[0])
        words[3] &+= 1
    }

    /// A device register read; the loop looks at interrupt lines and stop requests next.
    func device(_ target: UInt64, _ size: Int, _ access: MemoryFault.Access, faultAt address: UInt64) throws(DataFault) -> UInt64 {
        shared.attention = true
        guard let value = hart.platform?.bus.read(target, width: size) else {
            throw DataFault(access == .read ? .loadAccessFault : .storeAccessFault, tval: address)
        }
        return value
    }

    func writeDevice(_ target: UInt64, _ size: Int, _ value: UInt64, faultAt address: UInt64) throws(DataFault) {
        shared.attention = true
        guard hart.platform?.bus.write(target, width: size, value: value) == true else {
            throw DataFault(.storeAccessFault, tval: address)
        }
    }

    static func read(_ p: UnsafeMutableRawPointer, _ size: Int) -> UInt64 {
        switch size {
        case 1: UInt64(p.load(as: UInt8.self))
        case 2: UInt64(p.loadUnaligned(as: UInt16.self))
        case 4: UInt64(p.loadUnaligned(as: UInt32.self))
        default: p.loadUnaligned(as: UInt64.self)
        }
    }

    static func write(_ p: UnsafeMutableRawPointer, _ size: Int, _ value: UInt64) {
        switch size {
        case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
        case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
        default: p.storeBytes(of: value, as: UInt64.self)
        }
    }
}
