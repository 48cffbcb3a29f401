#if canImport(Glibc)
import Glibc
#endif
import Guest

/// `trapeze run --gdb PORT`: a loaded guest run under gdb's control.
public enum GDBStub {
    /// Waits for gdb on 127.0.0.1:`port`, stopped before the guest's first instruction; serves it
    /// until the guest ends, gdb kills it, or gdb detaches or goes away (the guest then runs on to
    /// its end undebugged). Returns how the guest ended.
    public static func run(_ guest: GuestRun, port: UInt16,
                           announce: (String) -> Void = { HostIO.error("trapeze: " + $0 + "\n") }) throws(TrapezeError) -> ExitStatus {
        let server = try GDBServer(port: port)
        announce("waiting for gdb on 127.0.0.1:\(server.port)")
        return try run(guest, server)
    }

    /// Serves gdb on a server already listening (tests pick a free port this way).
    public static func run(_ guest: GuestRun, _ server: GDBServer) throws(TrapezeError) -> ExitStatus {
        let target = UserTarget(guest)
        target.environment.forkedChild = { server.abandon() }
        let stop = UnsafeSendableStop(target)
        try server.accept { stop.request() }
        let session = GDBSession(target: target)
        return guest.hosted {
            // Detached or gone, gdb leaves a guest that has not ended to run on by itself.
            if server.serve(session) == .disconnected || target.finalStatus == nil { _ = target.detach() }
            return target.finalStatus ?? .instructionLimit
        }
    }
}

/// Carries the target's stop request to the socket reader's thread; `requestStop` is the one
/// method of a target that is safe from another thread.
private struct UnsafeSendableStop: @unchecked Sendable {
    let target: UserTarget
    init(_ target: UserTarget) { self.target = target }
    func request() { target.requestStop() }
}
