import Guest
import RISCV

extension SignalState {
    /// A synchronous guest exception becomes the signal Linux sends for it, forced like the
    /// kernel's force_sig (a blocked or ignored fault signal kills). A guest handler runs if there
    /// is one; otherwise one `trapeze:` line goes to `report` and the guest ends with the signal.
    public func fault(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        force(faultInfo(trap, pc: hart.state.pc))
        return deliver(hart)
    }

    /// The signal, si_code and si_addr for a trap (arch/riscv/kernel/traps.c), with its report line.
    public func faultInfo(_ trap: GuestTrap, pc: UInt64) -> SignalInfo {
        var info: SignalInfo
        var what = trap.cause.description
        switch trap.cause {
        case .instructionAccessFault, .instructionPageFault, .loadAccessFault, .loadPageFault,
             .storeAccessFault, .storePageFault:
            let mapped = memory.pageFlags(trap.tval).contains(.mapped)
            if permitted(trap) {
                // The permissions allow the access and still the host faulted: the page has no
                // backing (a file mapping past the file's end), which Linux reports as SIGBUS.
                info = .fault(GuestSignal.bus, code: SignalInfo.busAddress, address: trap.tval)
                what = "bus error (no backing page)"
            } else {
                info = .fault(GuestSignal.segv, code: mapped ? SignalInfo.accessError : SignalInfo.mapError, address: trap.tval)
            }
            what += " at \(hex(trap.tval))"
        case .instructionMisaligned, .loadMisaligned, .storeMisaligned:
            info = .fault(GuestSignal.bus, code: SignalInfo.busAlign, address: trap.tval)
            what += " at \(hex(trap.tval))"
        case .illegalInstruction:
            info = .fault(GuestSignal.ill, code: SignalInfo.illegalOpcode, address: pc)
            let word = trap.tval != 0 ? UInt32(truncatingIfNeeded: trap.tval) : (fetchWord(pc) ?? 0)
            what += " " + hex32(word)
        case .breakpoint:
            info = .fault(GuestSignal.trap, code: SignalInfo.breakpoint, address: pc)
        case .ecallFromU, .ecallFromS, .ecallFromM:
            info = .fault(GuestSignal.ill, code: SignalInfo.illegalTrap, address: pc)
        }
        // Naming the instruction helps for memory faults; an illegal one has nothing to show.
        var place = "guest pc \(hex(pc))"
        if trap.cause != .illegalInstruction, let text = disassembly(at: pc) { place += " (\(text))" }
        info.report = "trapeze: \(place): \(what) (\(GuestSignal.name(info.signo)))"
        return info
    }

    /// True when guest permissions allow the faulting access and the host still faults on its
    /// byte: the page has no backing. A load, store or fetch counts, and `tval` is the byte that
    /// faulted (a parcel of an instruction on the next page, the start of a data access), so an
    /// access straddling into a page without the permission stays a SIGSEGV: its first byte
    /// reads fine.
    func permitted(_ trap: GuestTrap) -> Bool {
        let need: PageFlags
        switch trap.cause {
        case .loadAccessFault: need = .read
        case .storeAccessFault: need = .write
        case .instructionAccessFault: need = .execute
        default: return false
        }
        guard memory.check(trap.tval, 1, need) else { return false }
        // The fault itself was a SIGBUS there: decided, even if the file has grown back since.
        if GuestFaultRecovery.wasBusError(at: trap.tval, base: memory.base) { return true }
        // Every permitted page is host-readable (execute-only and write-only ones too).
        var byte: UInt8 = 0
        return withUnsafeMutableBytes(of: &byte) { (try? memory.copyOut(trap.tval, to: $0, need: .mapped)) == nil }
    }

    /// The instruction bits at pc (16 for a compressed instruction), if pc is executable.
    func fetchWord(_ pc: UInt64) -> UInt32? {
        try? memory.fetchInstruction(pc)
    }

    func disassembly(at pc: UInt64) -> String? {
        guard let disassemble, let word = fetchWord(pc), let instruction = decode(word) else { return nil }
        return disassemble(instruction, pc)
    }
}

/// "0x00000013": instruction words print at full width.
func hex32(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
