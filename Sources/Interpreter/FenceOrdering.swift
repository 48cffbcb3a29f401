import Guest
import RISCV

/// Which RISC-V fences need a host barrier on x86-TSO, for both engines.
public enum FenceOrdering {
    /// True when the fence orders an earlier store (W, or device output O) before a later load
    /// (R, or device input I): the one reordering x86 performs. `fence.tso` (fm = 1000) never
    /// orders stores before loads. The decoder leaves fm|pred|succ in `rm`.
    @inline(__always) public static func needsStoreLoadBarrier(_ i: Instruction) -> Bool {
        let bits = UInt32(i.rm)
        if bits >> 8 == 0b1000 { return false }
        let pred = (bits >> 4) & 0xf, succ = bits & 0xf
        return pred & 0b0101 != 0 && succ & 0b1010 != 0
    }
}
