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

extension Opcode {
    /// Instructions the engines hand to the trap-and-emulate handler. The inspection tools run
    /// each of them exactly once, on its own, because some have effects outside the hart
    /// (a syscall) or read values that change between two executions (the `time` CSR).
    var isSystem: Bool {
        let spec = info
        switch spec.ext {
        case .zicsr, .zifencei, .privileged: return true
        case .i, .m, .a, .f, .d: return self == .ecall || self == .ebreak
        }
    }
}
