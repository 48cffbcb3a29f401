import Guest
import Interpreter
import RISCV

/// The C function translated code calls for an instruction it does not lower inline:
/// `uint32_t slowPath(void *state, const Instruction *inst)`, returning 0 when the instruction
/// retired (pc is then stale, and translated code does not read it) and 1 when it raised an
/// exception, which the engine keeps until the block has left.
///
/// The engine is found through the state block's `context` slot, so the code need not embed it.
let slowPathEntry: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32 = { state, inst in
    let raw = state.load(fromByteOffset: ScratchSlot.context, as: UnsafeMutableRawPointer.self)
    let jit = Unmanaged<JIT>.fromOpaque(raw).takeUnretainedValue()
    return jit.slowPath(inst.assumingMemoryBound(to: Instruction.self).pointee)
}

/// F/D arithmetic for translated code: `FloatUnit` works on the state block alone, so this needs
/// neither the hart nor the engine. Returns 1 when the rounding mode is invalid (illegal instruction).
let floatEntry: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32 = { state, inst in
    FloatUnit.execute(inst.assumingMemoryBound(to: Instruction.self).pointee, GuestState(raw: state)) ? 0 : 1
}

extension JIT {
    func slowPath(_ inst: Instruction) -> UInt32 {
        guard let hart = currentHart else { return 1 }
        if let systemTLB {
            countSlowPath(inst)
            return systemSlowPath(inst, hart, systemTLB)
        }
        switch Interpreter.execute(inst, hart) {
        case .retired:
            return 0
        case .trap(let trap):
            pendingTrap = trap
            return 1
        case .system:
            // System instructions always end a block and never come here; if one did, the safest
            // report is the one an unknown instruction gets.
            pendingTrap = GuestTrap(.illegalInstruction, pc: hart.state.pc, tval: UInt64(inst.raw))
            return 1
        }
    }
}
