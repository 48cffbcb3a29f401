import Guest

extension SignalState {
    /// Delivers every pending unblocked signal: a guest handler runs on a new frame (handlers for
    /// several signals nest, the last one set up runs first, as on Linux), or the default action
    /// applies (terminate or core → `.stop(.signaled(N))`; ignore, stop and continue → nothing).
    public func deliver(_ hart: Hart) -> Continuation {
        drainHost()
        while let info = dequeue(SignalSet(raw: ~blocked.raw)) {
            let sig = info.signo
            let action = actions[Int(sig)]
            if action.isHandler {
                if !runHandler(info, action, hart) { forceBadFrame(sig, hart) }
                continue
            }
            if action.ignores(sig) { continue }
            if let line = info.report { report(line) }
            return .stop(.signaled(sig))
        }
        // rt_sigsuspend woke for a signal that ran no handler: its mask ends now.
        if let saved = savedMask {
            blocked = saved
            savedMask = nil
        }
        return .resume
    }

    /// Builds the rt_sigframe and points the hart at the handler. False if the frame cannot be
    /// written (bad stack, alternate stack overflow, no room for the trampoline).
    func runHandler(_ info: SignalInfo, _ action: SignalAction, _ hart: Hart) -> Bool {
        let state = hart.state
        let sig = info.signo
        let sp = state.x(2)
        if trampolineAddress == nil { trampolineAddress = SignalTrampoline.map(in: memory) }
        guard let trampoline = trampolineAddress else { return false }

        let frameSize = UInt64(SignalFrame.size)
        var top = sp
        if altStack.contains(sp) {
            // Already on the alternate stack: a frame that would run off its bottom is a fault.
            if !altStack.contains(sp &- frameSize) { return false }
        } else if action.flags & SignalAction.onStack != 0 && altStack.isEnabled {
            top = altStack.base &+ altStack.size
        }
        let frame = (top &- frameSize) & ~15
        let bytes = SignalFrame.build(info, state, mask: savedMask ?? blocked, altStack: altStack.encoded(sp: sp))
        do { try memory.write(frame, bytes) } catch { return false }

        if altStack.autoDisarm { altStack = SignalAltStack() }
        var mask = blocked.union(action.mask)
        if action.flags & SignalAction.noDefer == 0 { mask.insert(sig) }
        blocked = mask.subtracting(.unblockable)
        savedMask = nil
        if action.flags & SignalAction.resetHand != 0 { actions[Int(sig)].handler = SignalAction.defaultHandler }

        state.setX(10, UInt64(bitPattern: Int64(sig)))
        state.setX(11, frame &+ UInt64(SignalFrame.info))
        state.setX(12, frame &+ UInt64(SignalFrame.ucontext))
        state.setX(2, frame)
        state.setX(1, trampoline)
        state.pc = action.handler
        // The kernel clears any LR reservation on every return to user mode.
        state.reservationValid = false
        return true
    }

    /// The frame for `sig` could not be built: the kernel's force_sigsegv. A SIGSEGV handler that
    /// cannot run is reset, so the guest then dies of SIGSEGV.
    func forceBadFrame(_ sig: Int32, _ hart: Hart) {
        if sig == GuestSignal.segv { actions[Int(sig)].handler = SignalAction.defaultHandler }
        var info = SignalInfo(signo: GuestSignal.segv, code: SignalInfo.kernel)
        info.report = "trapeze: guest pc \(hex(hart.state.pc)): cannot deliver \(GuestSignal.name(sig)): "
            + "bad signal stack at \(hex(hart.state.x(2))) (SIGSEGV)"
        force(info)
    }

    /// rt_sigreturn: takes back every register, pc, fcsr, the mask and the alternate stack from the
    /// frame at sp, including whatever the handler changed in it.
    func sigreturn(_ hart: Hart) -> Continuation {
        let state = hart.state
        let frame = state.x(2)
        guard let bytes = try? memory.read(frame, count: SignalFrame.size),
              let saved = SignalFrame.parse(bytes) else {
            // The kernel has stepped past the ecall when it finds the frame bad.
            state.pc = state.pc &+ 4
            var info = SignalInfo(signo: GuestSignal.segv, code: SignalInfo.kernel)
            info.report = "trapeze: guest pc \(hex(state.pc &- 4)): rt_sigreturn with a bad signal frame at \(hex(frame)) (SIGSEGV)"
            force(info)
            return deliver(hart)
        }
        blocked = saved.mask.subtracting(.unblockable)
        state.pc = saved.pc
        for i in 1..<32 { state.setX(i, saved.x[i]) }
        for i in 0..<32 { state.setF(i, saved.f[i]) }
        state.fcsr = saved.fcsr
        state.reservationValid = false
        // Like the kernel's restore_altstack, a refused stack (say, while still on it) is ignored.
        _ = setAltStack(base: saved.altStack.base, size: saved.altStack.size, flags: saved.altStackFlags, sp: saved.x[2])
        return .resume
    }

    /// sigaltstack's checks and update; 0 or −errno.
    func setAltStack(base: UInt64, size: UInt64, flags: Int32, sp: UInt64) -> Int64 {
        if altStack.contains(sp) { return -LinuxErrno.EPERM }
        let mode = flags & ~SignalAltStack.autoDisarmFlag
        switch mode {
        case SignalAltStack.disableFlag:
            altStack = SignalAltStack()
        case 0, SignalAltStack.onStackFlag:
            if size < SignalAltStack.minimumSize { return -LinuxErrno.ENOMEM }
            altStack = SignalAltStack(base: base, size: size, autoDisarm: flags & SignalAltStack.autoDisarmFlag != 0)
        default:
            return -LinuxErrno.EINVAL
        }
        return 0
    }
}

/// The Linux errno values the signal syscalls return (asm-generic numbering).
enum LinuxErrno {
    static let EPERM: Int64 = 1
    static let ESRCH: Int64 = 3
    static let EINTR: Int64 = 4
    static let EAGAIN: Int64 = 11
    static let ENOMEM: Int64 = 12
    static let EFAULT: Int64 = 14
    static let EINVAL: Int64 = 22
}

/// "0x10234": how reports print guest addresses.
func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
