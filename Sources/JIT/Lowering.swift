import RISCV
import Interpreter

/// How the translator handles an opcode.
enum Lowering: Equatable {
    /// Emitted inline, falls through to the next instruction.
    case inline
    /// Ends the block with a direct or indirect jump.
    case branch
    /// Ends the block: the dispatcher hands it to the trap-and-emulate handler.
    case system
    /// Falls through, but may call into Swift from the block: A and F/D (inline, with helper
    /// fallbacks for the cases x86 cannot do exactly) and Zicsr on the FP CSRs.
    case slowPath

    /// As `kind(_: Opcode)`, except that Zicsr on the floating-point CSRs (fflags, frm, fcsr)
    /// is a helper call inside the block: math libraries save and restore them around every
    /// call, and they touch nothing but the state block. In user mode (`system` false) cbo.zero
    /// is four inline stores (Lower+CacheBlock.swift), so memset loops stay in translated code.
    static func kind(_ i: Instruction, system: Bool) -> Lowering {
        if isFloatCSR(i) { return .slowPath }
        if i.opcode == .cbo_zero && !system { return .inline }
        return kind(i.opcode)
    }

    static func isFloatCSR(_ i: Instruction) -> Bool {
        guard let op = SystemOp(i.opcode) else { return false }
        switch op {
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci: return (1...3).contains(i.csr)
        case .ecall, .ebreak, .fence_i, .sret, .mret, .wfi, .sfence_vma,
             .cbo_clean, .cbo_flush, .cbo_inval, .cbo_zero, .wrs_nto, .wrs_sto: return false
        }
    }

    /// Follows from the group: the system group is the one definition of what leaves for the
    /// handler, as control is of what ends the block with a jump.
    static func kind(_ op: Opcode) -> Lowering {
        switch op.group {
        case .integer, .memory, .floatMemory: .inline
        case .control: .branch
        case .system: .system
        // Zb*: inline, with a helper call for the few x86 has no short form of.
        case .bit: .slowPath
        // Zk*/Zks*: inline (AES-NI, rotates), SM4 and AES without AES-NI through a helper.
        case .crypto: .slowPath
        // A: lock-prefixed x86 inline; misaligned or out-of-range addresses call the interpreter.
        // F and D arithmetic: SSE/FMA3 inline; NaN results, RMM and the like call FloatUnit.
        case .atomic, .float: .slowPath
        }
    }
}

extension Translator {
    /// Emits one guest instruction: each group's switch is exhaustive, so a new opcode breaks the
    /// build in the switch that must lower it.
    mutating func lower(_ i: Instruction) {
        if lowerSystemSpecial(i) { return }
        switch i.opcode.operation {
        case .integer(let op): integer(i, op)
        case .bit(let op): bit(i, op)
        case .crypto(let op): crypto(i, op)
        case .control(let op): control(i, op)
        case .memory(let op): loadStore(i, op)
        case .atomic(let op): atomic(i, op)
        case .floatMemory(let op): floatMemory(i, op)
        case .float(let op): floatArithmetic(i, op)
        case .system:
            if Lowering.isFloatCSR(i) {
                floatCSR(i)
            } else if i.opcode == .cbo_zero && targets.system == nil {
                cacheBlockZero(i)
            } else {
                system(i)
            }
        }
    }

    mutating func integer(_ i: Instruction, _ op: IntegerOp) {
        switch op {
        case .lui: upperImmediate(i, upper: 0)
        case .auipc: upperImmediate(i, upper: pc)
        case .addi: immediate(i, .add)
        case .xori: immediate(i, .xor)
        case .ori: immediate(i, .or)
        case .andi: immediate(i, .and)
        case .slti: setLess(i, .l, immediate: true)
        case .sltiu: setLess(i, .b, immediate: true)
        case .slli: shiftImmediate(i, .shl, word: false)
        case .srli: shiftImmediate(i, .shr, word: false)
        case .srai: shiftImmediate(i, .sar, word: false)
        case .add: registers(i, .add, word: false)
        case .sub: registers(i, .sub, word: false)
        case .xor: registers(i, .xor, word: false)
        case .or: registers(i, .or, word: false)
        case .and: registers(i, .and, word: false)
        case .slt: setLess(i, .l, immediate: false)
        case .sltu: setLess(i, .b, immediate: false)
        case .sll: shiftRegister(i, .shl, word: false)
        case .srl: shiftRegister(i, .shr, word: false)
        case .sra: shiftRegister(i, .sar, word: false)
        case .addiw: immediate(i, .add, word: true)
        case .slliw: shiftImmediate(i, .shl, word: true)
        case .srliw: shiftImmediate(i, .shr, word: true)
        case .sraiw: shiftImmediate(i, .sar, word: true)
        case .addw: registers(i, .add, word: true)
        case .subw: registers(i, .sub, word: true)
        case .sllw: shiftRegister(i, .shl, word: true)
        case .srlw: shiftRegister(i, .shr, word: true)
        case .sraw: shiftRegister(i, .sar, word: true)
        case .mul: multiply(i, word: false)
        case .mulw: multiply(i, word: true)
        case .mulh: multiplyHigh(i, .signed)
        case .mulhu: multiplyHigh(i, .unsigned)
        case .mulhsu: multiplyHigh(i, .signedUnsigned)
        case .div: divide(i, signed: true, remainder: false, word: false)
        case .divu: divide(i, signed: false, remainder: false, word: false)
        case .rem: divide(i, signed: true, remainder: true, word: false)
        case .remu: divide(i, signed: false, remainder: true, word: false)
        case .divw: divide(i, signed: true, remainder: false, word: true)
        case .divuw: divide(i, signed: false, remainder: false, word: true)
        case .remw: divide(i, signed: true, remainder: true, word: true)
        case .remuw: divide(i, signed: false, remainder: true, word: true)
        }
    }

    mutating func control(_ i: Instruction, _ op: ControlOp) {
        switch op {
        case .jal: jal(i)
        case .jalr: jalr(i)
        case .beq: branch(i, .e)
        case .bne: branch(i, .ne)
        case .blt: branch(i, .l)
        case .bge: branch(i, .ge)
        case .bltu: branch(i, .b)
        case .bgeu: branch(i, .ae)
        }
    }

    mutating func loadStore(_ i: Instruction, _ op: MemoryOp) {
        switch op {
        case .lb: loadMemory(i, .signed8)
        case .lh: loadMemory(i, .signed16)
        case .lw: loadMemory(i, .signed32)
        case .ld: loadMemory(i, .bits64)
        case .lbu: loadMemory(i, .unsigned8)
        case .lhu: loadMemory(i, .unsigned16)
        case .lwu: loadMemory(i, .unsigned32)
        case .sb: storeMemory(i, .byte)
        case .sh: storeMemory(i, .word)
        case .sw: storeMemory(i, .dword)
        case .sd: storeMemory(i, .qword)
        // x86-TSO keeps every order RVWMO's fence asks for except an earlier store before a later
        // load: only a fence with W (or O) before and R (or I) after costs a barrier.
        case .fence: if FenceOrdering.needsStoreLoadBarrier(i) { fullBarrier() }
        }
    }

    mutating func floatMemory(_ i: Instruction, _ op: FloatMemoryOp) {
        switch op {
        case .flw: loadFloat(i, double: false)
        case .fld: loadFloat(i, double: true)
        case .fsw: storeFloat(i, double: false)
        case .fsd: storeFloat(i, double: true)
        case .flh: loadHalf(i)
        case .fsh: storeHalf(i)
        }
    }
}
