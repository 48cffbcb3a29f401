import Guest
import RISCV

/// System mode's single-instruction semantics for another engine (the JIT's slow path): the
/// interpreter's `SystemMemory` (MMU, PMP, devices, exact faults) over a `CodePages` of the
/// caller's own, which also tells the caller which physical pages hold code it translated and
/// when a store reached one of them.
public final class SystemStepper {
    let pages = CodePages()

    public init() {}

    /// Executes `inst` at `hart.state.pc` as `Interpreter.execute` does, through system memory.
    public func execute(_ inst: Instruction, _ hart: Hart) -> StepResult {
        Interpreter.execute(inst, Executor(hart, pages))
    }

    /// Executes one instruction completely (system instructions through the handler, exceptions
    /// raised, `instret` counted), as `Interpreter.step` does in user mode.
    public func step(_ inst: Instruction, _ hart: Hart) -> Continuation {
        Interpreter.complete(execute(inst, hart), inst, hart)
    }

    /// Records that code was translated from the page holding `physical`; true if it is new
    /// (stores to it from now on must not be allowed by any cached write translation).
    @discardableResult
    public func noteCode(_ physical: UInt64?) -> Bool {
        guard let physical, !pages.contains(physical >> 12) else { return false }
        // The whole page counts as code (the JIT does not track byte ranges); the "block" it
        // records is the page number, so a store says which page's translations it spoiled.
        pages.insert(physical & ~0xFFF, length: 0x1000, block: Int32(truncatingIfNeeded: physical >> 12))
        return true
    }

    /// Whether code was translated from physical page `page` (an address >> 12).
    public func holdsCode(page: UInt64) -> Bool { pages.contains(page) }

    /// Moves when a store reaches a page code was translated from (that page is then no longer
    /// counted as code until `noteCode` names it again).
    public var codeGeneration: UInt64 { pages.codeStores }

    /// The physical pages (addresses >> 12) stores reached since the last call, each no longer
    /// counted as code: their translations must go before they run again.
    public func takeStoredCodePages() -> [UInt64] {
        guard pages.staleWaiting else { return [] }
        let spoiled = pages.stale.map { UInt64(UInt32(bitPattern: $0)) }
        pages.staleDropped()
        return spoiled
    }

    /// The translations were dropped: no page holds code any more.
    public func forgetCode() { pages.removeAll() }

    /// The translations from physical page `page` (an address >> 12) were dropped.
    public func forgetCode(page: UInt64) { pages.remove(page: page) }

    /// Whether a device was accessed since the last call (interrupt lines may have changed).
    public func takeAttention() -> Bool {
        let seen = pages.attention
        if seen { pages.attention = false }
        return seen
    }

    /// Forgets the interpreter-side data TLB (privilege, mstatus, satp or PMP changed).
    public func flushData() { pages.flushData() }

    /// Fills of the interpreter-side data TLB.
    public var dataFills: UInt64 { pages.dataFills }
}
