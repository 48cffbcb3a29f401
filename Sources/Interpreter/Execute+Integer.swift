import Guest
import RISCV

// RV64I and M: register and immediate arithmetic, branches and jumps.
extension Executor {
    /// Writes rd (x0 stays zero).
    @inline(__always) func set(_ i: Instruction, _ value: UInt64) {
        state.setX(Int(i.rd), value)
    }

    /// rd = op(rs1, rs2).
    @inline(__always) func registers(_ i: Instruction, _ op: (UInt64, UInt64) -> UInt64) {
        set(i, op(state.x(Int(i.rs1)), state.x(Int(i.rs2))))
    }

    /// rd = op(rs1, imm); shift instructions carry the shift amount in `imm`.
    @inline(__always) func immediate(_ i: Instruction, _ op: (UInt64, UInt64) -> UInt64) {
        set(i, op(state.x(Int(i.rs1)), UInt64(bitPattern: i.imm)))
    }

    @inline(__always) func branch(_ i: Instruction, pc: UInt64, next: UInt64,
                                  _ taken: (UInt64, UInt64) -> Bool) -> UInt64 {
        taken(state.x(Int(i.rs1)), state.x(Int(i.rs2))) ? pc &+ UInt64(bitPattern: i.imm) : next
    }

    @inline(__always) func jal(_ i: Instruction, pc: UInt64, next: UInt64) -> UInt64 {
        set(i, next)
        return pc &+ UInt64(bitPattern: i.imm)
    }

    /// The target is computed before rd is written, so `jalr ra, 0(ra)` jumps to the old ra.
    /// Bit 0 of the target is cleared; with C, a target is never misaligned otherwise.
    @inline(__always) func jalr(_ i: Instruction, next: UInt64) -> UInt64 {
        let target = (state.x(Int(i.rs1)) &+ UInt64(bitPattern: i.imm)) & ~1
        set(i, next)
        return target
    }
}

/// RV64I and M operations on register values, as RISC-V defines them: shifts use the low 6 bits
/// of the amount (5 for the W forms), W forms sign-extend bit 31, and division never traps.
/// Public so the JIT's slow paths can call the same definitions.
public enum IntegerOps {
    @inline(__always) public static func signExtendWord(_ v: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
    }

    @inline(__always) public static func lessThan(_ a: UInt64, _ b: UInt64) -> UInt64 {
        Int64(bitPattern: a) < Int64(bitPattern: b) ? 1 : 0
    }
    @inline(__always) public static func lessThanUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a < b ? 1 : 0
    }

    @inline(__always) public static func shiftLeft(_ a: UInt64, _ b: UInt64) -> UInt64 { a &<< (b & 63) }
    @inline(__always) public static func shiftRight(_ a: UInt64, _ b: UInt64) -> UInt64 { a &>> (b & 63) }
    @inline(__always) public static func shiftRightArithmetic(_ a: UInt64, _ b: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(b & 63))
    }

    @inline(__always) public static func addWord(_ a: UInt64, _ b: UInt64) -> UInt64 { signExtendWord(a &+ b) }
    @inline(__always) public static func subtractWord(_ a: UInt64, _ b: UInt64) -> UInt64 { signExtendWord(a &- b) }
    @inline(__always) public static func shiftLeftWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        signExtendWord(UInt64(UInt32(truncatingIfNeeded: a) &<< UInt32(b & 31)))
    }
    @inline(__always) public static func shiftRightWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        signExtendWord(UInt64(UInt32(truncatingIfNeeded: a) &>> UInt32(b & 31)))
    }
    @inline(__always) public static func shiftRightArithmeticWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: a) &>> Int32(b & 31)))
    }

    @inline(__always) public static func multiplyHigh(_ a: UInt64, _ b: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: a).multipliedFullWidth(by: Int64(bitPattern: b)).high)
    }
    @inline(__always) public static func multiplyHighUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a.multipliedFullWidth(by: b).high
    }
    /// Signed a × unsigned b: the unsigned product's high half, less b when a is negative
    /// (reading a as unsigned added 2^64·b to the product).
    @inline(__always) public static func multiplyHighSignedUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let high = a.multipliedFullWidth(by: b).high
        return Int64(bitPattern: a) < 0 ? high &- b : high
    }
    @inline(__always) public static func multiplyWord(_ a: UInt64, _ b: UInt64) -> UInt64 { signExtendWord(a &* b) }

    /// x / 0 = −1 (all ones); INT_MIN / −1 = INT_MIN.
    @inline(__always) public static func divide(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
        if y == 0 { return UInt64.max }
        if y == -1 { return UInt64(bitPattern: 0 &- x) }
        return UInt64(bitPattern: x / y)
    }
    @inline(__always) public static func divideUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 {
        b == 0 ? UInt64.max : a / b
    }
    /// x % 0 = x; INT_MIN % −1 = 0.
    @inline(__always) public static func remainder(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
        if y == 0 { return a }
        if y == -1 { return 0 }
        return UInt64(bitPattern: x % y)
    }
    @inline(__always) public static func remainderUnsigned(_ a: UInt64, _ b: UInt64) -> UInt64 {
        b == 0 ? a : a % b
    }

    @inline(__always) public static func divideWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
        if y == 0 { return UInt64.max }
        if y == -1 { return UInt64(bitPattern: Int64(0 &- x)) }
        return UInt64(bitPattern: Int64(x / y))
    }
    @inline(__always) public static func divideUnsignedWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
        return y == 0 ? UInt64.max : signExtendWord(UInt64(x / y))
    }
    @inline(__always) public static func remainderWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
        if y == 0 { return UInt64(bitPattern: Int64(x)) }
        if y == -1 { return 0 }
        return UInt64(bitPattern: Int64(x % y))
    }
    @inline(__always) public static func remainderUnsignedWord(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
        return signExtendWord(UInt64(y == 0 ? x : x % y))
    }
}
