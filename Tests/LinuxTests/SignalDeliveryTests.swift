import Guest
import Linux
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Frame offsets written out from the uapi headers (and checked with riscv64-linux-gnu-gcc's
/// offsetof): siginfo 0, ucontext 128 = {flags +0, link +8, stack +16, sigmask +40, mcontext +176},
/// mcontext = {pc, x1..x31, f0..f31, fcsr, 12 reserved bytes}, 1088 bytes in all.
private enum Layout {
    static let size: UInt64 = 1088
    static let uc: UInt64 = 128
    static let ucStack: UInt64 = 128 + 16
    static let ucSigmask: UInt64 = 128 + 40
    static let mc: UInt64 = 128 + 176
    static func x(_ i: Int) -> UInt64 { mc + 8 * UInt64(i) }
    static func f(_ i: Int) -> UInt64 { mc + 256 + 8 * UInt64(i) }
    static let fcsr: UInt64 = mc + 512
    static let reserved: UInt64 = mc + 516
}

@Suite struct SignalDeliveryTests {
    @Test func frameLayoutEntryRegistersAndHandlerMask() throws {
        let g = SignalFixture()
        g.fillRegisters()
        g.mask(2, [GuestSignal.hup])
        #expect(g.install(GuestSignal.usr1, flags: SignalAction.siginfo, mask: SignalSet([GuestSignal.usr2]).raw) == 0)
        #expect(g.killSelf(GuestSignal.usr1) == 0)
        #expect(g.signals.pending)
        // Registers as they were when the signal arrived (kill set a0/a1/a7).
        let before = (0..<32).map { g.hart.state.x($0) }
        let pc = g.hart.state.pc

        #expect(g.signals.deliver(g.hart) == .resume)
        #expect(!g.signals.pending)

        let frame = (SignalFixture.initialSP - Layout.size) & ~15
        let s = g.hart.state
        #expect(s.x(2) == frame)
        #expect(s.x(10) == 10)
        #expect(s.x(11) == frame)
        #expect(s.x(12) == frame + Layout.uc)
        #expect(s.pc == SignalFixture.handler)
        #expect(!s.reservationValid)
        let trampoline = try #require(g.signals.trampolineAddress)
        #expect(s.x(1) == trampoline)
        // The trampoline is `li a7, 139; ecall`, readable and executable but not writable.
        #expect(g.word32(trampoline) == 0x08b0_0893)
        #expect(g.word32(trampoline + 4) == 0x0000_0073)
        #expect(g.memory.pageFlags(trampoline).contains([.read, .execute]))
        #expect(!g.memory.pageFlags(trampoline).contains(.write))

        // siginfo: signo, errno, code SI_USER, si_pid, si_uid.
        #expect(g.word32(frame) == 10)
        #expect(g.word32(frame + 4) == 0)
        #expect(g.word32(frame + 8) == 0)
        #expect(g.word32(frame + 16) == UInt32(getpid()))
        #expect(g.word32(frame + 20) == getuid())
        // ucontext header: no flags, no link, alternate stack disabled (SS_DISABLE, 0, 0).
        #expect(g.word(frame + Layout.uc) == 0)
        #expect(g.word(frame + Layout.uc + 8) == 0)
        #expect(g.word(frame + Layout.ucStack) == 0)
        #expect(g.word32(frame + Layout.ucStack + 8) == 2)
        #expect(g.word(frame + Layout.ucStack + 16) == 0)
        #expect(g.word(frame + Layout.ucSigmask) == SignalSet([GuestSignal.hup]).raw)
        // mcontext: pc, x1..x31, f0..f31, fcsr, zeroed reserved words.
        #expect(g.word(frame + Layout.mc) == pc)
        for i in 1..<32 { #expect(g.word(frame + Layout.x(i)) == before[i], "x\(i)") }
        for i in 0..<32 { #expect(g.word(frame + Layout.f(i)) == 0xffff_ffff_4000_0000 | UInt64(i), "f\(i)") }
        #expect(g.word32(frame + Layout.fcsr) == 0x75)
        #expect(try g.memory.read(frame + Layout.reserved, count: 12) == [UInt8](repeating: 0, count: 12))

        // During the handler: old mask ∪ sa_mask ∪ the signal itself.
        #expect(g.signals.blocked == SignalSet([GuestSignal.hup, GuestSignal.usr1, GuestSignal.usr2]))
    }

    @Test func sigreturnRestoresEverythingIncludingHandlerEdits() throws {
        let g = SignalFixture()
        g.fillRegisters()
        g.install(GuestSignal.usr1)
        g.killSelf(GuestSignal.usr1)
        let saved = (0..<32).map { g.hart.state.x($0) }
        let pc = g.hart.state.pc
        _ = g.signals.deliver(g.hart)
        let frame = g.hart.state.x(2)

        // The handler edits its ucontext: resume 8 bytes later, change t0 and f3, the fcsr and mask.
        g.writeWords(frame + Layout.mc, [pc + 8])
        g.writeWords(frame + Layout.x(5), [0xdead_beef])
        g.writeWords(frame + Layout.f(3), [0x4008_0000_0000_0000])
        try g.memory.write(frame + Layout.fcsr, [0x41, 0, 0, 0])
        g.writeWords(frame + Layout.ucSigmask, [SignalSet([GuestSignal.term, GuestSignal.kill]).raw])
        // ...and clobbers registers before returning through the trampoline with sp at the frame.
        for i in 1..<32 where i != 2 { g.hart.state.setX(i, 0x5555) }
        for i in 0..<32 { g.hart.state.setF(i, 0) }
        g.hart.state.fcsr = 0
        g.hart.state.reservationValid = true
        g.hart.state.pc = try #require(g.signals.trampolineAddress) + 4

        #expect(g.call(139, []) == .continuation(.resume))
        let s = g.hart.state
        #expect(s.pc == pc + 8)
        for i in 1..<32 where i != 5 { #expect(s.x(i) == saved[i], "x\(i)") }
        #expect(s.x(5) == 0xdead_beef)
        for i in 0..<32 where i != 3 { #expect(s.f(i) == 0xffff_ffff_4000_0000 | UInt64(i), "f\(i)") }
        #expect(s.f(3) == 0x4008_0000_0000_0000)
        #expect(s.fcsr == 0x41)
        #expect(!s.reservationValid)
        // SIGKILL cannot be blocked, even through a frame.
        #expect(g.signals.blocked == SignalSet([GuestSignal.term]))
    }

    @Test func sigreturnWithBadFrameKillsWithSIGSEGV() {
        let g = SignalFixture()
        g.hart.state.setX(2, 0x4000_0000)   // unmapped
        #expect(g.call(139, []) == .continuation(.stop(.signaled(11))))
        #expect(g.reports.count == 1)
        #expect(g.reports.first?.contains("bad signal frame at 0x40000000 (SIGSEGV)") == true)

        // Nonzero reserved bytes are an unknown extension: also a bad frame.
        let h = SignalFixture()
        h.install(GuestSignal.usr1)
        h.killSelf(GuestSignal.usr1)
        _ = h.signals.deliver(h.hart)
        try! h.memory.write(h.hart.state.x(2) + Layout.reserved + 4, [1])
        #expect(h.call(139, []) == .continuation(.stop(.signaled(11))))
    }

    @Test func alternateStack() throws {
        let g = SignalFixture()
        let alt: UInt64 = 0x7100_0000, altSize: UInt64 = 0x4000
        g.memory.mapAnonymous(alt, altSize, [.read, .write])
        let ss = SignalFixture.scratch + 0x200, oss = SignalFixture.scratch + 0x300
        // Too small, bad flags, then a good one; the old one reads back as disabled.
        g.writeWords(ss, [alt, 0, 1024])
        #expect(g.value(132, [ss, 0]) == -12)
        g.writeWords(ss, [alt, 5, altSize])
        #expect(g.value(132, [ss, 0]) == -22)
        g.writeWords(ss, [alt, 0, altSize])
        #expect(g.value(132, [ss, oss]) == 0)
        #expect(g.word32(oss + 8) == 2)

        g.install(GuestSignal.usr2, flags: SignalAction.onStack)
        g.killSelf(GuestSignal.usr2)
        _ = g.signals.deliver(g.hart)
        let frame = g.hart.state.x(2)
        #expect(frame == (alt + altSize - Layout.size) & ~15)
        // The frame remembers the stack, and that the interrupted code was not on it.
        #expect(g.word(frame + Layout.ucStack) == alt)
        #expect(g.word32(frame + Layout.ucStack + 8) == 0)
        #expect(g.word(frame + Layout.ucStack + 16) == altSize)

        // In the handler: sigaltstack reports SS_ONSTACK and refuses changes.
        #expect(g.value(132, [0, oss]) == 0)
        #expect(g.word32(oss + 8) == 1)
        g.writeWords(ss, [0, 2, 0])
        #expect(g.value(132, [ss, 0]) == -1)

        // A second signal nests on the alternate stack, below the first frame.
        g.install(GuestSignal.usr1, flags: SignalAction.onStack)
        g.killSelf(GuestSignal.usr1)
        _ = g.signals.deliver(g.hart)
        #expect(g.hart.state.x(2) == (frame - Layout.size) & ~15)
        #expect(g.word32(g.hart.state.x(2) + Layout.ucStack + 8) == 1)
    }

    @Test func alternateStackOverflowIsSIGSEGV() {
        let g = SignalFixture()
        let alt: UInt64 = 0x7100_0000
        g.memory.mapAnonymous(alt, 0x1000, [.read, .write])
        g.writeWords(SignalFixture.scratch + 0x200, [alt, 0, 2048])
        #expect(g.value(132, [SignalFixture.scratch + 0x200, 0]) == 0)
        g.install(GuestSignal.usr1, flags: SignalAction.onStack | SignalAction.noDefer)
        g.killSelf(GuestSignal.usr1)
        _ = g.signals.deliver(g.hart)
        #expect(g.hart.state.x(2) > alt)
        // 2048 bytes hold one 1088-byte frame, not two.
        g.killSelf(GuestSignal.usr1)
        #expect(g.signals.deliver(g.hart) == .stop(.signaled(11)))
        #expect(g.reports.first?.contains("cannot deliver SIGUSR1") == true)
    }

    @Test func resetHandAndNoDefer() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1, flags: SignalAction.resetHand | SignalAction.noDefer)
        g.killSelf(GuestSignal.usr1)
        #expect(g.signals.deliver(g.hart) == .resume)
        #expect(g.hart.state.pc == SignalFixture.handler)
        #expect(!g.signals.blocked.contains(GuestSignal.usr1))
        #expect(g.signals.actions[Int(GuestSignal.usr1)].isDefault)
        // Back at the default: the second SIGUSR1 terminates, silently.
        g.killSelf(GuestSignal.usr1)
        #expect(g.signals.deliver(g.hart) == .stop(.signaled(10)))
        #expect(g.reports.isEmpty)
    }

    @Test func blockedSignalsWaitUntilUnblocked() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1)
        g.mask(0, [GuestSignal.usr1])
        g.killSelf(GuestSignal.usr1)
        #expect(!g.signals.pending)
        #expect(g.signals.deliver(g.hart) == .resume)
        #expect(g.hart.state.pc == SignalFixture.code + 0x40)
        // rt_sigpending reports it.
        let set = SignalFixture.scratch + 0x400
        #expect(g.value(136, [set, 8]) == 0)
        #expect(g.word(set) == SignalSet([GuestSignal.usr1]).raw)
        // Unblocking makes it deliverable.
        g.mask(1, [GuestSignal.usr1])
        #expect(g.signals.pending)
        #expect(g.signals.deliver(g.hart) == .resume)
        #expect(g.hart.state.pc == SignalFixture.handler)
        #expect(g.value(136, [set, 8]) == 0)
        #expect(g.word(set) == 0)
    }

    @Test func standardSignalsMergeRealTimeSignalsQueue() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1, flags: SignalAction.noDefer)
        g.install(34, flags: SignalAction.noDefer)
        g.mask(2, [GuestSignal.usr1, 34])
        for _ in 0..<3 { g.killSelf(GuestSignal.usr1); g.killSelf(34) }
        g.mask(2, [])
        // One SIGUSR1 and three signal-34 frames, nested on the stack.
        _ = g.signals.deliver(g.hart)
        var signos: [UInt32] = []
        var sp = g.hart.state.x(2)
        while sp < SignalFixture.initialSP {
            signos.append(g.word32(sp))
            sp = g.word(sp + Layout.x(2))
        }
        #expect(signos.sorted() == [10, 34, 34, 34])
    }

    @Test func handlerMaskAndSigsuspend() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1)
        g.mask(2, [GuestSignal.usr1])
        g.killSelf(GuestSignal.usr1)
        // rt_sigsuspend with an empty mask wakes at once for the pending SIGUSR1.
        g.writeWords(SignalFixture.scratch + 0x500, [0])
        #expect(g.value(133, [SignalFixture.scratch + 0x500, 8]) == -4)
        _ = g.signals.deliver(g.hart)
        let frame = g.hart.state.x(2)
        #expect(g.hart.state.pc == SignalFixture.handler)
        // The frame keeps the mask from before the suspend, which sigreturn brings back.
        #expect(g.word(frame + Layout.ucSigmask) == SignalSet([GuestSignal.usr1]).raw)
        #expect(g.call(139, []) == .continuation(.resume))
        #expect(g.signals.blocked == SignalSet([GuestSignal.usr1]))
    }

    @Test func restartDecision() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1, flags: SignalAction.restart)
        g.install(GuestSignal.usr2)
        #expect(g.signals.shouldRestartSyscall())
        g.killSelf(GuestSignal.usr1)
        #expect(g.signals.shouldRestartSyscall())
        g.killSelf(GuestSignal.usr2)
        // SIGUSR1 (10) goes first and restarts; once it is handled, SIGUSR2 interrupts.
        _ = g.signals.deliver(g.hart)
        g.mask(1, [GuestSignal.usr1, GuestSignal.usr2])
        g.killSelf(GuestSignal.usr2)
        #expect(!g.signals.shouldRestartSyscall())
    }
}
