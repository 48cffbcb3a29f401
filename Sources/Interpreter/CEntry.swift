import Guest
import RISCV

extension Interpreter {
    /// `execute` as a C function, for translated code to call as its slow path.
    ///
    /// Arguments: `Unmanaged<Hart>.passUnretained(hart).toOpaque()`; a pointer to an
    /// `Instruction`; and two UInt64s where a raised exception is written as (cause raw value,
    /// tval) — its pc is `state.pc`. Returns `StepResult.code`: 0 retired (state.pc is the next
    /// pc), 1 trap (nothing else changed), 2 system instruction (nothing done; the dispatcher calls
    /// `Hart.emulate`). Does not count instret.
    public static let cExecute: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer,
                                                UnsafeMutableRawPointer) -> UInt32 = { hart, inst, trap in
        let hart = Unmanaged<Hart>.fromOpaque(hart).takeUnretainedValue()
        let result = Interpreter.execute(inst.load(as: Instruction.self), hart)
        if case .trap(let raised) = result {
            trap.storeBytes(of: raised.cause.rawValue, as: UInt64.self)
            trap.storeBytes(of: raised.tval, toByteOffset: 8, as: UInt64.self)
        }
        return result.code
    }
}
