import Guest
import Linux
import RISCV
import Testing

@Suite struct SignalFaultTests {
    static let pc = SignalFixture.code + 0x40

    @Test func loadFaultWithoutHandlerReportsAndDies() {
        let g = SignalFixture()
        let r = g.signals.fault(g.hart, GuestTrap(.loadAccessFault, pc: Self.pc, tval: 0x10))
        #expect(r == .stop(.signaled(11)))
        #expect(g.reports == ["trapeze: guest pc 0x10040: load access fault at 0x10 (SIGSEGV)"])
    }

    @Test func illegalInstructionReportShowsTheWord() {
        let g = SignalFixture()
        #expect(g.signals.fault(g.hart, GuestTrap(.illegalInstruction, pc: Self.pc, tval: 0)) == .stop(.signaled(4)))
        #expect(g.reports == ["trapeze: guest pc 0x10040: illegal instruction 0x00000000 (SIGILL)"])
        // The word comes from tval when the engine provides it, else from memory.
        let h = SignalFixture()
        _ = h.signals.fault(h.hart, GuestTrap(.illegalInstruction, pc: Self.pc, tval: 0xffff_ffff))
        #expect(h.reports == ["trapeze: guest pc 0x10040: illegal instruction 0xffffffff (SIGILL)"])
        let k = SignalFixture()
        _ = k.memory.poke(Self.pc, [0x7f, 0x00, 0x00, 0x30])
        _ = k.signals.fault(k.hart, GuestTrap(.illegalInstruction, pc: Self.pc, tval: 0))
        #expect(k.reports == ["trapeze: guest pc 0x10040: illegal instruction 0x3000007f (SIGILL)"])
    }

    @Test func reportNamesTheFaultingInstruction() {
        let g = SignalFixture()
        _ = g.memory.poke(Self.pc, [0x03, 0x35, 0x05, 0x01])   // ld a0, 16(a0)
        _ = g.signals.fault(g.hart, GuestTrap(.loadAccessFault, pc: Self.pc, tval: 0x10))
        #expect(g.reports == ["trapeze: guest pc 0x10040 (ld a0,16(a0)): load access fault at 0x10 (SIGSEGV)"])
        // The disassembler can be replaced or left out.
        let h = SignalFixture()
        _ = h.memory.poke(Self.pc, [0x03, 0x35, 0x05, 0x01])
        h.signals.disassemble = { instruction, pc in "insn 0x\(String(instruction.raw, radix: 16)) at \(pc)" }
        _ = h.signals.fault(h.hart, GuestTrap(.loadAccessFault, pc: Self.pc, tval: 0x10))
        #expect(h.reports == ["trapeze: guest pc 0x10040 (insn 0x1053503 at 65600): load access fault at 0x10 (SIGSEGV)"])
    }

    @Test func otherCausesMapToTheirSignals() {
        let cases: [(ExceptionCause, Int32, String)] = [
            (.storeMisaligned, 7, "trapeze: guest pc 0x10040: store/AMO address misaligned at 0x7fff0001 (SIGBUS)"),
            (.breakpoint, 5, "trapeze: guest pc 0x10040: breakpoint (SIGTRAP)"),
            (.instructionAccessFault, 11, "trapeze: guest pc 0x10040: instruction access fault at 0x7fff0001 (SIGSEGV)"),
            (.storePageFault, 11, "trapeze: guest pc 0x10040: store/AMO page fault at 0x7fff0001 (SIGSEGV)"),
        ]
        for (cause, sig, line) in cases {
            let g = SignalFixture()
            #expect(g.signals.fault(g.hart, GuestTrap(cause, pc: Self.pc, tval: 0x7fff_0001)) == .stop(.signaled(sig)))
            #expect(g.reports == [line])
        }
    }

    @Test func segvHandlerGetsSiginfo() {
        let g = SignalFixture()
        g.install(GuestSignal.segv, flags: SignalAction.siginfo)
        #expect(g.signals.fault(g.hart, GuestTrap(.loadAccessFault, pc: Self.pc, tval: 0x10)) == .resume)
        let frame = g.hart.state.x(2)
        #expect(g.hart.state.pc == SignalFixture.handler)
        #expect(g.hart.state.x(10) == 11)
        #expect(g.word32(frame) == 11)
        #expect(g.word32(frame + 8) == 1)           // SEGV_MAPERR: nothing mapped at 0x10
        #expect(g.word(frame + 16) == 0x10)         // si_addr
        #expect(g.word(frame + 128 + 176) == Self.pc)   // saved pc: the faulting instruction
        #expect(g.reports.isEmpty)

        // A write to mapped read-only code is SEGV_ACCERR.
        let h = SignalFixture()
        h.install(GuestSignal.segv)
        _ = h.signals.fault(h.hart, GuestTrap(.storeAccessFault, pc: Self.pc, tval: SignalFixture.code))
        #expect(h.word32(h.hart.state.x(2) + 8) == 2)
    }

    @Test func illegalInstructionSiginfoPointsAtPc() {
        let g = SignalFixture()
        g.install(GuestSignal.ill)
        _ = g.signals.fault(g.hart, GuestTrap(.illegalInstruction, pc: Self.pc, tval: 0))
        let frame = g.hart.state.x(2)
        #expect(g.word32(frame) == 4)
        #expect(g.word32(frame + 8) == 1)   // ILL_ILLOPC
        #expect(g.word(frame + 16) == Self.pc)
    }

    @Test func faultInsideItsOwnHandlerEndsCleanly() {
        let g = SignalFixture()
        g.install(GuestSignal.segv)
        #expect(g.signals.fault(g.hart, GuestTrap(.loadAccessFault, pc: Self.pc, tval: 0x10)) == .resume)
        // SIGSEGV is blocked while its handler runs; a second fault there is fatal.
        g.hart.state.pc = SignalFixture.handler
        #expect(g.signals.fault(g.hart, GuestTrap(.storeAccessFault, pc: SignalFixture.handler, tval: 0x20)) == .stop(.signaled(11)))
        #expect(g.reports == ["trapeze: guest pc 0x10100: store/AMO access fault at 0x20 (SIGSEGV)"])
    }

    @Test func blockedOrIgnoredFaultSignalsStillKill() {
        let g = SignalFixture()
        g.install(GuestSignal.segv, handler: SignalAction.ignoreHandler)
        #expect(g.signals.fault(g.hart, GuestTrap(.loadAccessFault, pc: Self.pc, tval: 0x10)) == .stop(.signaled(11)))
        let h = SignalFixture()
        h.install(GuestSignal.ill)
        h.mask(0, [GuestSignal.ill])
        #expect(h.signals.fault(h.hart, GuestTrap(.illegalInstruction, pc: Self.pc)) == .stop(.signaled(4)))
    }

    @Test func badStackWhileDeliveringBecomesSIGSEGV() {
        let g = SignalFixture()
        g.install(GuestSignal.usr1)
        g.hart.state.setX(2, 0x5000_0000)   // unmapped
        g.killSelf(GuestSignal.usr1)
        #expect(g.signals.deliver(g.hart) == .stop(.signaled(11)))
        #expect(g.reports == ["trapeze: guest pc 0x10040: cannot deliver SIGUSR1: bad signal stack at 0x50000000 (SIGSEGV)"])

        // A read-only stack is as bad, but a SIGSEGV handler on the alternate stack catches it.
        let h = SignalFixture()
        let alt: UInt64 = 0x7100_0000
        h.memory.mapAnonymous(alt, 0x2000, [.read, .write])
        h.writeWords(SignalFixture.scratch + 0x200, [alt, 0, 0x2000])
        #expect(h.value(132, [SignalFixture.scratch + 0x200, 0]) == 0)
        h.install(GuestSignal.usr1)
        h.install(GuestSignal.segv, handler: SignalFixture.handler + 0x40, flags: SignalAction.onStack)
        h.memory.protect(SignalFixture.stackBase, SignalFixture.stackTop - SignalFixture.stackBase, [.read])
        h.killSelf(GuestSignal.usr1)
        #expect(h.signals.deliver(h.hart) == .resume)
        #expect(h.hart.state.pc == SignalFixture.handler + 0x40)
        #expect(h.hart.state.x(2) > alt)
    }

    @Test func defaultActions() {
        let g = SignalFixture()
        // Ignored by default: discarded on arrival.
        for sig in [GuestSignal.chld, GuestSignal.urg, GuestSignal.winch, GuestSignal.cont, GuestSignal.tstp, GuestSignal.stop] {
            #expect(g.killSelf(sig) == 0)
            #expect(!g.signals.pending)
        }
        #expect(g.signals.deliver(g.hart) == .resume)
        // SIG_IGN discards too, even one already pending while blocked.
        g.mask(0, [GuestSignal.usr2])
        g.killSelf(GuestSignal.usr2)
        g.install(GuestSignal.usr2, handler: SignalAction.ignoreHandler)
        g.mask(1, [GuestSignal.usr2])
        #expect(!g.signals.pending)
        // Terminating signals end the guest silently.
        for sig in [GuestSignal.term, GuestSignal.int, GuestSignal.hup, GuestSignal.pipe, GuestSignal.alrm, GuestSignal.abrt, Int32(40)] {
            let h = SignalFixture()
            h.killSelf(sig)
            #expect(h.signals.deliver(h.hart) == .stop(.signaled(sig)))
            #expect(h.reports.isEmpty)
        }
        // SIGKILL cannot be caught.
        let k = SignalFixture()
        #expect(k.install(GuestSignal.kill) == -22)
        k.mask(2, [GuestSignal.kill])
        k.killSelf(GuestSignal.kill)
        #expect(k.signals.deliver(k.hart) == .stop(.signaled(9)))
    }
}
