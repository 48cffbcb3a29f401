#if canImport(Glibc)
import Glibc
#endif
import Guest
import Synchronization

/// One guest thread: a hart of its own, run by an engine of its own on a host thread of its own.
/// Its thread id is the host thread's (so the leader's is the process id, as on Linux).
public final class GuestThread: @unchecked Sendable {
    public let hart: Hart
    /// This thread's mask, pending signals and alternate stack (dispositions are shared).
    public let signals: SignalState
    public internal(set) var tid: Int32
    /// The host thread running it.
    var host: pthread_t
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread exits.
    var clearChildTID: UInt64 = 0
    /// The thread left with `exit` (not the whole process).
    var exitedAlone = false

    init(hart: Hart, signals: SignalState, tid: Int32, host: pthread_t) {
        self.hart = hart
        self.signals = signals
        self.tid = tid
        self.host = host
    }

    /// The guest thread the calling host thread runs (set for every thread but a process's first,
    /// whose host thread may run other things too).
    static var current: GuestThread? {
        guard let p = pthread_getspecific(currentKey) else { return nil }
        return Unmanaged<GuestThread>.fromOpaque(p).takeUnretainedValue()
    }

    /// Makes this the calling host thread's guest thread (it must stay alive while it runs).
    func becomeCurrent() { pthread_setspecific(GuestThread.currentKey, Unmanaged.passUnretained(self).toOpaque()) }

    nonisolated(unsafe) private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// The threads of one guest process, and how the process ends: `exit` ends one thread (the
/// leader's `exit` waits for the others, as the kernel keeps the process until the last thread
/// is gone), `exit_group`, a fatal signal, `--max-insns` or `--timeout` end them all.
///
/// The leader runs on the host thread that called `run` (host signals are routed there); when the
/// process ends from another thread, the leader is told through `stopRequested` (polled between
/// blocks like a signal) and kicked out of any blocking host call with `ThreadGroup.kickSignal`.
/// The other host threads need no stopping: they end with the host process.
public final class ThreadGroup: @unchecked Sendable {
    let lock = ProcessLock()
    /// By hart, for the syscalls (which get the hart) to find their thread.
    private var byHart: [ObjectIdentifier: GuestThread] = [:]
    public private(set) var leader: GuestThread
    /// Set once: how the process ended.
    public private(set) var endStatus: ExitStatus?
    let stopRequested = Atomic<Bool>(false)
    /// Instructions retired by threads that have ended (for `--stats` and `--max-insns`).
    let retiredByEnded = Atomic<UInt64>(0)
    /// The host thread that runs `run` and must return the status; nil in a forked child whose
    /// forking thread was not that thread (it then ends the host process itself).
    var returningHost: pthread_t?

    /// A host signal Trapeze keeps for itself (SIGRTMAX - 2, never forwarded): it only interrupts a blocking
    /// host call of the leader so that it sees `stopRequested`.
    static let kickSignal: Int32 = 62

    init(leader hart: Hart, signals: SignalState) {
        leader = GuestThread(hart: hart, signals: signals, tid: getpid(), host: pthread_self())
        byHart[ObjectIdentifier(hart)] = leader
        returningHost = pthread_self()
        ThreadGroup.installKick()
    }

    private static let kickInstalled: Bool = {
        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&sa.sa_mask)
        sa.sa_flags = 0  // no SA_RESTART: the blocking call returns EINTR
        sigaction(ThreadGroup.kickSignal, &sa, nil)
        return true
    }()
    static func installKick() { _ = kickInstalled }

    /// The thread running `hart` (the leader if the hart is unknown, as in tests that drive a
    /// hart of their own).
    func thread(_ hart: Hart) -> GuestThread {
        lock.locked { byHart[ObjectIdentifier(hart)] ?? leader }
    }

    var count: Int { lock.locked { byHart.count } }

    /// Every live thread (a snapshot).
    var all: [GuestThread] { lock.locked { Array(byHart.values) } }

    /// Queues a process-directed signal as Linux's complete_signal does: on the sending thread if
    /// it does not block it, else on the first thread that does not; a thread other than the
    /// caller is kicked out of a blocking call. If every thread blocks it, it goes to the shared
    /// pending set, where the first thread to unblock it (or to sigwait for it) takes it; every
    /// other thread is kicked so that one waiting in sigtimedwait looks again.
    func route(_ info: SignalInfo, from sender: SignalState) -> Bool {
        lock.locked {
            let threads = byHart.values
            guard sender.blocked.contains(info.signo) else { return sender.post(info) }
            guard let other = threads.first(where: { !$0.signals.blocked.contains(info.signo) }) else {
                let posted = sender.shared.postShared(info)
                for thread in threads where pthread_equal(thread.host, pthread_self()) == 0 {
                    pthread_kill(thread.host, ThreadGroup.kickSignal)
                }
                return posted
            }
            let posted = other.signals.post(info)
            if pthread_equal(other.host, pthread_self()) == 0 { pthread_kill(other.host, ThreadGroup.kickSignal) }
            return posted
        }
    }

    /// tkill/tgkill to thread `tid` of this process: nil if there is no such thread.
    func direct(_ tid: Int32, _ info: SignalInfo) -> Int64? {
        lock.locked {
            guard let thread = byHart.values.first(where: { $0.tid == tid }) else { return nil }
            if info.signo == 0 { return 0 }
            let posted = thread.signals.post(info)
            if pthread_equal(thread.host, pthread_self()) == 0 { pthread_kill(thread.host, ThreadGroup.kickSignal) }
            return posted ? 0 : -Int64(EAGAIN)
        }
    }
    public var threadCount: Int { count }

    func add(_ thread: GuestThread) {
        lock.locked { byHart[ObjectIdentifier(thread.hart)] = thread }
    }

    /// Instructions retired by all threads so far.
    public var retired: UInt64 {
        lock.locked {
            byHart.values.reduce(retiredByEnded.load(ordering: .relaxed)) { $0 &+ $1.hart.state.instret }
        }
    }

    /// A thread's engine returned. `exit` of a non-leader: clear and wake its child-tid word and
    /// forget it. Anything else ends the process.
    func finished(_ thread: GuestThread, _ status: ExitStatus, memory: GuestMemory) {
        let endsProcess: Bool = lock.locked {
            guard thread.exitedAlone && !stopRequested.load(ordering: .acquiring) else { return true }
            clearChildTID(thread, memory: memory)
            retiredByEnded.wrappingAdd(thread.hart.state.instret, ordering: .relaxed)
            byHart[ObjectIdentifier(thread.hart)] = nil
            lock.broadcast()
            return false
        }
        // Not under the lock: the leader needs it to return from the call the kick interrupts.
        if endsProcess { end(status) }
    }

    /// Zeroes the thread's clear-child-tid word and wakes one waiter on it (what pthread_join
    /// waits for), as the kernel does when a thread exits. The store goes through the
    /// fault-recovering copy: a word on a page past a file's end is skipped, as the kernel's
    /// put_user failing is.
    func clearChildTID(_ thread: GuestThread, memory: GuestMemory) {
        let address = thread.clearChildTID
        guard address != 0, address % 4 == 0, (try? memory.store(address, UInt32(0))) != nil,
              let p = memory.hostRange(address, 4, .write) else { return }
        _ = HostSyscall.call(.futex, Int(bitPattern: p), 1 /* FUTEX_WAKE */, Int(Int32.max), 0, 0, 0)
    }

    /// The process ends with `status` (the first status given wins): every thread is asked to stop.
    func end(_ status: ExitStatus) {
        lock.locked {
            if endStatus == nil { endStatus = status }
            stopRequested.store(true, ordering: .releasing)
            lock.broadcast()
        }
        // Without the lock (a syscall may hold it): the leader needs it to leave its call.
        lock.released { kickLeader() }
    }

    /// Interrupts the leader's blocking host call (repeatedly, as a kick can land just before the
    /// call starts) until it has seen the request; returns at once on the leader itself.
    func kickLeader() {
        guard let host = returningHost, pthread_equal(host, pthread_self()) == 0 else { return }
        for _ in 0..<400 {
            if leaderStopped.load(ordering: .acquiring) { return }
            pthread_kill(host, ThreadGroup.kickSignal)
            usleep(5_000)
        }
    }

    /// The leader saw `stopRequested` and is returning the status.
    let leaderStopped = Atomic<Bool>(false)

    /// The leader's engine returned `status` to `run`: any other thread stops at its next poll.
    public func leaderReturned(_ status: ExitStatus) {
        leaderStopped.store(true, ordering: .releasing)
        lock.locked {
            if endStatus == nil { endStatus = status }
            stopRequested.store(true, ordering: .releasing)
            lock.broadcast()
        }
    }

    /// The leader's `exit`: wait until every other thread has gone or the process ends.
    func leaderExit(_ code: Int32) -> ExitStatus {
        lock.locked {
            leader.exitedAlone = true
            while byHart.count > 1 && endStatus == nil { lock.wait() }
            if endStatus == nil { endStatus = .exited(code) }
            return endStatus!
        }
    }

    /// After a host fork in a thread: the child has only the forking thread, which leads it.
    func becameForkChild(_ thread: GuestThread) {
        byHart = [ObjectIdentifier(thread.hart): thread]
        thread.tid = getpid()
        thread.host = pthread_self()
        leader = thread
        if let host = returningHost, pthread_equal(host, pthread_self()) == 0 { returningHost = nil }
    }

    /// Ends the host process as `status` says, from a thread other than the one `run` returns on
    /// (a forked child of a thread).
    static func endHostProcess(_ status: ExitStatus) -> Never {
        if case .killed(let signal) = status {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = SIG_DFL
            sigaction(signal, &sa, nil)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signal)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(signal)
        }
        _exit(status.processStatus)
    }
}
