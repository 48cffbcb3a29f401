import Guest
import RISCV
import X86

/// Zicboz's cbo.zero in user mode, inline: the 64-byte block holding x[rs1] zeroed by four
/// 16-byte stores through the confined memory path, so a memset loop stays in translated code.
/// The block never crosses a page (Hart.cacheBlockSize divides the page size), so the host MMU
/// lets the first store through only if it lets all four: a fault is taken on the first, before
/// anything is written (all or nothing, as the handler's `zeroBlock`), and reports rs1's own
/// address, as the handler does. System mode has its own lowering through the inline TLB
/// (`systemCacheBlockZero`, Lower+SystemInline.swift).
extension Translator {
    mutating func cacheBlockZero(_ i: Instruction) {
        load(.rax, i.rs1)
        // The limit is page aligned: x[rs1] below it means the whole block is.
        a.cmp(.rax, .qword(Host.state, Int32(StateOffset.memoryLimit)))
        a.jcc(.ae, faultExit(store: true))
        a.mov(.rcx, .rax)
        a.and(.rcx, imm: -Int32(Hart.cacheBlockSize))
        a.xorps(.xmm0, .xmm0)
        access = (Host.t0, 0) // a fault reports rax, rs1's value
        markFaultSite(store: true)
        for k in 0..<Int32(Hart.cacheBlockSize / 16) {
            a.movups(Mem(.xmmword, base: .gpr(Host.memory), index: .rcx, disp: 16 * k), .xmm0)
        }
    }
}
