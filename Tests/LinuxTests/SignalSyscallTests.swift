import Guest
import Linux
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SignalSyscallTests {
    static let act = SignalFixture.scratch
    static let old = SignalFixture.scratch + 0x80

    @Test func sigactionRoundTripAndChecks() {
        let g = SignalFixture()
        // SA_UNSUPPORTED (0x400) and other unknown bits are dropped, SIGKILL leaves the mask.
        let flags = SignalAction.siginfo | SignalAction.restart | 0x400 | 0x0400_0000
        #expect(g.install(GuestSignal.usr1, flags: flags, mask: SignalSet([GuestSignal.kill, GuestSignal.term]).raw) == 0)
        #expect(g.value(134, [UInt64(GuestSignal.usr1), 0, Self.old, 8]) == 0)
        #expect(g.word(Self.old) == SignalFixture.handler)
        #expect(g.word(Self.old + 8) == SignalAction.siginfo | SignalAction.restart)
        #expect(g.word(Self.old + 16) == SignalSet([GuestSignal.term]).raw)
        // Replacing returns the previous action.
        g.writeWords(Self.act, [SignalAction.ignoreHandler, 0, 0])
        #expect(g.value(134, [UInt64(GuestSignal.usr1), Self.act, Self.old, 8]) == 0)
        #expect(g.word(Self.old) == SignalFixture.handler)
        #expect(g.signals.actions[Int(GuestSignal.usr1)].isIgnore)

        #expect(g.value(134, [UInt64(GuestSignal.usr1), Self.act, 0, 16]) == -22)    // sigsetsize
        #expect(g.value(134, [0, Self.act, 0, 8]) == -22)
        #expect(g.value(134, [65, Self.act, 0, 8]) == -22)
        #expect(g.value(134, [UInt64(GuestSignal.stop), Self.act, 0, 8]) == -22)
        #expect(g.value(134, [UInt64(GuestSignal.kill), 0, Self.old, 8]) == 0)      // reading is fine
        #expect(g.value(134, [UInt64(GuestSignal.usr2), 0x10, 0, 8]) == -14)
        #expect(g.value(134, [UInt64(GuestSignal.usr2), 0, SignalFixture.code, 8]) == -14)   // read-only
    }

    @Test func sigprocmask() {
        let g = SignalFixture()
        let set = SignalFixture.scratch + 0x100
        #expect(g.mask(0, [GuestSignal.usr1, GuestSignal.kill, GuestSignal.stop]) == 0)
        #expect(g.signals.blocked == SignalSet([GuestSignal.usr1]))
        #expect(g.mask(0, [GuestSignal.term]) == 0)
        #expect(g.mask(1, [GuestSignal.usr1]) == 0)
        #expect(g.value(135, [0, 0, Self.old, 8]) == 0)
        #expect(g.word(Self.old) == SignalSet([GuestSignal.term]).raw)
        #expect(g.mask(2, [GuestSignal.hup]) == 0)
        #expect(g.signals.blocked == SignalSet([GuestSignal.hup]))
        #expect(g.value(135, [3, set, 0, 8]) == -22)
        #expect(g.value(135, [0, set, 0, 4]) == -22)
        #expect(g.value(135, [0, 0x10, 0, 8]) == -14)
    }

    @Test func sigpendingChecksSize() {
        let g = SignalFixture()
        #expect(g.value(136, [Self.old, 9]) == -22)
        #expect(g.value(136, [0x10, 8]) == -14)
        g.mask(0, [GuestSignal.usr1])
        g.killSelf(GuestSignal.usr1)
        g.writeWords(Self.old, [UInt64.max])
        #expect(g.value(136, [Self.old, 1]) == 0)   // writes only the bytes asked for
        #expect(g.word(Self.old) == UInt64(0xffff_ffff_ffff_ff00))
    }

    @Test func sigtimedwaitTakesWithoutRunningTheHandler() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1)
        g.mask(0, [GuestSignal.usr1])
        g.killSelf(GuestSignal.usr1)
        let set = SignalFixture.scratch + 0x100, info = SignalFixture.scratch + 0x200, ts = SignalFixture.scratch + 0x300
        g.writeWords(set, [SignalSet([GuestSignal.usr1]).raw])
        g.writeWords(ts, [0, 0])
        #expect(g.value(137, [set, info, ts, 8]) == 10)
        #expect(g.word32(info) == 10)
        #expect(g.word32(info + 16) == UInt32(getpid()))
        #expect(g.hart.state.pc == SignalFixture.code + 0x40)
        // Nothing left: a zero timeout polls; a short one expires.
        #expect(g.value(137, [set, info, ts, 8]) == -11)
        g.writeWords(ts, [0, 2_000_000])
        #expect(g.value(137, [set, 0, ts, 8]) == -11)
        g.writeWords(ts, [0, 1_000_000_000])
        #expect(g.value(137, [set, 0, ts, 8]) == -22)
        #expect(g.value(137, [set, 0, ts, 4]) == -22)
    }

    @Test func killTargets() {
        let g = SignalFixture()
        let pid = UInt64(getpid())
        // Other processes are the caller's to signal on the host.
        #expect(g.call(129, [pid + 1, 10]) == nil)
        #expect(g.call(129, [0, 10]) == nil)
        #expect(g.call(131, [pid + 1, pid, 10]) == nil)
        #expect(g.value(129, [pid, 0]) == 0)
        #expect(g.value(129, [pid, 65]) == -22)
        #expect(g.value(130, [0, 10]) == -22)
        g.mask(0, [GuestSignal.usr1, GuestSignal.usr2, 35])
        #expect(g.value(131, [pid, pid, UInt64(GuestSignal.usr1)]) == 0)
        #expect(g.value(130, [pid, UInt64(GuestSignal.usr2)]) == 0)
        // rt_sigqueueinfo carries the guest's own siginfo (si_code SI_QUEUE, si_value).
        let info = SignalFixture.scratch + 0x200
        g.writeWords(info, [0, 0xffff_ffff, UInt64(pid), 0xabcd])
        #expect(g.value(138, [pid, 35, info]) == 0)
        #expect(g.signals.queued == SignalSet([GuestSignal.usr1, GuestSignal.usr2, 35]))
        let set = SignalFixture.scratch + 0x100
        g.writeWords(set, [SignalSet([35]).raw])
        g.writeWords(SignalFixture.scratch + 0x300, [0, 0])
        #expect(g.value(137, [set, info + 0x80, SignalFixture.scratch + 0x300, 8]) == 35)
        #expect(g.word32(info + 0x80) == 35)
        #expect(g.word32(info + 0x88) == 0xffff_ffff)
        #expect(g.word(info + 0x98) == 0xabcd)
    }

    @Test func unrelatedSyscallsAreNotTaken() {
        let g = SignalFixture()
        for n in [63, 64, 93, 94, 172, 220] { #expect(g.call(n, [0, 0, 0, 0]) == nil) }
    }

    @Test func itimerArgumentChecks() {
        let g = SignalFixture()
        #expect(g.value(103, [3, 0, 0]) == -22)
        #expect(g.value(102, [7, Self.old]) == -22)
        #expect(g.value(103, [0, 0x10, 0]) == -14)
        // A disarmed virtual timer reads back as zero.
        #expect(g.value(102, [1, Self.old]) == 0)
        #expect(g.word(Self.old + 16) == 0 && g.word(Self.old + 24) == 0)
    }
}
