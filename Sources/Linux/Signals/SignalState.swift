import Guest
import RISCV
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What a signal syscall hands back to the syscall dispatcher.
public enum SignalSyscallResult: Equatable, Sendable {
    /// Put this in a0 (−errno on failure) and advance pc by 4.
    case value(Int64)
    /// The call set the whole context itself (rt_sigreturn): leave a0 and pc alone.
    case continuation(Continuation)
}

/// One guest process's signals: dispositions, mask, pending queue, alternate stack, delivery on a
/// kernel-compatible riscv64 signal frame, and the bridge from host signals.
///
/// Guest threads share one `SignalState` (Trapeze runs one guest thread per process today).
/// Delivery happens only when an engine asks (`deliver`, `fault`), between blocks.
public final class SignalState {
    public let memory: GuestMemory
    /// What the threads of the process share: dispositions, the trampoline, the host bridge.
    let shared: SharedSignals
    /// Index 1...64; index 0 is unused. (The process's: shared by its threads.)
    public internal(set) var actions: [SignalAction] {
        get { shared.actions }
        set { shared.actions = newValue }
    }
    /// The guest's signal mask (this thread's).
    public internal(set) var blocked: SignalSet = .empty
    public internal(set) var altStack = SignalAltStack()
    /// Signals waiting for delivery to this thread, and their siginfo: one for a standard signal,
    /// a queue for a real-time one. A process-directed signal is queued on one thread that does
    /// not block it (`SharedSignals.route`).
    public internal(set) var queued: SignalSet = .empty
    var queue: [[SignalInfo]]
    /// The mask rt_sigsuspend replaced, restored when the handler it waited for returns.
    var savedMask: SignalSet?
    /// The guest address of the sigreturn trampoline, once mapped.
    public internal(set) var trampolineAddress: UInt64? {
        get { shared.trampolineAddress }
        set { shared.trampolineAddress = newValue }
    }
    /// Set by `installHostHandlers`; only then are caught host signals taken as this guest's.
    public internal(set) var receivesHostSignals: Bool {
        get { shared.receivesHostSignals }
        set { shared.receivesHostSignals = newValue }
    }
    var savedHostDispositions: [(Int32, sigaction)]? {
        get { shared.savedHostDispositions }
        set { shared.savedHostDispositions = newValue }
    }
    var savedHostMask: sigset_t? {
        get { shared.savedHostMask }
        set { shared.savedHostMask = newValue }
    }
    /// The process lock, let go while waiting for a signal (Threads/).
    var lock: ProcessLock? {
        get { shared.lock }
        set { shared.lock = newValue }
    }
    /// True when the waits must end because another thread ended the process.
    var interrupted: () -> Bool {
        get { shared.interrupted }
        set { shared.interrupted = newValue }
    }

    /// Disassembles the faulting instruction for the one-line fault report (objdump syntax, with
    /// a space for objdump's tab); nil leaves the instruction out.
    public var disassemble: ((Instruction, UInt64) -> String)? = { instruction, pc in
        String(RISCV.disassemble(instruction, pc: pc).map { $0 == "\t" ? " " : $0 })
    }
    /// Where `trapeze:` fault reports go; stderr by default, one line each.
    public var report: (String) -> Void = { line in
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Real-time signals queue up to this many instances each; more are dropped (EAGAIN for sigqueue).
    static let queueLimit = 1024

    public init(memory: GuestMemory) {
        self.memory = memory
        shared = SharedSignals()
        queue = Array(repeating: [], count: Int(GuestSignal.count) + 1)
    }

    /// A new thread's signals (clone with CLONE_SIGHAND): the creator's dispositions, shared, and
    /// its mask; nothing pending and no alternate stack, as on Linux.
    init(threadOf creator: SignalState) {
        memory = creator.memory
        shared = creator.shared
        queue = Array(repeating: [], count: Int(GuestSignal.count) + 1)
        blocked = creator.blocked
        disassemble = creator.disassemble
        report = creator.report
    }

    // MARK: Queueing

    /// Cheap check, polled by engines between blocks: is a signal ready for `deliver`?
    /// Caught host signals are taken into the queue here (only when there are any), so one the
    /// guest ignores is already gone: after a host EINTR, `pending` false means "restart".
    public var pending: Bool {
        if receivesHostSignals && HostSignals.anyCaught {
            if let lock { lock.locked { drainHost() } } else { drainHost() }
        }
        return (queued.raw | shared.processQueuedBits.load(ordering: .acquiring)) & ~blocked.raw != 0
    }

    /// What is pending for this thread: its own signals and the process's shared ones.
    var allQueued: SignalSet { queued.union(shared.processQueued) }

    /// Queue a signal for this process (a forwarded host signal, a debugger's), as sent by the kernel.
    public func raise(_ signal: Int32) {
        postToProcess(SignalInfo(signo: signal, code: SignalInfo.kernel))
    }

    /// A process-directed signal: queued on a thread that does not block it (this one if it can
    /// take it), which is woken if it waits in a host call.
    @discardableResult
    func postToProcess(_ info: SignalInfo) -> Bool {
        if let route = shared.route { return route(info, self) }
        return post(info)
    }

    /// Generates a signal for this thread: discarded at once if the guest ignores it and does not block it (so it
    /// never wakes rt_sigsuspend), merged with a pending instance if it is a standard signal.
    /// Returns false if a real-time queue is full.
    @discardableResult
    public func post(_ info: SignalInfo) -> Bool {
        let sig = info.signo
        guard GuestSignal.isValid(sig) else { return false }
        if !blocked.contains(sig) && actions[Int(sig)].ignores(sig) { return true }
        if sig < GuestSignal.rtMin && queued.contains(sig) { return true }
        if queue[Int(sig)].count >= SignalState.queueLimit { return false }
        queue[Int(sig)].append(info)
        queued.insert(sig)
        return true
    }

    /// The kernel's force_sig, for a signal the guest's own instruction caused: it cannot be
    /// blocked or ignored; if it is, the disposition goes back to the default (and the guest dies).
    func force(_ info: SignalInfo) {
        let sig = Int(info.signo)
        if blocked.contains(info.signo) || actions[sig].isIgnore { actions[sig].handler = SignalAction.defaultHandler }
        blocked.remove(info.signo)
        queue[sig].insert(info, at: 0)
        queued.insert(info.signo)
    }

    /// The next signal of `allowed`: this thread's own first, then the process's shared ones
    /// (the kernel's dequeue_signal order).
    func dequeue(_ allowed: SignalSet) -> SignalInfo? {
        if let sig = queued.intersection(allowed).first {
            let info = queue[Int(sig)].removeFirst()
            if queue[Int(sig)].isEmpty { queued.remove(sig) }
            return info
        }
        return shared.dequeueShared(allowed)
    }

    func flush(_ sig: Int32) {
        queue[Int(sig)].removeAll()
        queued.remove(sig)
        shared.flushShared(sig)
    }

    /// Moves caught host signals into the queue, if this state installed the host handlers.
    func drainHost() {
        guard receivesHostSignals else { return }
        var bits = HostSignals.take()
        while bits != 0 {
            raise(Int32(bits.trailingZeroBitCount) + 1)
            bits &= bits &- 1
        }
    }

    /// True when some pending signal is not blocked.
    var hasDeliverable: Bool { !allQueued.subtracting(blocked).isEmpty }

    /// Called in the child after a host fork: pending signals are not inherited; handlers, mask
    /// and alternate stack are.
    public func didFork() {
        for sig in 1...Int(GuestSignal.count) {
            queue[sig].removeAll()
            shared.flushShared(Int32(sig))
        }
        queued = .empty
        if receivesHostSignals { _ = HostSignals.take() }
    }

    /// A blocking host syscall emulated for the guest returned EINTR. True: re-issue it after
    /// delivery (leave pc on the ecall and a0 as it was, and return `.resume`), as the kernel does
    /// when the handler has SA_RESTART or no handler runs; false: give the guest −EINTR.
    /// (Every interrupted syscall counts as restartable; nanosleep-style remaining-time restarts
    /// and the never-restarted calls like pause are the caller's to special-case.)
    public func shouldRestartSyscall() -> Bool {
        drainHost()
        guard let sig = allQueued.subtracting(blocked).first else { return true }
        let action = actions[Int(sig)]
        return !action.isHandler || action.flags & SignalAction.restart != 0
    }

    /// Changes a disposition, as rt_sigaction does after its checks.
    func setAction(_ sig: Int32, _ action: SignalAction) {
        actions[Int(sig)] = action
        // Setting SIG_IGN (or a default that ignores) discards what is pending.
        if action.ignores(sig) { flush(sig) }
        if action.isHandler && trampolineAddress == nil { trampolineAddress = SignalTrampoline.map(in: memory) }
        if receivesHostSignals { followOnHost(sig) }
    }
}

/// The part of signal state a process's threads share (CLONE_SIGHAND): dispositions, the
/// sigreturn trampoline, the bridge from host signals, and how a signal finds its thread.
final class SharedSignals {
    var actions = Array(repeating: SignalAction(), count: Int(GuestSignal.count) + 1)
    var trampolineAddress: UInt64?
    var receivesHostSignals = false
    var savedHostDispositions: [(Int32, sigaction)]?
    var savedHostMask: sigset_t?
    var lock: ProcessLock?
    var interrupted: () -> Bool = { false }
    /// Queues a process-directed signal on some thread (the process's `ThreadGroup`); the
    /// argument is the sending thread's state. Nil: on the sender.
    var route: ((SignalInfo, SignalState) -> Bool)?
    /// tkill/tgkill to another thread of this process: the result, or nil if `tid` is not one.
    var directed: ((Int32, SignalInfo) -> Int64?)?

    /// Linux's shared pending set: process-directed signals that every thread blocked when they
    /// came. Every thread sees them (sigpending), and the first to unblock one, or to wait for it
    /// in sigtimedwait, takes it. Changed under the process lock; `processQueuedBits` mirrors the
    /// set for the engines' lock-free polling.
    private var processQueue = Array(repeating: [SignalInfo](), count: Int(GuestSignal.count) + 1)
    let processQueuedBits = Atomic<UInt64>(0)
    var processQueued: SignalSet { SignalSet(raw: processQueuedBits.load(ordering: .acquiring)) }

    /// Queues `info` on the shared set: a standard signal merges with a pending instance; false if
    /// a real-time queue is full.
    func postShared(_ info: SignalInfo) -> Bool {
        let sig = info.signo
        guard GuestSignal.isValid(sig) else { return false }
        if sig < GuestSignal.rtMin && processQueued.contains(sig) { return true }
        if processQueue[Int(sig)].count >= SignalState.queueLimit { return false }
        processQueue[Int(sig)].append(info)
        processQueuedBits.bitwiseOr(SignalSet.bit(sig), ordering: .releasing)
        return true
    }

    func dequeueShared(_ allowed: SignalSet) -> SignalInfo? {
        guard let sig = processQueued.intersection(allowed).first, !processQueue[Int(sig)].isEmpty else { return nil }
        let info = processQueue[Int(sig)].removeFirst()
        if processQueue[Int(sig)].isEmpty { processQueuedBits.bitwiseAnd(~SignalSet.bit(sig), ordering: .releasing) }
        return info
    }

    func flushShared(_ sig: Int32) {
        guard processQueued.contains(sig) else { return }
        processQueue[Int(sig)].removeAll()
        processQueuedBits.bitwiseAnd(~SignalSet.bit(sig), ordering: .releasing)
    }
}
