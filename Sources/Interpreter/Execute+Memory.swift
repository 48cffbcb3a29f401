import Guest
import RISCV

// Loads and stores, integer and floating point. Misaligned accesses succeed, as they do for
// Linux user programs (hardware or the kernel's emulation); an access the data memory refuses
// raises its exception (in user mode an access fault with tval = the access's address) before
// any register or byte changes.
extension Executor {
    @inline(__always) func address(_ i: Instruction) -> UInt64 {
        state.x(Int(i.rs1)) &+ UInt64(bitPattern: i.imm)
    }

    /// Reads `T` at `address`, or throws the exception the memory raised.
    @inline(__always) func read<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) throws(StepExit) -> T {
        do {
            return try memory.load(address, as: T.self)
        } catch {
            throw .exception(error.cause, tval: error.tval)
        }
    }

    /// Writes `value` at `address`, or throws the exception the memory raised.
    @inline(__always) func write<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(StepExit) {
        do {
            try memory.store(address, value)
        } catch {
            throw .exception(error.cause, tval: error.tval)
        }
    }

    /// rd = the `T` at rs1 + imm, sign- or zero-extended by `T`'s signedness. A load into x0
    /// still accesses memory (and can fault).
    @inline(__always) func load<T: FixedWidthInteger>(_ i: Instruction, _: T.Type) throws(StepExit) {
        let value = try read(address(i), T.self)
        // Widening with truncatingIfNeeded extends by the source type's signedness.
        set(i, UInt64(truncatingIfNeeded: value))
    }

    /// Stores the low `T` bits of rs2 at rs1 + imm.
    @inline(__always) func store<T: FixedWidthInteger>(_ i: Instruction, _: T.Type) throws(StepExit) {
        try write(address(i), T(truncatingIfNeeded: state.x(Int(i.rs2))))
    }

    /// flw NaN-boxes: the upper 32 bits of the f register become all ones.
    @inline(__always) func loadFloat(_ i: Instruction) throws(StepExit) {
        let bits = try read(address(i), UInt32.self)
        state.setF(Int(i.rd), 0xFFFF_FFFF_0000_0000 | UInt64(bits))
    }

    /// fsw stores the low 32 bits as they are (no unboxing check, no canonicalisation).
    @inline(__always) func storeFloat(_ i: Instruction) throws(StepExit) {
        try write(address(i), UInt32(truncatingIfNeeded: state.f(Int(i.rs2))))
    }

    @inline(__always) func loadDouble(_ i: Instruction) throws(StepExit) {
        state.setF(Int(i.rd), try read(address(i), UInt64.self))
    }

    @inline(__always) func storeDouble(_ i: Instruction) throws(StepExit) {
        try write(address(i), state.f(Int(i.rs2)))
    }

    /// flh NaN-boxes: the upper 48 bits of the f register become all ones.
    @inline(__always) func loadHalf(_ i: Instruction) throws(StepExit) {
        state.setF(Int(i.rd), HalfBox.box(try read(address(i), UInt16.self)))
    }

    /// fsh stores the low 16 bits as they are.
    @inline(__always) func storeHalf(_ i: Instruction) throws(StepExit) {
        try write(address(i), UInt16(truncatingIfNeeded: state.f(Int(i.rs2))))
    }
}
