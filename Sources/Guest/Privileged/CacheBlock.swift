#if canImport(Glibc)
import Glibc
#endif
import RISCV

/// Zicbom and Zicboz (cbo.clean, cbo.flush, cbo.inval, cbo.zero) and Zawrs (wrs.nto, wrs.sto) as
/// the trap-and-emulate handler performs them.
///
/// The cache-block operations work on the 64-byte block holding x[rs1]. Caches are the host's
/// and coherent, so clean, flush and inval only check that the block may be accessed (a load
/// or a store would be allowed; otherwise they fault as stores); cbo.zero writes 64 zero bytes
/// as a store would. In system mode, below M they must be enabled by menvcfg (and in U also by
/// senvcfg): CBIE for inval, CBCFE for clean and flush, CBZE for zero; otherwise they are illegal.
///
/// wrs.nto and wrs.sto may stop waiting at any time, so they complete at once; wrs.nto yields
/// the host thread first, since a guest spins on it while another thread works.
extension Hart {
    /// The cache-block size Trapeze reports (hwprobe, the device tree) and cbo.zero clears.
    public static let cacheBlockSize: UInt64 = 64

    func emulateCacheBlock(_ inst: Instruction, _ op: SystemOp) -> Emulation {
        let pc = state.pc
        let illegal = Emulation.exception(GuestTrap(.illegalInstruction, pc: pc, tval: UInt64(inst.raw)))
        if op == .wrs_nto || op == .wrs_sto {
            if op == .wrs_nto { sched_yield() }
            state.pc = pc &+ UInt64(inst.length)
            return .retired(.resume)
        }
        let address = state.x(Int(inst.rs1))
        let block = address & ~(Hart.cacheBlockSize - 1)
        if platform != nil {
            let field: UInt64 = switch op {
            case .cbo_inval: EnvConfig.cbie
            case .cbo_zero: EnvConfig.cbze
            default: EnvConfig.cbcfe
            }
            if privilege != .machine && state.menvcfg & field == 0 { return illegal }
            if privilege == .user && state.senvcfg & field == 0 { return illegal }
        }
        if let fault = op == .cbo_zero ? zeroBlock(block, reporting: address) : checkBlock(block, reporting: address) {
            return .exception(GuestTrap(fault.cause, pc: pc, tval: fault.tval))
        }
        state.pc = pc &+ UInt64(inst.length)
        return .retired(.resume)
    }

    /// cbo.clean/flush/inval: nil when a load or a store may access the block, else the store
    /// fault the operation raises.
    private func checkBlock(_ block: UInt64, reporting address: UInt64) -> DataFault? {
        guard platform != nil else {
            if memory.check(block, Hart.cacheBlockSize, .read) || memory.check(block, Hart.cacheBlockSize, .write) {
                return nil
            }
            return DataFault(.storeAccessFault, tval: address)
        }
        if case .success = translate(block, access: .read, length: Hart.cacheBlockSize) { return nil }
        if case .failure(let trap) = translate(block, access: .write, length: Hart.cacheBlockSize) {
            return DataFault(trap.cause, tval: address)
        }
        return nil
    }

    /// cbo.zero: 64 zero bytes as one store (all or nothing), or the fault it raises.
    private func zeroBlock(_ block: UInt64, reporting address: UInt64) -> DataFault? {
        guard let platform else {
            do throws(MemoryFault) {
                try memory.fill(block, 0, count: Hart.cacheBlockSize)
            } catch {
                return DataFault(.storeAccessFault, tval: address)
            }
            return nil
        }
        switch translate(block, access: .write, length: Hart.cacheBlockSize) {
        case .failure(let trap):
            return DataFault(trap.cause, tval: address)
        case .success(let physical):
            let bus = platform.bus
            if let p = bus.ram(physical, Hart.cacheBlockSize), bus.ramWritable(physical, Hart.cacheBlockSize) {
                p.initializeMemory(as: UInt8.self, repeating: 0, count: Int(Hart.cacheBlockSize))
                bus.writeLog?.note(physical, Hart.cacheBlockSize)  // as the other writers of RAM do
                return nil
            }
            for offset in stride(from: UInt64(0), to: Hart.cacheBlockSize, by: 8) {
                guard platform.bus.write(physical &+ offset, width: 8, value: 0) else {
                    return DataFault(.storeAccessFault, tval: address)
                }
            }
            return nil
        }
    }
}
