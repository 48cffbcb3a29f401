import Guest
import RISCV
import X86

/// Calls and returns on the host's own return-address prediction (`JITOptions.hostCalls`, user
/// mode only, off by default: on AMD EPYC the frames cost more than `ret`'s prediction saves over
/// the `jalr` table, whose `jmp [rcx + 8]` the host predicts just as well when a function returns
/// to few places; fib 38 3.7x -> 3.1x native CPU time, bytecode 1.66x -> 1.46x without them).
///
/// A guest call (`jal`/`jalr` with rd = ra) becomes a host `call` into the callee's block, after
/// pushing the guest return address; the code right after that `call` is the call's *landing*, a
/// chainable exit to the guest return address. A guest return (`jalr x0, 0(ra)`) compares its
/// target with the guest address on top of the host stack: when they agree it is a host `ret 8`,
/// which the CPU's return stack predicts; when not (longjmp, coroutines, a frame dropped at a
/// dispatcher exit) it takes the ordinary `jalr` path. So the frames are only ever a hint: a
/// landing is taken only for the very guest address it continues at, and every frame is gone when
/// translated code returns to the dispatcher (the epilogue restores rsp), hence before any flush.
///
/// A frame is 16 bytes: [rsp] the landing, [rsp+8] the guest return address, which keeps rsp
/// 16-byte aligned for helper calls. The prologue puts a sentinel frame (guest address 1, which no
/// jump target equals) under the first block, and calls stop pushing below `returnStackFloor`, so
/// deep recursion costs at most `ReturnStack.bytes` of host stack.
enum ReturnStack {
    /// Host stack translated code may use for frames: 4096 calls deep.
    static let bytes: Int32 = 64 << 10
    /// The guest return address of the prologue's sentinel frame.
    static let sentinel: Int32 = 1
}

extension Translator {
    /// Whether this block lowers calls and returns with host frames (user mode, chaining on).
    private var hostFrames: Bool { targets.hostCalls && targets.chaining && targets.system == nil }

    /// Whether `i` is a call that pushes a frame (link register ra).
    func isCall(_ i: Instruction) -> Bool { hostFrames && i.rd == 1 }

    /// Whether `i` is a return that checks the frame on top (`ret`, `jr ra`).
    func isReturn(_ i: Instruction) -> Bool { hostFrames && i.opcode == .jalr && i.rd == 0 && i.rs1 == 1 }

    /// `jal ra, target`: rd is written, then the callee runs as a host call; unless the host
    /// stack is at its floor, where the call is an ordinary jump.
    mutating func directCall(_ i: Instruction) {
        let back = pc &+ UInt64(i.length)
        let target = pc &+ UInt64(bitPattern: i.imm)
        endAllocation() // the callee and the landing run in the static map (BlockRegisters.swift)
        storeConstant(i.rd, back)
        a.cmp(.rsp, .qword(Host.state, Int32(ScratchSlot.returnStackFloor)))
        a.jcc(.be, outOfLine(.exit(target: target)))
        pushReturnAddress(back)
        switch linked(target) {
        case .label(let l): a.call(l)
        case .absolute(let host): a.call(absolute: host)
        case nil:
            let id = firstChainSiteID + chainSites.count
            let stub = outOfLine(.chainRequest(target: target, id: id))
            // Aligned like a patchable jmp: the dispatcher rewrites the displacement in place.
            let pad = Int((3 &- a.address) & 3)
            if pad > 0 { a.nop(pad) }
            a.call(stub)
            chainSites.append(ChainSite(displacementOffset: a.offset - 4, jumpEnd: a.address, target: target))
        }
        exit(to: back) // the landing
    }

    /// Pushes the guest return address of a frame (the host `call` then pushes the landing).
    mutating func pushReturnAddress(_ back: UInt64) {
        if let small = Int32(exactly: Int64(bitPattern: back)) {
            a.push(imm: small)
        } else {
            a.mov(.rcx, imm: Int64(bitPattern: back))
            a.push(.rcx)
        }
    }

    /// The return fast path, with the target in rax: `ret 8` to the landing of the frame on top
    /// when it was pushed for this very address; otherwise falls through to the ordinary path.
    mutating func returnThroughFrame() {
        let other = a.newLabel()
        a.cmp(.rax, .qword(.rsp, 8))
        a.jcc(.ne, other)
        a.ret(popping: 8) // to the landing, dropping the guest address too
        a.bind(other)
    }
}
