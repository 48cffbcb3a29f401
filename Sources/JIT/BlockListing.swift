import Guest
import RISCV

/// One translated block as `trapeze dump` shows it: the guest instructions and the host code.
public struct BlockListing: Sendable {
    public var guestPCs: [UInt64]
    public var guest: [Instruction]
    /// Where the host code runs, and its bytes (disassemble with `X86Disassembler.lines`).
    public var hostAddress: UInt64
    public var hostCode: [UInt8]
}

extension JIT {
    /// Translates (or finds) the block at `pc` as `hart` fetches it and returns it for display.
    /// Nil when its first instruction cannot be fetched or decoded.
    public func listing(_ hart: Hart, at pc: UInt64) -> BlockListing? {
        guard case .success(var guest) = BlockDecoder.decode(hart, at: pc, limit: options.maxBlockInstructions,
                                                      joins: options.joins,
                                                      inlineCalls: options.inlineCalls && systemTLB == nil),
              case .success(let host) = block(at: pc, hart),
              let size = blockSizes[host] else { return nil }
        if options.gatherChains && systemTLB == nil { ChainGather.gather(&guest) } // as translated
        return BlockListing(guestPCs: guest.pcs, guest: guest.instructions, hostAddress: host,
                            hostCode: hostBytes(at: host, count: size))
    }
}
