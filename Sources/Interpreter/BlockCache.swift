import Guest
import RISCV

/// The interpreter's predecoded blocks, keyed by guest pc (and, in system mode, by the privilege
/// level the pc was translated at).
///
/// Blocks and their instructions live in fixed arenas (no Swift arrays, so no copy-on-write or
/// ARC in the loop); a direct-mapped table finds a block in a few instructions, with a dictionary
/// behind it for blocks whose table slot another block took. When an arena fills, or the
/// memory's `codeGeneration` moves (fence.i, executable pages unmapped or reprotected), everything
/// is dropped and predecoded again on demand. System mode keys blocks by virtual pc and
/// privilege, records the physical bytes each came from in `codePages`, checks before running a
/// block that its virtual page still translates to the same physical page (a stale one is
/// predecoded again: translation changes cost nothing until they matter), and drops only the
/// blocks a store overwrote.
final class BlockCache {
    static let maxLength = 64
    static let maxBlocks = 1 << 15
    static let arenaSize = 1 << 18
    static let tableSize = 1 << 14

    private let blocks = UnsafeMutablePointer<Block>.allocate(capacity: BlockCache.maxBlocks)
    private let arena = UnsafeMutablePointer<Instruction>.allocate(capacity: BlockCache.arenaSize)
    private let table = UnsafeMutablePointer<Int32>.allocate(capacity: BlockCache.tableSize)
    private var blockCount = 0
    private var arenaUsed = 0
    private var overflow: [Key: Int32] = [:]
    struct Key: Hashable { var pc: UInt64, mode: UInt8 }
    /// System mode: the physical pages code was predecoded from (nil in user mode).
    var codePages: CodePages?
    private var generation: UInt64 = 0
    /// Held strongly, so a later memory can never reuse its identity while blocks from it remain.
    private var memory: GuestMemory?
    private let decoder: (UInt32) -> Instruction?

    init(decoder: @escaping (UInt32) -> Instruction?) {
        self.decoder = decoder
        table.initialize(repeating: -1, count: BlockCache.tableSize)
    }

    deinit {
        blocks.deallocate()
        arena.deallocate()
        table.deallocate()
    }

    /// Drops every block if `memory` is not the one they came from or its code changed.
    @inline(__always) func validate(_ memory: GuestMemory, extra: UInt64 = 0) {
        let current = memory.codeGeneration &+ extra
        if current != generation || memory !== self.memory {
            flush()
            generation = current
            self.memory = memory
        }
    }

    /// System mode: like `validate`, but a move of `codeGeneration` (`fence.i`) drops only the
    /// blocks on pages RAM was written on behind the hart's back since the last one (`written`:
    /// device DMA, page-walk A/D updates, HTIF, image loading). The hart's own stores to code
    /// already made their blocks stale (`CodePages.stored`), so that is all `fence.i` owes, as in
    /// the JIT (JIT.fenceInstructions). Without a log, or past its capacity, everything goes.
    @inline(__always) func validate(_ memory: GuestMemory, written: RAMWriteLog?) {
        let current = memory.codeGeneration
        guard current != generation || memory !== self.memory else { return }
        fenced(memory, current, written)
    }

    @inline(never)
    private func fenced(_ memory: GuestMemory, _ current: UInt64, _ written: RAMWriteLog?) {
        defer {
            generation = current
            self.memory = memory
        }
        guard memory === self.memory, let written, let codePages else {
            flush()
            written?.discard() // nothing predecoded yet saw those writes
            return
        }
        let log = written.take()
        if log.everything { flush(); return }
        for page in log.pages { fencePagesDropped &+= UInt64(codePages.drop(page: page)) }
    }

    /// Blocks `fence.i` dropped because RAM under them was written behind the hart's back.
    private(set) var fencePagesDropped: UInt64 = 0

    func flush() {
        blockCount = 0
        arenaUsed = 0
        overflow.removeAll(keepingCapacity: true)
        table.update(repeating: -1, count: BlockCache.tableSize)
        codePages?.removeAll()
    }

    /// System mode: the block at `pc` for privilege `mode`, if its page still translates to the
    /// physical page it was predecoded from; otherwise predecoded again. Call `validate` and
    /// `dropStale` first.
    @inline(__always) func block(at pc: UInt64, mode: UInt8, _ hart: Hart, _ pages: CodePages) -> UnsafeMutablePointer<Block> {
        let slot = Int(truncatingIfNeeded: (pc >> 1) & UInt64(BlockCache.tableSize - 1))
        let index = table[slot]
        if index >= 0 {
            let block = blocks + Int(index)
            if block.pointee.pc == pc && block.pointee.mode == mode && current(block, hart, pages) { return block }
        }
        return systemMiss(pc, mode: mode, slot: slot, hart, pages)
    }

    /// Whether the block's pages still translate (for execution now) to where it came from.
    @inline(__always) private func current(_ block: UnsafeMutablePointer<Block>, _ hart: Hart, _ pages: CodePages) -> Bool {
        guard let page = pages.codePage(block.pointee.pc, hart), page == block.pointee.physicalPage else { return false }
        let second = block.pointee.secondPage
        return second == CodePages.noPage || pages.codePage((block.pointee.pc | 0xFFF) &+ 1, hart) == second
    }

    @inline(never)
    private func systemMiss(_ pc: UInt64, mode: UInt8, slot: Int, _ hart: Hart, _ pages: CodePages) -> UnsafeMutablePointer<Block> {
        let key = Key(pc: pc, mode: mode)
        if let index = overflow[key], current(blocks + Int(index), hart, pages) {
            table[slot] = index
            return blocks + Int(index)
        }
        return insert(key, slot: slot, hart)
    }

    /// Drops the blocks stores made stale (`codePages.stale`).
    func dropStale() {
        guard let codePages else { return }
        for index in codePages.stale {
            let block = blocks[Int(index)]
            let key = Key(pc: block.pc, mode: block.mode)
            if overflow[key] == index { overflow[key] = nil }
            blocks[Int(index)].pc = .max  // odd: no lookup matches it
        }
        codePages.staleDropped()
    }

    /// The block at `pc`, predecoding it from `hart`'s instruction fetch on a miss. Call
    /// `validate` first.
    @inline(__always) func block(at pc: UInt64, mode: UInt8 = 0, _ hart: Hart) -> UnsafeMutablePointer<Block> {
        let slot = Int(truncatingIfNeeded: (pc >> 1) & UInt64(BlockCache.tableSize - 1))
        let index = table[slot]
        if index >= 0 && blocks[Int(index)].pc == pc && blocks[Int(index)].mode == mode { return blocks + Int(index) }
        return miss(pc, mode: mode, slot: slot, hart)
    }

    @inline(never)
    private func miss(_ pc: UInt64, mode: UInt8, slot: Int, _ hart: Hart) -> UnsafeMutablePointer<Block> {
        let key = Key(pc: pc, mode: mode)
        if let index = overflow[key] {
            table[slot] = index
            return blocks + Int(index)
        }
        return insert(key, slot: slot, hart)
    }

    /// Predecodes the block for `key` into the arenas (dropping everything first when they are
    /// full) and makes it the one `key` and `slot` find.
    private func insert(_ key: Key, slot: Int, _ hart: Hart) -> UnsafeMutablePointer<Block> {
        if blockCount == BlockCache.maxBlocks || arenaUsed + BlockCache.maxLength > BlockCache.arenaSize {
            flush()
        }
        let index = Int32(blockCount)
        blocks[blockCount] = predecode(key.pc, mode: key.mode, index: index, into: arena + arenaUsed, hart)
        arenaUsed += blocks[blockCount].count
        blockCount += 1
        overflow[key] = index
        table[slot] = index
        return blocks + Int(index)
    }

    /// Fetches and decodes from `pc` until an instruction ends the block, the next instruction
    /// starts on another page, or the block is full.
    private func predecode(_ pc: UInt64, mode: UInt8, index: Int32, into storage: UnsafeMutablePointer<Instruction>,
                           _ hart: Hart) -> Block {
        var block = Block(pc: pc, mode: mode, instructions: storage, count: 0, endTrap: nil)
        var address = pc
        let page = pc >> GuestMemory.pageShift
        while block.count < BlockCache.maxLength && address >> GuestMemory.pageShift == page {
            let inst: Instruction
            do {
                inst = try hart.fetchInstruction(address, decoder: decoder)
            } catch {
                block.endTrap = error
                break
            }
            storage[block.count] = inst
            block.count += 1
            address &+= UInt64(inst.length)
            // Control transfers and system instructions (which may change pc, counters or code).
            if inst.opcode.info.endsBlock { break }
        }
        if let codePages { record(&block, end: address, index: index, codePages, hart) }
        return block
    }

    /// System mode: where the block's bytes `[block.pc, end)` are in physical memory, for the
    /// check before it runs and for stores to them. A block that ends in a trap is predecoded
    /// again each time it runs (the fault may be gone once the guest's handler mapped the page).
    private func record(_ block: inout Block, end: UInt64, index: Int32, _ codePages: CodePages, _ hart: Hart) {
        let pc = block.pc
        let pageEnd = (pc | 0xFFF) &+ 1
        block.physicalPage = CodePages.noPage
        block.secondPage = CodePages.noPage
        guard block.count > 0, let first = hart.codePhysicalAddress(pc) else { return }
        codePages.insert(first, length: Int(min(end, pageEnd) &- pc), block: index)
        var runnable = block.endTrap == nil
        if end > pageEnd {
            // The last instruction straddles the page: its second half is on the next one.
            guard let second = hart.codePhysicalAddress(pageEnd) else { return }
            codePages.insert(second, length: Int(end &- pageEnd), block: index)
            if runnable, let page = codePages.codePage(pageEnd, hart) { block.secondPage = page } else { runnable = false }
        }
        if runnable { block.physicalPage = codePages.codePage(pc, hart) ?? CodePages.noPage }
    }
}
