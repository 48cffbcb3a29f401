#if canImport(Glibc)
import Glibc
#endif
import RISCV

/// What the engine does after a handler ran.
public enum Continuation: Equatable, Sendable {
    /// Carry on at the hart's (possibly changed) pc.
    case resume
    /// Stop running this guest.
    case stop(ExitStatus)
    /// `wfi` retired with no interrupt pending: the engine may idle the hart
    /// (`Hart.waitForInterrupt()`) before it carries on; carrying on at once is also correct.
    case waitForInterrupt
}

/// The privilege level a hart runs at.
public enum PrivilegeMode: UInt8, Sendable {
    case user = 0, supervisor = 1, machine = 3
}

/// The world outside the hart: Linux syscall emulation in user mode, devices in system mode.
///
/// Engines never call an environment directly for ordinary instructions; they reach it through
/// the trap-and-emulate handler (`Hart.emulateSystem`) and through `exception` for faults.
public protocol Environment: AnyObject {
    /// `ecall`: the handler has not advanced pc; the environment sets pc (normally pc + 4).
    func environmentCall(_ hart: Hart) -> Continuation
    /// A synchronous exception no handler resolved (illegal instruction, access fault,
    /// breakpoint). `hart.state.pc` is the faulting instruction's pc.
    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation
    /// Cheap poll, made by engines between blocks: is an asynchronous event (a signal) waiting?
    var eventPending: Bool { get }
    /// Deliver pending asynchronous events (may redirect pc to a guest handler, or stop).
    func deliverEvents(_ hart: Hart) -> Continuation
    /// Names the host process the hart runs in. It changes only when an `environmentCall` forked
    /// the host process and returned in the child (Linux `fork`): an engine that shares state with
    /// the parent (the JIT's code cache is a shared mapping) then makes its own.
    var hostProcess: Int32 { get }
    /// The retired-instruction count at which an interrupt is due, when time is counted in
    /// instructions (system mode's `--icount`): engines stop exactly there, so that every engine
    /// takes it at the same instruction. Nil: nothing due, or time is the host's.
    var nextEventInstruction: UInt64? { get }
    /// Whether `ecall` retires: true for an environment that completes the call itself (a Linux
    /// process's system call; test rigs), false for a whole machine, where `ecall` is an
    /// exception into the guest's own handler and, as the privileged spec says, does not retire
    /// (the handler raises it as one, and engines charge it as a trap).
    var environmentCallRetires: Bool { get }
}

extension Environment {
    /// An environment that never forks the host process.
    public var hostProcess: Int32 { 0 }
    public var nextEventInstruction: UInt64? { nil }
    public var environmentCallRetires: Bool { true }
}

/// One RISC-V hart: its raw state block, its memory, and the environment it traps to.
public final class Hart: @unchecked Sendable {
    public let state: GuestState
    public let memory: GuestMemory
    public var environment: (any Environment)?
    /// The machine around the hart in system mode; nil in user mode, where guest addresses are
    /// Linux virtual addresses in `memory`.
    public var platform: (any Platform)?
    /// Cached address translations (system mode), flushed by `sfence.vma` and `satp` writes.
    /// Made at first use: user mode never translates, and its 18 KiB are pages every start faults in.
    public private(set) lazy var tlb = TLB()
    /// Host time origin for the `time` CSR.
    public let startTime: UInt64
    /// The extensions this hart has (`--cpu`): fetch refuses instructions outside them.
    public var cpu: CPUModel = .all

    /// The `time` CSR ticks at this rate (the frequency QEMU's virt board advertises).
    public static let timebaseFrequency: UInt64 = 10_000_000

    public init(memory: GuestMemory) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: StateOffset.size, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: StateOffset.size)
        state = GuestState(raw: raw)
        self.memory = memory
        startTime = Hart.hostNanoseconds()
        raw.storeBytes(of: UInt64(UInt(bitPattern: memory.base)), toByteOffset: StateOffset.memoryBase, as: UInt64.self)
        raw.storeBytes(of: memory.limit, toByteOffset: StateOffset.memoryLimit, as: UInt64.self)
        state.resetForUserMode()
    }

    deinit { state.raw.deallocate() }

    public static func hostNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The `time` CSR value now.
    public var time: UInt64 { (Hart.hostNanoseconds() &- startTime) / (1_000_000_000 / Hart.timebaseFrequency) }
}

/// A way to execute guest code on a hart: the interpreter or the JIT.
public protocol Engine: AnyObject {
    /// Runs from `hart.state.pc` until the guest stops. `maxInstructions` bounds retired
    /// instructions (counted in `state.instret`).
    func run(_ hart: Hart, maxInstructions: UInt64?) -> ExitStatus
}
