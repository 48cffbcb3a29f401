import Guest

/// The system-mode environment: what the trap-and-emulate handler reaches from a hart on a
/// `Machine`. Nothing is emulated on the guest's behalf here: `ecall` and every exception become
/// a trap into the guest's own handler (`Hart.enterTrap`, with `medeleg` delegation), and the
/// asynchronous events are the machine's interrupts and its devices' stop requests. It keeps
/// the counts `--stats` prints and a ring of the last traps for when a run is cut short.
public final class MachineEnvironment: Environment {
    public let machine: Machine
    /// Traps taken, by exception cause and by interrupt cause (mcause values without bit 63).
    public private(set) var exceptions: [UInt64: UInt64] = [:]
    public private(set) var interrupts: [UInt64: UInt64] = [:]
    public private(set) var recent = TrapLog()
    /// Set to see every trap as it is taken (`--trace`).
    public var onTrap: ((TrapRecord) -> Void)?
    private unowned(unsafe) var hart: Hart?

    public init(machine: Machine) { self.machine = machine }

    /// Puts a hart fresh out of reset on the machine, at the reset vector in M-mode.
    public func attach(_ hart: Hart) {
        self.hart = hart
        hart.platform = machine
        hart.environment = self
        hart.state.resetForMachine(hartID: 0)
        hart.state.pc = Machine.resetAddress
        if let clock = machine.clint.clock as? InstructionClock {
            clock.instructions = { [unowned hart] in hart.state.instret }
            instructionClock = clock
        }
    }

    /// The machine's clock when it counts instructions (`--icount`).
    private var instructionClock: InstructionClock?

    /// Under `--icount`: the instruction at which the CLINT's timer or the hart's Sstc timer
    /// next fires, if either is ahead.
    public var nextEventInstruction: UInt64? {
        guard let clock = instructionClock, let hart else { return nil }
        let clint = machine.clint
        var due: UInt64? = nil
        var compares = [clint.timerCompare]
        if hart.state.menvcfg & EnvConfig.stce != 0 { compares.append(hart.state.stimecmp) }
        for compare in compares where compare != .max {
            guard let at = clock.instruction(atTick: clint.clockTicks(at: compare)) else { continue }
            due = min(due ?? .max, at)
        }
        return due
    }

    /// `ecall` is an exception into the guest's handler (`Hart.emulateSystem`): it does not retire.
    public var environmentCallRetires: Bool { false }

    public func environmentCall(_ hart: Hart) -> Continuation {
        let cause: ExceptionCause = switch hart.privilege {
        case .user: .ecallFromU
        case .supervisor: .ecallFromS
        case .machine: .ecallFromM
        }
        return exception(hart, GuestTrap(cause, pc: hart.state.pc))
    }

    public func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        exceptions[trap.cause.rawValue, default: 0] &+= 1
        log(TrapRecord(cause: trap.cause.rawValue, interrupt: false, pc: trap.pc, tval: trap.tval, from: hart.privilege), hart)
        hart.enterTrap(trap)
        return .resume
    }

    public var eventPending: Bool {
        machine.stopRequested || hart?.pendingInterrupt() != nil
    }

    public func deliverEvents(_ hart: Hart) -> Continuation {
        if let stop = machine.stop {
            switch stop {
            case .exit(let code): return .stop(.exited(code))
            case .reset: return .stop(.exited(0))
            }
        }
        guard let cause = hart.pendingInterrupt() else { return .resume }
        interrupts[cause.rawValue, default: 0] &+= 1
        log(TrapRecord(cause: cause.rawValue, interrupt: true, pc: hart.state.pc, tval: 0, from: hart.privilege), hart)
        hart.enterTrap(cause.rawValue, tval: 0, interrupt: true)
        return .resume
    }

    private func log(_ record: TrapRecord, _ hart: Hart) {
        var record = record
        record.instret = hart.state.instret
        recent.append(record)
        onTrap?(record)
    }
}

/// One trap as the hart took it.
public struct TrapRecord: Equatable, Sendable, CustomStringConvertible {
    public var cause: UInt64
    public var interrupt: Bool
    public var pc: UInt64
    public var tval: UInt64
    /// The privilege level the trap was taken from.
    public var from: PrivilegeMode
    public var instret: UInt64 = 0

    public var name: String { TrapRecord.name(cause, interrupt: interrupt) }

    public static func name(_ cause: UInt64, interrupt: Bool) -> String {
        if interrupt {
            return switch InterruptCause(rawValue: cause) {
            case .supervisorSoftware: "supervisor software interrupt"
            case .machineSoftware: "machine software interrupt"
            case .supervisorTimer: "supervisor timer interrupt"
            case .machineTimer: "machine timer interrupt"
            case .supervisorExternal: "supervisor external interrupt"
            case .machineExternal: "machine external interrupt"
            case nil: "interrupt \(cause)"
            }
        }
        return ExceptionCause(rawValue: cause)?.description ?? "exception \(cause)"
    }

    public var description: String {
        "\(name) from \(from.letter)-mode at pc 0x\(String(pc, radix: 16))"
            + (interrupt ? "" : ", tval 0x\(String(tval, radix: 16))") + " (instruction \(instret))"
    }
}

/// The last `capacity` traps, oldest first.
public struct TrapLog: Sendable {
    public static let capacity = 16
    private var ring: [TrapRecord] = []
    private var next = 0

    public mutating func append(_ record: TrapRecord) {
        if ring.count < TrapLog.capacity { ring.append(record) } else { ring[next] = record }
        next = (next + 1) % TrapLog.capacity
    }

    public var records: [TrapRecord] {
        ring.count < TrapLog.capacity ? ring : Array(ring[next...] + ring[..<next])
    }
}

extension PrivilegeMode {
    /// U, S or M.
    public var letter: String {
        switch self {
        case .user: "U"
        case .supervisor: "S"
        case .machine: "M"
        }
    }
}
