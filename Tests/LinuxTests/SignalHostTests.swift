import Guest
import Linux
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Host signal dispositions are process-wide, so these run one at a time and put them back.
// The limit is generous: under a loaded 2-core CI machine the cooperative pool is shared with
// hundreds of process-spawning fixture tests, and the clock runs while this test waits for a thread.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SignalHostTests {
    /// Waits (briefly) for a host signal to reach the guest's queue.
    func waitPending(_ g: SignalFixture) -> Bool {
        for _ in 0..<200 where !g.signals.pending { usleep(1000) }
        return g.signals.pending
    }

    @Test func installTakesTheHostMaskAndUninstallRestoresIt() {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let g = SignalFixture()
        g.signals.installHostHandlers()
        #expect(g.signals.blocked.contains(GuestSignal.usr1))
        var now = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &now)
        #expect(sigismember(&now, SIGUSR1) == 0)
        g.signals.uninstallHostHandlers()
        pthread_sigmask(SIG_BLOCK, nil, &now)
        #expect(sigismember(&now, SIGUSR1) == 1)
    }

    @Test func hostSignalsBecomeGuestSignals() {
        let g = SignalFixture()
        g.signals.installHostHandlers()
        defer { g.signals.uninstallHostHandlers() }
        // The guest inherits the host thread's mask; a test worker thread blocks most signals.
        g.mask(2, [])
        g.install(GuestSignal.usr2)
        kill(getpid(), SIGUSR2)
        #expect(waitPending(g))
        #expect(g.signals.deliver(g.hart) == .resume)
        #expect(g.hart.state.pc == SignalFixture.handler)
        #expect(g.hart.state.x(10) == 12)
        // A host SIGPIPE does not kill Trapeze: the guest dies of it instead.
        kill(getpid(), SIGPIPE)
        #expect(waitPending(g))
        #expect(g.signals.deliver(g.hart) == .stop(.signaled(13)))
    }

    @Test func realTimerDeliversSIGALRM() {
        let g = SignalFixture()
        g.signals.installHostHandlers()
        defer { g.signals.uninstallHostHandlers() }
        // The guest inherits the host thread's mask; a test worker thread blocks most signals.
        g.mask(2, [])
        g.install(GuestSignal.alrm)
        let it = SignalFixture.scratch + 0x200
        g.writeWords(it, [0, 0, 0, 5000])   // once, in 5 ms
        #expect(g.value(103, [0, it, 0]) == 0)
        // pause(): rt_sigsuspend with the current (empty) mask sleeps until SIGALRM.
        g.writeWords(SignalFixture.scratch + 0x100, [0])
        #expect(g.value(133, [SignalFixture.scratch + 0x100, 8]) == -4)
        #expect(g.signals.deliver(g.hart) == .resume)
        #expect(g.hart.state.x(10) == 14)
        #expect(g.word32(g.hart.state.x(11) + 8) == 0x80)   // SI_KERNEL
    }

    @Test func ignoredGuestSignalIsIgnoredOnTheHost() {
        let g = SignalFixture()
        g.signals.installHostHandlers()
        defer { g.signals.uninstallHostHandlers() }
        // The guest inherits the host thread's mask; a test worker thread blocks most signals.
        g.mask(2, [])
        g.install(GuestSignal.hup, handler: SignalAction.ignoreHandler)
        var sa = sigaction()
        sigaction(SIGHUP, nil, &sa)
        #expect(unsafeBitCast(sa.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self))
        kill(getpid(), SIGHUP)
        usleep(2000)
        #expect(!g.signals.pending)
        g.install(GuestSignal.hup)
        kill(getpid(), SIGHUP)
        #expect(waitPending(g))
    }
}
