import Guest
import RISCV

/// The reference semantics: executes one decoded instruction against a state block and memory.
///
/// A trivial struct of raw pointers, so the interpreter's loop holds it in registers. `step`
/// dispatches on the opcode's group, and this file is the one place that says what every opcode
/// does: each group's switch is exhaustive over its narrow enum, each case a line that names the
/// semantic function; the functions live in one file per extension (`Execute+Integer`, `+Memory`,
/// `+Atomic`, `+System`; F/D arithmetic is `FloatUnit`'s).
@usableFromInline
struct Executor {
    let state: GuestState
    let memory: MemoryPort

    init(state: GuestState, memory: MemoryPort) {
        self.state = state
        self.memory = memory
    }

    init(_ hart: Hart) {
        self.init(state: hart.state, memory: MemoryPort(hart.memory))
    }

    /// Executes `i`, which sits at `pc`, and returns the next pc. Throws, without having changed
    /// any register or memory, when the instruction raises an exception or is a system instruction.
    @inline(__always)
    func step(_ i: Instruction, pc: UInt64) throws(StepExit) -> UInt64 {
        let next = pc &+ UInt64(i.length)
        switch i.opcode.operation {
        case .integer(let op): integer(op, i, pc: pc)
        case .control(let op): return control(op, i, pc: pc, next: next)
        case .memory(let op): try loadStore(op, i)
        case .atomic(let op): try atomic(op, i)
        case .floatMemory(let op): try floatMemory(op, i)
        case .float(let op): try float(op, i)
        case .system: try system()
        }
        return next
    }

    @inline(__always)
    func integer(_ op: IntegerOp, _ i: Instruction, pc: UInt64) {
        switch op {
        case .lui: set(i, UInt64(bitPattern: i.imm))
        case .auipc: set(i, pc &+ UInt64(bitPattern: i.imm))
        case .addi: immediate(i) { $0 &+ $1 }
        case .slti: immediate(i, IntegerOps.lessThan)
        case .sltiu: immediate(i, IntegerOps.lessThanUnsigned)
        case .xori: immediate(i) { $0 ^ $1 }
        case .ori: immediate(i) { $0 | $1 }
        case .andi: immediate(i) { $0 & $1 }
        case .slli: immediate(i, IntegerOps.shiftLeft)
        case .srli: immediate(i, IntegerOps.shiftRight)
        case .srai: immediate(i, IntegerOps.shiftRightArithmetic)
        case .add: registers(i) { $0 &+ $1 }
        case .sub: registers(i) { $0 &- $1 }
        case .sll: registers(i, IntegerOps.shiftLeft)
        case .slt: registers(i, IntegerOps.lessThan)
        case .sltu: registers(i, IntegerOps.lessThanUnsigned)
        case .xor: registers(i) { $0 ^ $1 }
        case .srl: registers(i, IntegerOps.shiftRight)
        case .sra: registers(i, IntegerOps.shiftRightArithmetic)
        case .or: registers(i) { $0 | $1 }
        case .and: registers(i) { $0 & $1 }
        case .addiw: immediate(i, IntegerOps.addWord)
        case .slliw: immediate(i, IntegerOps.shiftLeftWord)
        case .srliw: immediate(i, IntegerOps.shiftRightWord)
        case .sraiw: immediate(i, IntegerOps.shiftRightArithmeticWord)
        case .addw: registers(i, IntegerOps.addWord)
        case .subw: registers(i, IntegerOps.subtractWord)
        case .sllw: registers(i, IntegerOps.shiftLeftWord)
        case .srlw: registers(i, IntegerOps.shiftRightWord)
        case .sraw: registers(i, IntegerOps.shiftRightArithmeticWord)
        // M
        case .mul: registers(i) { $0 &* $1 }
        case .mulh: registers(i, IntegerOps.multiplyHigh)
        case .mulhsu: registers(i, IntegerOps.multiplyHighSignedUnsigned)
        case .mulhu: registers(i, IntegerOps.multiplyHighUnsigned)
        case .div: registers(i, IntegerOps.divide)
        case .divu: registers(i, IntegerOps.divideUnsigned)
        case .rem: registers(i, IntegerOps.remainder)
        case .remu: registers(i, IntegerOps.remainderUnsigned)
        case .mulw: registers(i, IntegerOps.multiplyWord)
        case .divw: registers(i, IntegerOps.divideWord)
        case .divuw: registers(i, IntegerOps.divideUnsignedWord)
        case .remw: registers(i, IntegerOps.remainderWord)
        case .remuw: registers(i, IntegerOps.remainderUnsignedWord)
        }
    }

    /// Returns the next pc.
    @inline(__always)
    func control(_ op: ControlOp, _ i: Instruction, pc: UInt64, next: UInt64) -> UInt64 {
        switch op {
        case .jal: jal(i, pc: pc, next: next)
        case .jalr: jalr(i, next: next)
        case .beq: branch(i, pc: pc, next: next) { $0 == $1 }
        case .bne: branch(i, pc: pc, next: next) { $0 != $1 }
        case .blt: branch(i, pc: pc, next: next) { Int64(bitPattern: $0) < Int64(bitPattern: $1) }
        case .bge: branch(i, pc: pc, next: next) { Int64(bitPattern: $0) >= Int64(bitPattern: $1) }
        case .bltu: branch(i, pc: pc, next: next) { $0 < $1 }
        case .bgeu: branch(i, pc: pc, next: next) { $0 >= $1 }
        }
    }

    @inline(__always)
    func loadStore(_ op: MemoryOp, _ i: Instruction) throws(StepExit) {
        switch op {
        case .lb: try load(i, Int8.self)
        case .lh: try load(i, Int16.self)
        case .lw: try load(i, Int32.self)
        case .ld: try load(i, Int64.self)
        case .lbu: try load(i, UInt8.self)
        case .lhu: try load(i, UInt16.self)
        case .lwu: try load(i, UInt32.self)
        case .sb: try store(i, UInt8.self)
        case .sh: try store(i, UInt16.self)
        case .sw: try store(i, UInt32.self)
        case .sd: try store(i, UInt64.self)
        // A single hart in program order needs no barrier.
        case .fence: break
        }
    }

    @inline(__always)
    func atomic(_ op: AtomicOp, _ i: Instruction) throws(StepExit) {
        switch op {
        case .lr_w: try loadReserved(i, Int32.self)
        case .lr_d: try loadReserved(i, Int64.self)
        case .sc_w: try storeConditional(i, UInt32.self)
        case .sc_d: try storeConditional(i, UInt64.self)
        case .amoswap_w: try atomic(i, Int32.self) { _, b in b }
        case .amoadd_w: try atomic(i, Int32.self) { $0 &+ $1 }
        case .amoxor_w: try atomic(i, Int32.self) { $0 ^ $1 }
        case .amoand_w: try atomic(i, Int32.self) { $0 & $1 }
        case .amoor_w: try atomic(i, Int32.self) { $0 | $1 }
        case .amomin_w: try atomic(i, Int32.self) { min($0, $1) }
        case .amomax_w: try atomic(i, Int32.self) { max($0, $1) }
        case .amominu_w: try atomic(i, Int32.self, AtomicOps.minUnsigned)
        case .amomaxu_w: try atomic(i, Int32.self, AtomicOps.maxUnsigned)
        case .amoswap_d: try atomic(i, Int64.self) { _, b in b }
        case .amoadd_d: try atomic(i, Int64.self) { $0 &+ $1 }
        case .amoxor_d: try atomic(i, Int64.self) { $0 ^ $1 }
        case .amoand_d: try atomic(i, Int64.self) { $0 & $1 }
        case .amoor_d: try atomic(i, Int64.self) { $0 | $1 }
        case .amomin_d: try atomic(i, Int64.self) { min($0, $1) }
        case .amomax_d: try atomic(i, Int64.self) { max($0, $1) }
        case .amominu_d: try atomic(i, Int64.self, AtomicOps.minUnsigned)
        case .amomaxu_d: try atomic(i, Int64.self, AtomicOps.maxUnsigned)
        }
    }

    @inline(__always)
    func floatMemory(_ op: FloatMemoryOp, _ i: Instruction) throws(StepExit) {
        switch op {
        case .flw: try loadFloat(i)
        case .fsw: try storeFloat(i)
        case .fld: try loadDouble(i)
        case .fsd: try storeDouble(i)
        }
    }

    /// Raises an illegal-instruction exception for `i` (tval = its encoding).
    @inline(never)
    func illegal(_ i: Instruction) -> StepExit {
        .exception(.illegalInstruction, tval: UInt64(i.raw))
    }

    /// F/D arithmetic; FloatUnit refuses (and writes nothing) when the rounding mode is invalid.
    @inline(__always)
    func float(_ op: FloatOp, _ i: Instruction) throws(StepExit) {
        guard FloatUnit.execute(op, i, state) else { throw illegal(i) }
    }
}
