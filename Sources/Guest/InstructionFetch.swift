import RISCV

/// Instruction fetch: the one way engines and tools read guest code.
///
/// User mode fetches from the hart's confined `GuestMemory` at the virtual pc. System mode puts
/// address translation (the MMU's page walk and TLB, PMP) and the physical bus behind `fetch`;
/// a debugger's breakpoint patches apply to both. Callers see only instruction bits or the
/// exception fetching them raised.
extension Hart {
    /// The instruction bits at `pc`, fetched in 16-bit parcels as the C extension requires: the
    /// second parcel only when the first says the instruction is 32 bits long (it may lie on the
    /// next page and fault alone). A failed fetch throws the exception with `pc` as its pc and as
    /// tval the misaligned pc or the address of the parcel that could not be fetched.
    @inline(__always)
    public func fetch(_ pc: UInt64) throws(GuestTrap) -> UInt32 {
        // IALIGN is 16 with the C extension: only an odd pc is misaligned.
        if pc & 1 != 0 { throw GuestTrap(.instructionMisaligned, pc: pc, tval: pc) }
        if let platform { return try systemFetch(pc, platform.bus) }
        do {
            return try memory.fetchInstruction(pc)
        } catch {
            throw GuestTrap(error.cause, pc: pc, tval: error.address)
        }
    }

    /// The instruction at `pc`, fetched and decoded by `decoder`; bits that do not decode raise an
    /// illegal-instruction exception with the bits as tval, and so do instructions of an extension
    /// the hart's `cpu` leaves out.
    @inline(__always)
    public func fetchInstruction(_ pc: UInt64, decoder: (UInt32) -> Instruction? = { decode($0) }) throws(GuestTrap) -> Instruction {
        let word = try fetch(pc)
        guard let inst = decoder(word), cpu.isAll || cpu.allows(inst) else {
            throw GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(word))
        }
        return inst
    }

    /// The instruction `word` fetched from `pc` decodes to, as `fetchInstruction` decodes it.
    @inline(__always)
    public func decodeFetched(_ word: UInt32, at pc: UInt64, decoder: (UInt32) -> Instruction? = { decode($0) }) throws(GuestTrap) -> Instruction {
        guard let inst = decoder(word), cpu.isAll || cpu.allows(inst) else {
            throw GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(word))
        }
        return inst
    }

    /// System mode: the host bytes of the whole 4 KiB code page holding `pc`, when fetching from
    /// any address in it needs nothing but that page's translation for execution at the current
    /// privilege: RAM behind it, PMP allowing execution of all of it, no debugger patches. nil
    /// otherwise (or in user mode): then fetch one instruction at a time. For a translator,
    /// which reads a block's instructions from one page; the result is the same as `fetch`'s
    /// for every instruction that lies wholly inside the page.
    public func codePage(_ pc: UInt64) -> UnsafeRawPointer? {
        guard let platform, memory.fetchPatches.isEmpty,
              case .success(let physical) = translate(pc & ~0xFFF, access: .execute, length: 0x1000),
              let pointer = platform.bus.ram(physical, 0x1000) else { return nil }
        return UnsafeRawPointer(pointer)
    }

    /// System mode: each parcel translated for execution at the current privilege (page fault,
    /// PMP) and read from RAM or boot ROM; code anywhere else is an instruction access fault.
    private func systemFetch(_ pc: UInt64, _ bus: any PhysicalBus) throws(GuestTrap) -> UInt32 {
        func parcel(_ address: UInt64) throws(GuestTrap) -> UInt16 {
            switch translate(address, access: .execute, length: 2) {
            case .success(let physical):
                guard let pointer = bus.ram(physical, 2) else {
                    throw GuestTrap(.instructionAccessFault, pc: pc, tval: address)
                }
                return UInt16(littleEndian: pointer.loadUnaligned(as: UInt16.self))
            case .failure(let trap):
                throw GuestTrap(trap.cause, pc: pc, tval: address)
            }
        }
        let low = try parcel(pc)
        if !memory.fetchPatches.isEmpty, let bits = memory.fetchPatches[pc] { return bits }
        guard low & 3 == 3 else { return UInt32(low) }
        return UInt32(low) | UInt32(try parcel(pc &+ 2)) << 16
    }

    /// The physical address of the instruction parcel at `pc` in system mode (nil when fetching
    /// it would fault, or in user mode): engines key what they keep of code by physical page.
    public func codePhysicalAddress(_ pc: UInt64) -> UInt64? {
        guard platform != nil, case .success(let physical) = translate(pc, access: .execute, length: 2) else { return nil }
        return physical
    }
}
