#if canImport(Glibc)
import Glibc
#endif
import Guest

extension SignalState {
    /// Starts turning host signals (SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGALRM, SIGCHLD, …) into
    /// this guest's signals. Call it on the thread that will run the guest (host signals are routed
    /// to that thread), once before running it; not in tests that only need the
    /// emulation. What the guest inherits across exec is honoured: a signal ignored on the host
    /// (`nohup`) starts ignored, and the host mask becomes the guest's mask.
    public func installHostHandlers() {
        // The dispositions just saved are the current ones: no second query per signal below.
        var ignored: UInt64? = nil // bit n: signal n was SIG_IGN when saved
        if savedHostDispositions == nil {
            let saved = HostSignals.saveDispositions()
            savedHostDispositions = saved
            savedHostMask = HostSignals.saveMask()
            ignored = saved.reduce(0) { HostSignals.isIgnore($1.1) ? $0 | 1 << UInt64($1.0) : $0 }
        }
        receivesHostSignals = true
        HostSignals.routeToCurrentThread(true)
        // SIGSEGV and SIGBUS stay the fault handlers' (Guest, JIT); they pass on the sent ones.
        GuestFaultRecovery.sentSignalHandler = HostSignals.handler
        GuestFaultRecovery.install()
        blocked = HostSignals.currentMask().subtracting(.unblockable)
        for sig in HostSignals.forwarded where ignored.map({ $0 & 1 << UInt64(sig) != 0 }) ?? HostSignals.isIgnored(sig) {
            actions[Int(sig)] = SignalAction(handler: SignalAction.ignoreHandler)
        }
        for sig in HostSignals.forwarded + HostSignals.jobControl { followOnHost(sig) }
        HostSignals.unblockForwarded()
    }

    /// Puts back the host dispositions and thread mask found by `installHostHandlers` and stops
    /// taking host signals.
    public func uninstallHostHandlers() {
        if let saved = savedHostDispositions { HostSignals.restore(saved) }
        if let mask = savedHostMask { HostSignals.restoreMask(mask) }
        savedHostDispositions = nil
        savedHostMask = nil
        receivesHostSignals = false
        HostSignals.routeToCurrentThread(false)
        GuestFaultRecovery.sentSignalHandler = nil
    }

    /// Before exec'ing a new program (Trapeze re-executing itself): the host mask becomes the guest's,
    /// so the next program inherits it; ignored signals are already SIG_IGN on the host and stay so
    /// across exec, handled ones revert to SIG_DFL as Linux does. Pending guest signals are lost.
    public func prepareForExec() {
        HostSignals.setMask(blocked)
    }

    /// The exec failed: go back to running with every forwarded host signal unblocked.
    public func cancelExec() {
        if let mask = savedHostMask { HostSignals.restoreMask(mask) }
        HostSignals.unblockForwarded()
    }

    /// Makes the host disposition of a forwarded signal match the guest's: SIG_IGN when the guest
    /// ignores it (so it is discarded, children are auto-reaped for SIGCHLD, and exec inherits it);
    /// the host default for job-control signals the guest leaves at default; caught otherwise.
    func followOnHost(_ sig: Int32) {
        let action = actions[Int(sig)]
        if HostSignals.forwarded.contains(sig) {
            if action.isIgnore {
                HostSignals.setDisposition(sig, ignore: true)
            } else {
                var extra: Int32 = 0
                if sig == SIGCHLD && action.flags & SignalAction.noChildWait != 0 { extra |= SA_NOCLDWAIT }
                if sig == SIGCHLD && action.flags & SignalAction.noChildStop != 0 { extra |= SA_NOCLDSTOP }
                HostSignals.catchSignal(sig, extraFlags: extra)
            }
        } else if HostSignals.jobControl.contains(sig) {
            if action.isHandler { HostSignals.catchSignal(sig) } else { HostSignals.setDisposition(sig, ignore: action.isIgnore) }
        }
    }
}
