import Guest
import RISCV

/// The reference semantics: executes one decoded instruction against a state block and memory.
///
/// A trivial struct of raw pointers, so the interpreter's loop holds it in registers; generic over
/// the data memory (user mode's flat `MemoryPort`, or system mode's translated memory) and
/// specialised for each, so accesses cost no indirection. `step` is
/// the one place that says what every opcode does; each case is a line that names the semantic
/// function, and the functions live in one file per extension (`Execute+Integer`, `+Memory`,
/// `+Atomic`, `+System`; F/D arithmetic is `FloatUnit`'s).
///
/// Unlike the other engine switches, `step` switches over `Opcode` itself rather than over
/// `Opcode.operation` and then the group's narrow enum: one jump table per instruction, where
/// dispatching on the group first added data-dependent branches that cost up to 30% of the
/// interpreter's speed on branchy integer code. So the float and system groups are routed here by name.
@usableFromInline
struct Executor<Memory: DataMemory> {
    let state: GuestState
    let memory: Memory

    init(state: GuestState, memory: Memory) {
        self.state = state
        self.memory = memory
    }
}

extension Executor where Memory == MemoryPort {
    /// User mode: the hart's flat confined memory.
    init(_ hart: Hart) {
        self.init(state: hart.state, memory: MemoryPort(hart.memory))
    }
}

extension Executor where Memory == SystemMemory {
    /// System mode: the hart's memory through its MMU and the machine's bus.
    init(_ hart: Hart, _ shared: CodePages) {
        self.init(state: hart.state, memory: SystemMemory(hart, shared))
    }
}

extension Executor {
    /// Executes `i`, which sits at `pc`, and returns the next pc. Throws, without having changed
    /// any register or memory, when the instruction raises an exception or is a system instruction.
    @inline(__always)
    func step(_ i: Instruction, pc: UInt64) throws(StepExit) -> UInt64 {
        var copy = i
        return try step(&copy, pc: pc)
    }

    /// `step` for an instruction in memory (a predecoded block): the run loops pass a pointer, as
    /// passing the ten-field `Instruction` by value spilled it to the stack at every call.
    @inline(__always)
    func step(_ p: UnsafePointer<Instruction>, pc: UInt64) throws(StepExit) -> UInt64 {
        let i = p.pointee
        let next = pc &+ UInt64(i.length)
        switch i.opcode {
        // RV64I
        case .lui: set(i, UInt64(bitPattern: i.imm))
        case .auipc: set(i, pc &+ UInt64(bitPattern: i.imm))
        case .jal: return jal(i, pc: pc, next: next)
        case .jalr: return jalr(i, next: next)
        case .beq: return branch(i, pc: pc, next: next) { $0 == $1 }
        case .bne: return branch(i, pc: pc, next: next) { $0 != $1 }
        case .blt: return branch(i, pc: pc, next: next) { Int64(bitPattern: $0) < Int64(bitPattern: $1) }
        case .bge: return branch(i, pc: pc, next: next) { Int64(bitPattern: $0) >= Int64(bitPattern: $1) }
        case .bltu: return branch(i, pc: pc, next: next) { $0 < $1 }
        case .bgeu: return branch(i, pc: pc, next: next) { $0 >= $1 }
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
        // A single hart in program order needs no barrier.
        case .fence: if FenceOrdering.needsStoreLoadBarrier(i) { HostAtomic.fence() }
        case .ecall, .ebreak, .fence_i, .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci,
             .sret, .mret, .wfi, .sfence_vma, .cbo_clean, .cbo_flush, .cbo_inval, .cbo_zero, .wrs_nto, .wrs_sto:
            try system()
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
        // Zba, Zbb, Zbc, Zbs, Zbkb, Zbkx, Zicond
        case .sh1add, .sh2add, .sh3add, .add_uw, .sh1add_uw, .sh2add_uw, .sh3add_uw, .slli_uw,
             .andn, .orn, .xnor, .clz, .clzw, .ctz, .ctzw, .cpop, .cpopw, .max, .maxu, .min, .minu,
             .sext_b, .sext_h, .zext_h, .rol, .rolw, .ror, .rori, .roriw, .rorw, .orc_b, .rev8,
             .clmul, .clmulh, .clmulr, .bclr, .bclri, .bext, .bexti, .binv, .binvi, .bset, .bseti,
             .pack, .packh, .packw, .brev8, .xperm4, .xperm8, .czero_eqz, .czero_nez:
            bit(i)
        // Zimop: rd = 0 (x0 stays 0).
        case .mop_r, .mop_rr: set(i, 0)
        // Zkne, Zknd, Zknh, Zksh, Zksed
        case .aes64es, .aes64esm, .aes64ds, .aes64dsm, .aes64im, .aes64ks1i, .aes64ks2,
             .sha256sig0, .sha256sig1, .sha256sum0, .sha256sum1, .sha512sig0, .sha512sig1, .sha512sum0, .sha512sum1,
             .sm3p0, .sm3p1, .sm4ed, .sm4ks:
            try crypto(i)
        // A
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
        // Zacas
        case .amocas_w: try compareAndSwap(i, Int32.self)
        case .amocas_d: try compareAndSwap(i, Int64.self)
        case .amocas_q: try compareAndSwapPair(i)
        // F and D: loads and stores here, arithmetic in FloatUnit.
        case .flw: try floatingPoint(i); try loadFloat(i)
        case .fsw: try floatingPoint(i); try storeFloat(i)
        case .fld: try floatingPoint(i); try loadDouble(i)
        case .fsd: try floatingPoint(i); try storeDouble(i)
        case .flh: try floatingPoint(i); try loadHalf(i)
        case .fsh: try floatingPoint(i); try storeHalf(i)
        case .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s,
             .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s,
             .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s,
             .fmv_x_w, .feq_s, .flt_s, .fle_s, .fclass_s,
             .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fmv_w_x,
             .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d,
             .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d,
             .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d,
             .fcvt_s_d, .fcvt_d_s,
             .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d,
             .fmv_x_d, .feq_d, .flt_d, .fle_d, .fclass_d,
             .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu, .fmv_d_x,
             .fli_s, .fli_d, .fminm_s, .fmaxm_s, .fminm_d, .fmaxm_d, .fround_s, .froundnx_s, .fround_d, .froundnx_d,
             .fcvtmod_w_d, .fleq_s, .fltq_s, .fleq_d, .fltq_d,
             .fmadd_h, .fmsub_h, .fnmsub_h, .fnmadd_h, .fadd_h, .fsub_h, .fmul_h, .fdiv_h, .fsqrt_h,
             .fsgnj_h, .fsgnjn_h, .fsgnjx_h, .fmin_h, .fmax_h, .fcvt_w_h, .fcvt_wu_h, .fcvt_l_h, .fcvt_lu_h,
             .fmv_x_h, .feq_h, .flt_h, .fle_h, .fclass_h, .fcvt_h_w, .fcvt_h_wu, .fcvt_h_l, .fcvt_h_lu, .fmv_h_x,
             .fcvt_s_h, .fcvt_h_s, .fcvt_d_h, .fcvt_h_d,
             .fli_h, .fminm_h, .fmaxm_h, .fround_h, .froundnx_h, .fleq_h, .fltq_h:
            try floatingPoint(i)
            try float(i)
        }
        return next
    }

    /// System mode: mstatus.FS = Off makes every F/D instruction illegal, and one that runs may
    /// change f registers or fflags, so FS becomes Dirty (the spec allows marking it dirty
    /// conservatively). User mode's FS is never Off and its mstatus is never read.
    @inline(__always)
    func floatingPoint(_ i: Instruction) throws(StepExit) {
        guard Memory.self == SystemMemory.self else { return }
        guard state.floatingPointEnabled else { throw illegal(i) }
        if state.mstatus & MStatus.fs != MStatus.fs { state.markFloatingPointDirty() }
    }

    /// Raises an illegal-instruction exception for `i` (tval = its encoding).
    @inline(never)
    func illegal(_ i: Instruction) -> StepExit {
        .exception(.illegalInstruction, tval: UInt64(i.raw))
    }

    /// F/D arithmetic; FloatUnit refuses (and writes nothing) when the rounding mode is invalid.
    @inline(__always)
    func float(_ i: Instruction) throws(StepExit) {
        guard FloatUnit.execute(i, state) else { throw illegal(i) }
    }
}
