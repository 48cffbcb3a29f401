import Guest

/// Syscall numbers handled here (asm-generic/unistd.h).
enum SignalSyscall {
    static let getitimer = 102
    static let setitimer = 103
    static let kill = 129
    static let tkill = 130
    static let tgkill = 131
    static let sigaltstack = 132
    static let rtSigsuspend = 133
    static let rtSigaction = 134
    static let rtSigprocmask = 135
    static let rtSigpending = 136
    static let rtSigtimedwait = 137
    static let rtSigqueueinfo = 138
    static let rtSigreturn = 139
    static let rtTgsigqueueinfo = 240
}

extension SignalState {
    /// All signal-related syscalls: rt_sigaction, rt_sigprocmask, sigaltstack, rt_sigreturn,
    /// kill/tkill/tgkill and rt_sigqueueinfo/rt_tgsigqueueinfo aimed at this process (nil for
    /// other targets, so the caller makes the host call), rt_sigpending, rt_sigsuspend,
    /// rt_sigtimedwait, setitimer/getitimer (host timers, whose signals are forwarded).
    /// Returns nil if `number` is not one of them.
    public func syscall(_ number: Int, _ hart: Hart) -> SignalSyscallResult? {
        let s = hart.state
        let a0 = s.x(10), a1 = s.x(11), a2 = s.x(12), a3 = s.x(13)
        let int0 = Int32(truncatingIfNeeded: a0), int1 = Int32(truncatingIfNeeded: a1)
        let int2 = Int32(truncatingIfNeeded: a2)
        switch number {
        case SignalSyscall.rtSigaction: return .value(sigaction(int0, act: a1, old: a2, size: a3))
        case SignalSyscall.rtSigprocmask: return .value(sigprocmask(int0, set: a1, old: a2, size: a3))
        case SignalSyscall.sigaltstack: return .value(sigaltstack(a0, old: a1, sp: s.x(2)))
        case SignalSyscall.rtSigreturn: return .continuation(sigreturn(hart))
        case SignalSyscall.rtSigpending: return .value(sigpending(a0, size: a1))
        case SignalSyscall.rtSigsuspend: return .value(sigsuspend(a0, size: a1))
        case SignalSyscall.rtSigtimedwait: return .value(sigtimedwait(a0, info: a1, timeout: a2, size: a3))
        case SignalSyscall.kill:
            guard int0 == HostSignals.processID else { return nil }
            return .value(send(SignalInfo.sent(int1, code: SignalInfo.user, pid: HostSignals.processID, uid: HostSignals.userID), toProcess: true))
        case SignalSyscall.tkill:
            if int0 <= 0 { return .value(-LinuxErrno.EINVAL) }
            let info = SignalInfo.sent(int1, code: SignalInfo.tkill, pid: HostSignals.processID, uid: HostSignals.userID)
            guard isThisThread(int0) else { return sendToThread(int0, info) }
            return .value(send(info))
        case SignalSyscall.tgkill:
            if int0 <= 0 || int1 <= 0 { return .value(-LinuxErrno.EINVAL) }
            let info = SignalInfo.sent(int2, code: SignalInfo.tkill, pid: HostSignals.processID, uid: HostSignals.userID)
            guard int0 == HostSignals.processID else { return nil }
            guard isThisThread(int1) else { return sendToThread(int1, info) }
            return .value(send(info))
        case SignalSyscall.rtSigqueueinfo:
            guard int0 == HostSignals.processID else { return nil }
            return .value(sendQueued(int1, info: a2, toProcess: true))
        case SignalSyscall.rtTgsigqueueinfo:
            if int0 <= 0 || int1 <= 0 { return .value(-LinuxErrno.EINVAL) }
            guard int0 == HostSignals.processID else { return nil }
            if isThisThread(int1) { return .value(sendQueued(int2, info: a3)) }
            return sendQueuedToThread(int1, sig: int2, info: a3)
        case SignalSyscall.setitimer: return .value(setitimer(int0, new: a1, old: a2))
        case SignalSyscall.getitimer: return .value(getitimer(int0, value: a1))
        default: return nil
        }
    }

    func isThisThread(_ tid: Int32) -> Bool {
        // Without threads (a test driving a hart on some host thread), the pid names the thread.
        tid == HostSignals.threadID || (shared.directed == nil && tid == HostSignals.processID)
    }

    /// tkill/tgkill to another thread of this process, or (nil) to the host.
    private func sendToThread(_ tid: Int32, _ info: SignalInfo) -> SignalSyscallResult? {
        if info.signo != 0 && !GuestSignal.isValid(info.signo) { return .value(-LinuxErrno.EINVAL) }
        return shared.directed?(tid, info).map { .value($0) }
    }

    // MARK: Guest memory at the syscall seam: a bad pointer is EFAULT.

    func readWord(_ address: UInt64) -> UInt64? {
        guard let b = try? memory.read(address, count: 8) else { return nil }
        return b.getLE(0)
    }

    func writeBytes(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        (try? memory.write(address, bytes)) != nil
    }

    func writeWord(_ address: UInt64, _ v: UInt64) -> Bool {
        var b = [UInt8](repeating: 0, count: 8)
        b.putLE(v, at: 0)
        return writeBytes(address, b)
    }

    // MARK: The calls

    func sigaction(_ sig: Int32, act: UInt64, old: UInt64, size: UInt64) -> Int64 {
        guard size == 8, GuestSignal.isValid(sig) else { return -LinuxErrno.EINVAL }
        var new: SignalAction?
        if act != 0 {
            guard let b = try? memory.read(act, count: SignalAction.size) else { return -LinuxErrno.EFAULT }
            if SignalSet.unblockable.contains(sig) { return -LinuxErrno.EINVAL }
            var a = SignalAction(decoding: b)
            a.flags &= SignalAction.knownFlags
            a.mask = a.mask.subtracting(.unblockable)
            new = a
        }
        let previous = actions[Int(sig)]
        if let new { setAction(sig, new) }
        if old != 0 && !writeBytes(old, previous.encoded()) { return -LinuxErrno.EFAULT }
        return 0
    }

    func sigprocmask(_ how: Int32, set: UInt64, old: UInt64, size: UInt64) -> Int64 {
        guard size == 8 else { return -LinuxErrno.EINVAL }
        let previous = blocked
        if set != 0 {
            guard let raw = readWord(set) else { return -LinuxErrno.EFAULT }
            let given = SignalSet(raw: raw)
            switch how {
            case 0: blocked = blocked.union(given)          // SIG_BLOCK
            case 1: blocked = blocked.subtracting(given)    // SIG_UNBLOCK
            case 2: blocked = given                         // SIG_SETMASK
            default: return -LinuxErrno.EINVAL
            }
            blocked = blocked.subtracting(.unblockable)
        }
        if old != 0 && !writeWord(old, previous.raw) { return -LinuxErrno.EFAULT }
        return 0
    }

    func sigaltstack(_ new: UInt64, old: UInt64, sp: UInt64) -> Int64 {
        let previous = altStack.encoded(sp: sp)
        if new != 0 {
            guard let b = try? memory.read(new, count: SignalAltStack.encodedSize) else { return -LinuxErrno.EFAULT }
            let result = setAltStack(base: b.getLE(0), size: b.getLE(16), flags: b.getLE(8), sp: sp)
            if result != 0 { return result }
        }
        if old != 0 && !writeBytes(old, previous) { return -LinuxErrno.EFAULT }
        return 0
    }

    func sigpending(_ set: UInt64, size: UInt64) -> Int64 {
        guard size <= 8 else { return -LinuxErrno.EINVAL }
        var b = [UInt8](repeating: 0, count: 8)
        b.putLE(allQueued.intersection(blocked).raw, at: 0)
        return writeBytes(set, Array(b.prefix(Int(size)))) ? 0 : -LinuxErrno.EFAULT
    }

    /// Waits with a temporary mask until a signal is deliverable; always −EINTR. The handler's frame
    /// saves the original mask, which sigreturn puts back (or `deliver`, if no handler runs).
    func sigsuspend(_ set: UInt64, size: UInt64) -> Int64 {
        guard size == 8 else { return -LinuxErrno.EINVAL }
        guard let raw = readWord(set) else { return -LinuxErrno.EFAULT }
        savedMask = blocked
        blocked = SignalSet(raw: raw).subtracting(.unblockable)
        drainHost()
        while !hasDeliverable && !interrupted() {
            waitForHost(timeout: nil) { self.hasDeliverable || self.interrupted() }
        }
        return -LinuxErrno.EINTR
    }

    /// Takes a signal of `set` off the queue without running its handler; −EAGAIN on timeout,
    /// −EINTR if another (unblocked) signal arrives first.
    func sigtimedwait(_ set: UInt64, info: UInt64, timeout: UInt64, size: UInt64) -> Int64 {
        guard size == 8 else { return -LinuxErrno.EINVAL }
        guard let raw = readWord(set) else { return -LinuxErrno.EFAULT }
        let wanted = SignalSet(raw: raw).subtracting(.unblockable)
        var deadline: UInt64?
        if timeout != 0 {
            guard let t = try? memory.read(timeout, count: 16) else { return -LinuxErrno.EFAULT }
            let sec: Int64 = t.getLE(0), nsec: Int64 = t.getLE(8)
            guard sec >= 0, nsec >= 0, nsec < 1_000_000_000 else { return -LinuxErrno.EINVAL }
            let span = UInt64(sec).multipliedReportingOverflow(by: 1_000_000_000)
            deadline = span.overflow ? UInt64.max : Hart.hostNanoseconds() &+ min(span.partialValue &+ UInt64(nsec), UInt64.max / 2)
        }
        drainHost()
        while true {
            if let got = dequeue(wanted) {
                if info != 0 && !writeBytes(info, got.bytes) { return -LinuxErrno.EFAULT }
                return Int64(got.signo)
            }
            if hasDeliverable || interrupted() { return -LinuxErrno.EINTR }
            var remaining: UInt64?
            if let deadline {
                let now = Hart.hostNanoseconds()
                if now >= deadline { return -LinuxErrno.EAGAIN }
                remaining = deadline - now
            }
            waitForHost(timeout: remaining) {
                !self.allQueued.intersection(wanted).isEmpty || self.hasDeliverable || self.interrupted()
            }
        }
    }

    /// Sleeps until a host signal (or the timeout), without the process lock; then takes the
    /// caught signals. With other threads, a thread that queues a signal for this one kicks it
    /// (`ThreadGroup.kickSignal`): the kick is blocked from before the last look at the queues
    /// (`ready`, under the lock) until the wait takes it, so a kick sent after that look stays
    /// pending and ends the wait at once rather than landing in the gap and being lost.
    private func waitForHost(timeout: UInt64?, unless ready: () -> Bool) {
        let catching = receivesHostSignals
        let kickable = shared.route != nil
        let saved = kickable ? HostSignals.block(ThreadGroup.kickSignal) : nil
        defer { if let saved { HostSignals.restore(saved) } }
        if ready() { return }
        let extra = kickable ? [ThreadGroup.kickSignal] : []
        if let lock { lock.released { HostSignals.wait(timeout: timeout, catching: catching, also: extra) } } else {
            HostSignals.wait(timeout: timeout, catching: catching, also: extra)
        }
        drainHost()
    }

    /// kill/tkill/tgkill to this process: signal 0 only checks that the target exists.
    func send(_ info: SignalInfo, toProcess: Bool = false) -> Int64 {
        if info.signo == 0 { return 0 }
        guard GuestSignal.isValid(info.signo) else { return -LinuxErrno.EINVAL }
        return (toProcess ? postToProcess(info) : post(info)) ? 0 : -LinuxErrno.EAGAIN
    }

    /// rt_sigqueueinfo to this process: the guest supplies the siginfo (any si_code is allowed
    /// when sending to oneself).
    func sendQueued(_ sig: Int32, info: UInt64, toProcess: Bool = false) -> Int64 {
        guard let b = try? memory.read(info, count: SignalInfo.size) else { return -LinuxErrno.EFAULT }
        var i = SignalInfo(raw: b)
        i.signo = sig
        return send(i, toProcess: toProcess)
    }

    /// rt_tgsigqueueinfo to another thread of this process (ESRCH if `tid` is not one of its
    /// threads). As in the kernel, a siginfo that claims to come from kill()/tkill() or the kernel
    /// (si_code ≥ 0 or SI_TKILL) may only be sent to oneself: EPERM.
    func sendQueuedToThread(_ tid: Int32, sig: Int32, info: UInt64) -> SignalSyscallResult? {
        guard let b = try? memory.read(info, count: SignalInfo.size) else { return .value(-LinuxErrno.EFAULT) }
        var i = SignalInfo(raw: b)
        i.signo = sig
        if i.code >= 0 || i.code == SignalInfo.tkill { return .value(-LinuxErrno.EPERM) }
        return sendToThread(tid, i) ?? .value(-LinuxErrno.ESRCH)
    }

    func setitimer(_ which: Int32, new: UInt64, old: UInt64) -> Int64 {
        guard which >= 0 && which <= 2 else { return -LinuxErrno.EINVAL }
        var value: [UInt64]?
        if new != 0 {
            guard let b = try? memory.read(new, count: 32) else { return -LinuxErrno.EFAULT }
            value = (0..<4).map { b.getLE($0 * 8) }
        }
        var previous: [UInt64] = []
        let r = HostSignals.setTimer(which, value, old: &previous)
        if r != 0 { return r }
        if old != 0 && !writeBytes(old, encodeWords(previous)) { return -LinuxErrno.EFAULT }
        return 0
    }

    func getitimer(_ which: Int32, value: UInt64) -> Int64 {
        guard which >= 0 && which <= 2 else { return -LinuxErrno.EINVAL }
        var current: [UInt64] = []
        let r = HostSignals.getTimer(which, &current)
        if r != 0 { return r }
        return writeBytes(value, encodeWords(current)) ? 0 : -LinuxErrno.EFAULT
    }

    func encodeWords(_ words: [UInt64]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: words.count * 8)
        for (i, w) in words.enumerated() { b.putLE(w, at: i * 8) }
        return b
    }
}
