import Guest
import RISCV

/// Fetches and decodes the instruction at a pc exactly as the interpreter's predecoder does
/// (16-bit parcels, execute permission, the same fault causes and tvals), so the inspection
/// tools see what the engines see without reaching into either.
enum InstructionFetch {
    static func at(_ pc: UInt64, _ memory: GuestMemory) -> Result<Instruction, GuestTrap> {
        if pc & 1 != 0 { return .failure(GuestTrap(.instructionMisaligned, pc: pc, tval: pc)) }
        let word: UInt32
        do {
            word = try memory.fetchInstruction(pc)
        } catch {
            return .failure(GuestTrap(.instructionAccessFault, pc: pc, tval: error.address))
        }
        guard let inst = decode(word) else {
            return .failure(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(word)))
        }
        return .success(inst)
    }
}
