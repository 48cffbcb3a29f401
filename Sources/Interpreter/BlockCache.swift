import Guest
import RISCV

/// The interpreter's predecoded blocks, keyed by guest pc (and, in system mode, by the privilege
/// level the pc was translated at).
///
/// Blocks and their instructions live in fixed arenas (no Swift arrays, so no copy-on-write or
/// ARC in the loop); a direct-mapped table finds a block in a few instructions, with a dictionary
/// behind it for blocks whose table slot another block took. When an arena fills, or the
/// memory's `codeGeneration` moves (fence.i, executable pages unmapped or reprotected), everything
/// is dropped and predecoded again on demand. System mode adds its own generation (translation
/// changes, stores to code pages) and records the physical pages blocks came from in `codePages`.
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

    func flush() {
        blockCount = 0
        arenaUsed = 0
        overflow.removeAll(keepingCapacity: true)
        table.update(repeating: -1, count: BlockCache.tableSize)
        codePages?.removeAll()
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
        if blockCount == BlockCache.maxBlocks || arenaUsed + BlockCache.maxLength > BlockCache.arenaSize {
            flush()
        }
        let index = Int32(blockCount)
        blocks[blockCount] = predecode(pc, mode: mode, into: arena + arenaUsed, hart)
        arenaUsed += blocks[blockCount].count
        blockCount += 1
        overflow[key] = index
        table[slot] = index
        return blocks + Int(index)
    }

    /// Fetches and decodes from `pc` until an instruction ends the block, the next instruction
    /// starts on another page, or the block is full.
    private func predecode(_ pc: UInt64, mode: UInt8, into storage: UnsafeMutablePointer<Instruction>, _ hart: Hart) -> Block {
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
        if let codePages, block.count > 0 {
            // The first parcel's page, and the next one when the last instruction straddles it.
            codePages.insert(hart.codePhysicalAddress(pc))
            codePages.insert(hart.codePhysicalAddress(address &- 2))
        }
        return block
    }
}
