import Guest
import RISCV

extension GuestMemory {
    /// The instruction at `pc` as the program's bytes have it, fetched as the hart fetches
    /// (execute permission, 16-bit parcels) but not through the debugger's breakpoint patches.
    func programInstruction(at pc: UInt64) -> Result<Instruction, GuestTrap> {
        guard check(pc, 2, .execute) else { return .failure(GuestTrap(.instructionAccessFault, pc: pc, tval: pc)) }
        var word = UInt32(host(pc).loadUnaligned(as: UInt16.self))
        if word & 3 == 3 {
            guard check(pc &+ 2, 2, .execute) else { return .failure(GuestTrap(.instructionAccessFault, pc: pc, tval: pc &+ 2)) }
            word |= UInt32(host(pc &+ 2).loadUnaligned(as: UInt16.self)) << 16
        }
        guard let inst = decode(word) else { return .failure(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(word))) }
        return .success(inst)
    }
}
