import RISCV
import X86

/// What an address or index baked into translated code stands for, so that code saved by one
/// run (the persistent cache, TranslationStore.swift) can be fixed up for the next, whose heap,
/// side tables and code cache lie elsewhere.
///
/// Two kinds of field change from run to run: rel32 branches to the shared stubs (the epilogue,
/// the cold-exit thunk), which the assembler already lists (`Assembler.absoluteFixups`), and
/// immediates the lowerings tag as they emit them (`Assembler.taggedImmediates`): helper
/// addresses, the `jalr` table, the F/D constant table, and the slow-path and system
/// instructions the code names by address or by side-table index. A field the code holds
/// without a tag is the same in every run (a guest constant), which is what makes the code
/// relocatable at all: code with an untagged run-specific value would be wrong when loaded.
enum Relocation {
    enum Kind: UInt8 {
        /// A C helper's address; the payload is its number in `helpers`.
        case helper = 1
        /// The engine's `IndirectTable`.
        case indirectTable
        /// `FloatConstants.address`.
        case floatConstants
        /// The address of a kept copy of the block's instruction number `payload` (slow path).
        case instruction
        /// The side-table index of the block's instruction number `payload` (system exit).
        case systemInstruction
    }

    static func tag(_ kind: Kind, _ payload: Int = 0) -> UInt32 {
        UInt32(kind.rawValue) | UInt32(truncatingIfNeeded: payload) << 8
    }

    static func kind(of tag: UInt32) -> Kind? { Kind(rawValue: UInt8(truncatingIfNeeded: tag)) }
    static func payload(of tag: UInt32) -> Int { Int(tag >> 8) }

    /// The helpers translated code calls, by number (the payload of a `.helper` tag).
    static let helpers: [UInt64] = [JIT.address(of: slowPathEntry), JIT.address(of: floatEntry),
                                    JIT.address(of: bitEntry), JIT.address(of: cryptoEntry)]

    /// The tag of a call to `helper`; 0 (not relocatable) for one not in `helpers`.
    static func helperTag(_ helper: UInt64) -> UInt32 {
        guard let k = helpers.firstIndex(of: helper) else { return 0 }
        return tag(.helper, k)
    }
}

extension Translator {
    /// The tag naming instruction `i` of this block for a relocation of `kind`; 0 (not
    /// relocatable) when `i` is not one of the block's instructions as decoded.
    func instructionTag(_ kind: Relocation.Kind, _ i: Instruction) -> UInt32 {
        if index < block.instructions.count, block.instructions[index] == i { return Relocation.tag(kind, index) }
        guard let k = block.instructions.firstIndex(of: i) else { return 0 }
        return Relocation.tag(kind, k)
    }
}
