import Guest
import RISCV

/// Why one instruction did not simply complete. Thrown (typed, so no allocation) by the
/// semantic functions; the engine adds the pc.
@usableFromInline
enum StepExit: Error {
    /// The instruction raised this exception and did not retire.
    case exception(ExceptionCause, tval: UInt64)
    /// A system instruction: the trap-and-emulate handler (`Hart.emulateSystem`) performs it.
    case system
}

/// The outcome of `Interpreter.execute`: what happened to one instruction.
public enum StepResult: Equatable, Sendable {
    /// The instruction retired; `state.pc` is the next pc.
    case retired
    /// The instruction raised an exception and did not retire; state and memory are unchanged
    /// and `state.pc` is still the instruction's pc.
    case trap(GuestTrap)
    /// A system instruction (`ecall`, `ebreak`, csr*, `fence.i`, `mret`, `sret`, `wfi`,
    /// `sfence.vma`): nothing was done; pass it to `Hart.emulateSystem`.
    case system
}
