import RISCV

/// Instruction fetch: the one way engines and tools read guest code.
///
/// User mode fetches from the hart's confined `GuestMemory` at the virtual pc. System mode puts
/// address translation (the fetch TLB, a page walk, PMP) behind `fetch`, and a debugger its
/// breakpoint table; callers see only instruction bits or the exception fetching them raised.
extension Hart {
    /// The instruction bits at `pc`, fetched in 16-bit parcels as the C extension requires: the
    /// second parcel only when the first says the instruction is 32 bits long (it may lie on the
    /// next page and fault alone). A failed fetch throws the exception with `pc` as its pc and as
    /// tval the misaligned pc or the address of the parcel that could not be fetched.
    @inline(__always)
    public func fetch(_ pc: UInt64) throws(GuestTrap) -> UInt32 {
        // IALIGN is 16 with the C extension: only an odd pc is misaligned.
        if pc & 1 != 0 { throw GuestTrap(.instructionMisaligned, pc: pc, tval: pc) }
        do {
            return try memory.fetchInstruction(pc)
        } catch {
            throw GuestTrap(error.cause, pc: pc, tval: error.address)
        }
    }

    /// The instruction at `pc`, fetched and decoded by `decoder`; bits that do not decode raise an
    /// illegal-instruction exception with the bits as tval.
    @inline(__always)
    public func fetchInstruction(_ pc: UInt64, decoder: (UInt32) -> Instruction? = { decode($0) }) throws(GuestTrap) -> Instruction {
        let word = try fetch(pc)
        guard let inst = decoder(word) else { throw GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(word)) }
        return inst
    }
}
