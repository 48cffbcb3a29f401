import Guest
import Linux

/// The environment double every engine test runs against. An ecall with a7 = 93 exits with a0;
/// any other ecall records a7, sets a0 = 2·a0 + 1 (so a test sees the round trip) and advances
/// pc. Exceptions are recorded and stop the run with the signal Linux would send, unless
/// `resumeAt` sends them to a handler pc. Pending events are delivered one per call, moving pc to
/// `eventHandler` when set (a signal handler being entered).
public final class TestEnvironment: Environment {
    public var ecalls: [UInt64] = []
    public var exceptions: [GuestTrap] = []
    /// When set, exceptions resume at this pc instead of stopping.
    public var resumeAt: UInt64?
    /// When set, an event delivery moves pc here.
    public var eventHandler: UInt64?
    public var pendingEvents = 0
    public var deliveries = 0

    public init() {}

    public func environmentCall(_ hart: Hart) -> Continuation {
        let number = hart.state.x(17)
        ecalls.append(number)
        if number == 93 { return .stop(.exited(Int32(truncatingIfNeeded: hart.state.x(10)))) }
        hart.state.setX(10, hart.state.x(10) &* 2 &+ 1)
        hart.state.pc &+= 4
        return .resume
    }

    public func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        exceptions.append(trap)
        if let resumeAt {
            hart.state.pc = resumeAt
            return .resume
        }
        return .stop(.signaled(GuestSignal.forException(trap.cause)))
    }

    public var eventPending: Bool { pendingEvents > 0 }

    public func deliverEvents(_ hart: Hart) -> Continuation {
        pendingEvents -= 1
        deliveries += 1
        if let eventHandler { hart.state.pc = eventHandler }
        return .resume
    }
}

extension Hart {
    /// The test environment this hart was made with.
    public var recorder: TestEnvironment { environment as! TestEnvironment }
}
