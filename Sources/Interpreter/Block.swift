import Guest
import RISCV

/// A predecoded basic block: the instructions from `pc` up to and including the first that ends
/// a block, stopping before the next page or at `BlockCache.maxLength`.
struct Block {
    var pc: UInt64
    var instructions: UnsafeMutablePointer<Instruction>
    var count: Int
    /// An exception raised after the instructions have run: fetching or decoding the next one
    /// failed (access fault, illegal instruction, misaligned pc). Recorded rather than raised at
    /// predecode time, so the instructions before it still execute first.
    var endTrap: GuestTrap?
}

extension Opcode {
    /// True for instructions after which the interpreter leaves the block: control transfers and
    /// the system instructions that go to the trap-and-emulate handler (they may change pc,
    /// counters or code). Replace with the ISA table's `endsBlock` flag once it lands.
    var endsInterpreterBlock: Bool { Opcode.blockEnders.contains(self) }

    private static let blockEnders: Set<Opcode> = [
        .jal, .jalr, .beq, .bne, .blt, .bge, .bltu, .bgeu,
        .ecall, .ebreak, .fence_i, .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci,
        .sret, .mret, .wfi, .sfence_vma,
    ]
}
