import Guest
import RISCV

// System instructions are not executed here: they leave the step so the engine can bring its
// counters up to date and call the trap-and-emulate handler (`Hart.emulateSystem`), which is
// shared with the JIT. They always end a predecoded block.
extension Executor {
    @inline(__always) func system() throws(StepExit) {
        throw .system
    }
}
