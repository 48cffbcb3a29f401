import Guest
import X86

/// The code shared by all blocks, emitted at the start of the cache after every flush.
enum Stubs {
    /// `uint32_t prologue(void *state, void *memoryBase, const void *block)`: saves the
    /// callee-saved registers, pins state and memory, loads the cached guest registers and jumps
    /// to the block. The epilogue undoes it and returns the exit reason. Translated code runs
    /// with rsp 16-byte aligned, so helper calls need no adjustment.
    static func emit(at address: UInt64, returnAddress: Bool = false) -> (code: [UInt8], prologue: Int, epilogue: Int, coldExit: Int,
                                              slowPathThunk: Int, floatThunk: Int) {
        var a = Assembler(baseAddress: address)
        let prologue = a.offset
        for r in RegisterMap.preserved { a.push(.r64(r)) }
        // Return address + 6 pushes = 56 bytes: 24 more makes 80 and realigns rsp; they hold
        // the sentinel frame under the guest calls' frames (Lower+Call.swift).
        a.sub(.rsp, imm: 24)
        a.mov(.r64(Host.state), .rdi)
        a.mov(.qword(.rsp, 8), imm: ReturnStack.sentinel)
        a.mov(.qword(Host.state, Int32(ScratchSlot.hostStack)), .rsp)
        a.lea(.rax, .qword(.rsp, -ReturnStack.bytes))
        a.mov(.qword(Host.state, Int32(ScratchSlot.returnStackFloor)), .rax)
        a.mov(.r64(Host.memory), .rsi)
        a.mov(.rax, .rdx)
        GuestMXCSR.enter(&a) // perf-fp: MXCSR and f registers, FloatMXCSR.swift
        for (g, h) in RegisterMap.all(returnAddress: returnAddress) { a.mov(.r64(h), .qword(Host.state, Int32(8 * g))) }
        a.mov(.r64(Host.budget), .qword(Host.state, Int32(ScratchSlot.budget)))
        a.jmp(.rax)

        while a.offset % 16 != 0 { a.int3() }
        let epilogue = a.offset
        for (g, h) in RegisterMap.all(returnAddress: returnAddress) { a.mov(.qword(Host.state, Int32(8 * g)), .r64(h)) }
        a.mov(.qword(Host.state, Int32(ScratchSlot.budget)), .r64(Host.budget))
        GuestMXCSR.leave(&a) // perf-fp
        a.mov(.eax, .dword(Host.state, Int32(StateOffset.exitReason)))
        a.mov(.rsp, .qword(Host.state, Int32(ScratchSlot.hostStack))) // drops any call frames left
        a.add(.rsp, imm: 24)
        for r in RegisterMap.preserved.reversed() { a.pop(.r64(r)) }
        a.ret()

        while a.offset % 16 != 0 { a.int3() }
        let coldExit = a.offset
        emitColdExit(&a, epilogue: address &+ UInt64(epilogue))

        while a.offset % 16 != 0 { a.int3() }
        let slowPathThunk = a.offset
        emitHelperThunk(&a, helper: JIT.address(of: slowPathEntry))
        while a.offset % 16 != 0 { a.int3() }
        let floatThunk = a.offset
        emitHelperThunk(&a, helper: JIT.address(of: floatEntry))
        return (a.bytes, prologue, epilogue, coldExit, slowPathThunk, floatThunk)
    }

    /// The shared body of a helper call (system mode, `Translator.callHelper`): what every call
    /// site used to emit inline around `call helper` — save the caller-saved cache registers and
    /// the budget, leave the guest's MXCSR and f registers, call, come back — once per cache, so
    /// a call site is a few stores of the registers the instruction names, `mov rax, inst` and a
    /// 5-byte call. In: rax = the `Instruction`, the guest pc stored; out: eax = the helper's
    /// result, every cache register as it was (the site reloads rd), the budget reloaded (a helper
    /// may take it away to make translated code leave). The caller-saved registers are pushed:
    /// five pushes and the return address keep rsp 16-byte aligned for the helper.
    static func emitHelperThunk(_ a: inout Assembler, helper: UInt64) {
        let pushed = RegisterMap.callerSaved.map(\.host)
        precondition(pushed.count % 2 == 1, "the helper thunk must keep rsp 16-byte aligned")
        for h in pushed { a.push(.r64(h)) }
        a.mov(.qword(Host.state, Int32(ScratchSlot.budget)), .r64(Host.budget))
        GuestMXCSR.leave(&a)
        a.mov(.rdi, .rbx)
        a.mov(.rsi, .rax)
        a.mov(.rax, imm: Int64(bitPattern: helper))
        a.call(.rax)
        GuestMXCSR.resume(&a)
        a.mov(.r64(Host.budget), .qword(Host.state, Int32(ScratchSlot.budget)))
        for h in pushed.reversed() { a.pop(.r64(h)) }
        a.ret()
    }

    /// The thunk every cold stub calls (ColdExits.swift): keeps rax (a faulting access's guest
    /// address), records the call's return address, which names the site, and leaves.
    static func emitColdExit(_ a: inout Assembler, epilogue: UInt64) {
        a.mov(.qword(Host.state, Int32(ScratchSlot.faultAddress)), .rax)
        a.pop(.r64(.rcx))
        a.mov(.qword(Host.state, Int32(ScratchSlot.coldSite)), .rcx)
        a.mov(.dword(Host.state, Int32(StateOffset.exitReason)), imm: Int32(bitPattern: ColdExit.marker))
        a.jmp(absolute: epilogue)
    }
}
