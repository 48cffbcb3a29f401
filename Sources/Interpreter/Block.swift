import Guest
import RISCV

/// A predecoded basic block: the instructions from `pc` up to and including the first that ends
/// a block, stopping before the next page or at `BlockCache.maxLength`.
struct Block {
    var pc: UInt64
    /// The privilege level it was predecoded for (system mode: translation depends on it; always
    /// 0 in user mode).
    var mode: UInt8
    var instructions: UnsafeMutablePointer<Instruction>
    var count: Int
    /// An exception raised after the instructions have run: fetching or decoding the next one
    /// failed (access fault, illegal instruction, misaligned pc). Recorded rather than raised at
    /// predecode time, so the instructions before it still execute first.
    var endTrap: GuestTrap?
    /// System mode: the physical page (address >> 12) the instructions were fetched from, which
    /// the block is checked against before it runs (`CodePages.noPage`: predecode it again
    /// first); and the page of the last instruction's second half when it straddles a page
    /// (`CodePages.noPage` when it does not).
    var physicalPage: UInt64 = 0
    var secondPage: UInt64 = 0
}
