import Guest
import RISCV

// A: LR/SC and AMOs. Unlike plain loads and stores these require natural alignment (Linux does
// not emulate misaligned atomics): lr raises load-misaligned, sc and AMOs store/AMO-misaligned.
// An AMO reads and writes (`DataMemory.modify`), so it faults as a store.
extension Executor {
    @inline(__always) func alignedAddress<T: FixedWidthInteger>(_ i: Instruction, _: T.Type,
                                                                 _ misaligned: ExceptionCause) throws(StepExit) -> UInt64 {
        let address = state.x(Int(i.rs1))
        guard address & UInt64(MemoryLayout<T>.size - 1) == 0 else { throw .exception(misaligned, tval: address) }
        return address
    }

    /// One atomic read-modify-write of memory, its fault raised as the guest exception (a store's:
    /// every AMO, sc and amocas faults as a store).
    @inline(__always) func modify<T: FixedWidthInteger>(_ address: UInt64, _: T.Type, _ f: (T) -> T) throws(StepExit) -> T {
        do {
            return try memory.modify(address, as: T.self, f)
        } catch {
            throw .exception(error.cause, tval: error.tval)
        }
    }

    /// lr: load (sign-extended) and reserve the address.
    @inline(__always) func loadReserved<T: FixedWidthInteger>(_ i: Instruction, _: T.Type) throws(StepExit) {
        let address = try alignedAddress(i, T.self, .loadMisaligned)
        let value = try read(address, T.self)
        set(i, UInt64(truncatingIfNeeded: value))
        state.reservation = address
        state.reservationValue = value.magnitudeBits
        state.reservationValid = true
    }

    /// sc: store only if a valid reservation for this address exists and memory still holds what
    /// lr read (one host compare-and-exchange, so no other thread's store slips in between); rd = 0
    /// on success, 1 on failure. Every sc that completes clears the reservation.
    @inline(__always) func storeConditional<T: FixedWidthInteger>(_ i: Instruction, _: T.Type) throws(StepExit) {
        let address = try alignedAddress(i, T.self, .storeMisaligned)
        if state.reservationValid && state.reservation == address {
            let expected = T(truncatingIfNeeded: state.reservationValue)
            let new = T(truncatingIfNeeded: state.x(Int(i.rs2)))
            let old = try modify(address, T.self) { $0 == expected ? new : $0 }
            set(i, old == expected ? 0 : 1)
        } else {
            set(i, 1)
        }
        state.reservationValid = false
    }

    /// AMO: rd = the old value (sign-extended); memory = op(old, rs2) on `T`-sized values, so
    /// min/max compare with `T`'s signedness.
    @inline(__always) func atomic<T: FixedWidthInteger>(_ i: Instruction, _: T.Type,
                                                        _ op: (T, T) -> T) throws(StepExit) {
        let address = try alignedAddress(i, T.self, .storeMisaligned)
        let operand = T(truncatingIfNeeded: state.x(Int(i.rs2)))
        let old = try modify(address, T.self) { op($0, operand) }
        set(i, UInt64(truncatingIfNeeded: old))
    }
}

// Zacas: amocas compares memory with rd (the pair rd, rd+1 for .q) and stores rs2 (rs2, rs2+1)
// when they are equal; rd receives the old value either way (sign-extended for .w). An AMO: it
// faults as a store even when the comparison fails. For .q, odd rd or rs2 is reserved (illegal
// here); x0 as a pair reads as zero in both halves and, as rd, is not written.
extension Executor {
    @inline(__always) func compareAndSwap<T: FixedWidthInteger>(_ i: Instruction, _: T.Type) throws(StepExit) {
        let address = try alignedAddress(i, T.self, .storeMisaligned)
        let expected = T(truncatingIfNeeded: state.x(Int(i.rd)))
        let new = T(truncatingIfNeeded: state.x(Int(i.rs2)))
        let old = try modify(address, T.self) { $0 == expected ? new : $0 }
        set(i, UInt64(truncatingIfNeeded: old))
    }

    func compareAndSwapPair(_ i: Instruction) throws(StepExit) {
        guard i.rd & 1 == 0 && i.rs2 & 1 == 0 else { throw illegal(i) }
        let address = state.x(Int(i.rs1))
        guard address & 15 == 0 else { throw .exception(.storeMisaligned, tval: address) }
        func pair(_ r: UInt8) -> (UInt64, UInt64) { r == 0 ? (0, 0) : (state.x(Int(r)), state.x(Int(r) + 1)) }
        let old: (UInt64, UInt64)
        do {
            old = try memory.compareExchange128(address, expected: pair(i.rd), desired: pair(i.rs2))
        } catch {
            throw .exception(error.cause, tval: error.tval)
        }
        if i.rd != 0 {
            state.setX(Int(i.rd), old.0)
            state.setX(Int(i.rd) + 1, old.1)
        }
    }
}

/// AMO operations whose unsigned comparison differs from the signed `T` the AMO works in.
enum AtomicOps {
    @inline(__always) static func minUnsigned<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        T(truncatingIfNeeded: min(a.magnitudeBits, b.magnitudeBits))
    }
    @inline(__always) static func maxUnsigned<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        T(truncatingIfNeeded: max(a.magnitudeBits, b.magnitudeBits))
    }
}

extension FixedWidthInteger {
    /// The value's bits read as an unsigned 64-bit number (T is at most 64 bits wide).
    @inline(__always) var magnitudeBits: UInt64 {
        UInt64(truncatingIfNeeded: self) & (UInt64.max >> (64 - Self.bitWidth))
    }
}
