#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Host signals caught since the last drain, bit n−1 for signal n. The host handler only ORs a bit
/// in (a lock-free atomic, so async-signal-safe); the guest sees the signal when the engine next
/// polls `SignalState.pending`.
let hostPendingBits = Atomic<UInt64>(0)

/// The host thread that runs the guest (its `pthread_t`), or 0. A process-directed host signal
/// may land on any thread; the handler passes it on to this one, so that it is this thread's
/// blocking syscalls that see EINTR and its waits (`HostSignals.wait`) that wake.
let hostGuestThread = Atomic<UInt>(0)

/// The one file that touches host signal dispositions, masks and timers.
///
/// Trapeze never installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT or SIGSYS:
/// those mean Trapeze itself (or, for SIGSEGV/SIGBUS, the JIT's fault handling) is at work.
enum HostSignals {
    /// Forwarded to the guest for as long as Trapeze runs it.
    static let forwarded: [Int32] = [
        SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD,
        SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR,
    ]
    /// Job-control signals are forwarded only while the guest has a handler for them; otherwise
    /// the host's default stops (or continues) Trapeze as a whole, which is what the guest expects.
    static let jobControl: [Int32] = [SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT]
    /// Signals whose default is to be ignored are frequent and harmless: they restart interrupted
    /// host syscalls. The others interrupt them (EINTR), so a blocked guest syscall returns and the
    /// signal reaches the guest promptly.
    static let restarting: [Int32] = [SIGCHLD, SIGURG, SIGWINCH]

    static let handler: @convention(c) (Int32) -> Void = { sig in
        let target = hostGuestThread.load(ordering: .relaxed)
        if target != 0 && target != pthread_self() {
            pthread_kill(pthread_t(target), sig)
            return
        }
        if sig >= 1 && sig <= 64 { hostPendingBits.bitwiseOr(1 &<< UInt64(sig &- 1), ordering: .relaxed) }
    }

    /// Makes the calling thread the one host signals are routed to (0 to stop routing).
    static func routeToCurrentThread(_ on: Bool) {
        hostGuestThread.store(on ? pthread_self() : 0, ordering: .relaxed)
    }

    /// Takes the bits caught so far.
    static func take() -> UInt64 { hostPendingBits.exchange(0, ordering: .acquiring) }
    static var anyCaught: Bool { hostPendingBits.load(ordering: .relaxed) != 0 }

    static func catchSignal(_ sig: Int32, extraFlags: Int32 = 0) {
        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = handler
        sigemptyset(&sa.sa_mask)
        sa.sa_flags = (restarting.contains(sig) ? SA_RESTART : 0) | extraFlags
        sigaction(sig, &sa, nil)
    }

    static func setDisposition(_ sig: Int32, ignore: Bool) {
        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = ignore ? SIG_IGN : SIG_DFL
        sigemptyset(&sa.sa_mask)
        sigaction(sig, &sa, nil)
    }

    static func isIgnored(_ sig: Int32) -> Bool {
        var old = sigaction()
        guard sigaction(sig, nil, &old) == 0 else { return false }
        return isIgnore(old)
    }

    /// Whether a disposition is SIG_IGN.
    static func isIgnore(_ action: sigaction) -> Bool {
        unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// The previous dispositions, to put back in `restore`.
    static func saveDispositions() -> [(Int32, sigaction)] {
        (forwarded + jobControl).map { sig in
            var old = sigaction()
            sigaction(sig, nil, &old)
            return (sig, old)
        }
    }

    static func restore(_ saved: [(Int32, sigaction)]) {
        for (sig, old) in saved {
            var sa = old
            sigaction(sig, &sa, nil)
        }
    }

    /// The calling thread's host signal mask as a guest set (signals 1...31).
    static func currentMask() -> SignalSet {
        var cur = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &cur)
        var set = SignalSet.empty
        for sig in Int32(1)...31 where sigismember(&cur, sig) == 1 { set.insert(sig) }
        return set
    }

    /// Unblocks the forwarded signals on this thread: the guest's mask is emulated, so the host
    /// must let every forwarded signal in at once.
    static func unblockForwarded() {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in forwarded + jobControl { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    static func saveMask() -> sigset_t {
        var cur = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &cur)
        return cur
    }

    static func restoreMask(_ mask: sigset_t) {
        var m = mask
        pthread_sigmask(SIG_SETMASK, &m, nil)
    }

    /// Sets the host mask to the guest set (signals 1...31); used before exec, so the next program
    /// inherits the guest's mask.
    static func setMask(_ set: SignalSet) {
        var m = sigset_t()
        sigemptyset(&m)
        for sig in Int32(1)...31 where set.contains(sig) { sigaddset(&m, sig) }
        pthread_sigmask(SIG_SETMASK, &m, nil)
    }

    /// Sleeps until a caught host signal arrives or `timeout` nanoseconds pass; returns at once if
    /// one is already waiting. The signals are blocked while the bits are checked, so one arriving
    /// just before the sleep is not lost: it stays pending on this thread (the handler routes
    /// signals here) and ends the wait. Without host handlers (`catching` false) only the `also`
    /// signals can end it early. `also` signals (the thread kick, which the caller blocked before
    /// its last look at the guest's queues) are taken here and only wake the caller.
    static func wait(timeout: UInt64?, catching: Bool, also extra: [Int32] = []) {
        var ts = timespec(tv_sec: Int(truncatingIfNeeded: (timeout ?? 0) / 1_000_000_000),
                          tv_nsec: Int(truncatingIfNeeded: (timeout ?? 0) % 1_000_000_000))
        guard catching || !extra.isEmpty else {
            if timeout == nil { pause() } else { nanosleep(&ts, nil) }
            return
        }
        var set = sigset_t()
        sigemptyset(&set)
        for sig in (catching ? forwarded + jobControl : []) + extra { sigaddset(&set, sig) }
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &old)
        if !catching || !anyCaught {
            let sig = timeout == nil ? sigtimedwait(&set, nil, nil) : sigtimedwait(&set, nil, &ts)
            // `extra` signals (the thread kick) only wake the caller; the others are the guest's.
            if sig >= 1 && sig <= 64 && !extra.contains(sig) {
                hostPendingBits.bitwiseOr(1 &<< UInt64(sig &- 1), ordering: .relaxed)
            }
        }
        pthread_sigmask(SIG_SETMASK, &old, nil)
    }

    /// Blocks `sig` on this thread; returns the mask to put back.
    static func block(_ sig: Int32) -> sigset_t {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        pthread_sigmask(SIG_BLOCK, &set, &old)
        return old
    }

    /// Puts back a mask `block` returned.
    static func restore(_ mask: sigset_t) {
        var mask = mask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }

    /// The host `setitimer`/`getitimer` on the guest's `struct itimerval` (four 64-bit words, the same
    /// layout on riscv64 and x86-64). Returns 0 or −errno.
    static func setTimer(_ which: Int32, _ new: [UInt64]?, old: inout [UInt64]) -> Int64 {
        var n = itimerval(), o = itimerval()
        if let new, new.count == 4 {
            n.it_interval.tv_sec = Int(truncatingIfNeeded: new[0])
            n.it_interval.tv_usec = Int(truncatingIfNeeded: new[1])
            n.it_value.tv_sec = Int(truncatingIfNeeded: new[2])
            n.it_value.tv_usec = Int(truncatingIfNeeded: new[3])
        }
        guard setitimer(__itimer_which_t(which), &n, &o) == 0 else { return -Int64(errno) }
        old = words(o)
        return 0
    }

    static func getTimer(_ which: Int32, _ value: inout [UInt64]) -> Int64 {
        var o = itimerval()
        guard getitimer(__itimer_which_t(which), &o) == 0 else { return -Int64(errno) }
        value = words(o)
        return 0
    }

    private static func words(_ v: itimerval) -> [UInt64] {
        [UInt64(bitPattern: Int64(v.it_interval.tv_sec)), UInt64(bitPattern: Int64(v.it_interval.tv_usec)),
         UInt64(bitPattern: Int64(v.it_value.tv_sec)), UInt64(bitPattern: Int64(v.it_value.tv_usec))]
    }

    /// This process and thread, as the guest sees them (Trapeze runs the guest in its own process).
    static var processID: Int32 { getpid() }
    static var userID: UInt32 { getuid() }
    /// The calling thread's id, from /proc/thread-self ("PID/task/TID"); Glibc's module has no gettid.
    static var threadID: Int32 {
        var buf = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/thread-self", &buf, 63)
        guard n > 0 else { return getpid() }
        let text = String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) } ?? getpid()
    }
}
