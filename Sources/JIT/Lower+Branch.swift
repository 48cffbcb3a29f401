import Guest
import RISCV
import X86

/// Branches and jumps: the block's end. Direct targets leave through `exit(to:)` (chainable);
/// `jalr` probes the inline lookup table before leaving.
extension Translator {
    mutating func branch(_ i: Instruction, _ cc: Condition) {
        compare(i.rs1, i.rs2)
        let target = pc &+ UInt64(bitPattern: i.imm)
        switch linked(target) {
        case .label(let l):
            a.jcc(cc, l)
            exit(to: pc &+ UInt64(i.length))
            return
        case .absolute(let host):
            a.jcc(cc, absolute: host)
            exit(to: pc &+ UInt64(i.length))
            return
        case nil: break
        }
        let taken = a.newLabel()
        a.jcc(cc, taken)
        exit(to: pc &+ UInt64(i.length))
        a.bind(taken)
        exit(to: pc &+ UInt64(bitPattern: i.imm))
    }

    /// Sets the flags as `cmp rs1, rs2` would, reading operands where they live.
    mutating func compare(_ rs1: UInt8, _ rs2: UInt8) {
        switch (operand(rs1), operand(rs2)) {
        case (.host(let h), .zero): a.test(.r64(h), .r64(h))
        case (.memory(let d), .zero): a.cmp(.qword(Host.state, d), imm: 0)
        case (.memory(let d), .host(let h)): a.cmp(.qword(Host.state, d), .r64(h))
        case (.host(let h), _): alu(.cmp, .r64(h), rs2)
        case (.zero, _), (.memory, _):
            load(Host.t0, rs1)
            alu(.cmp, .rax, rs2)
        }
    }

    /// The link address is the next instruction: pc + 2 after a compressed jump.
    mutating func jal(_ i: Instruction) {
        storeConstant(i.rd, pc &+ UInt64(i.length))
        exit(to: pc &+ UInt64(bitPattern: i.imm))
    }

    mutating func jalr(_ i: Instruction) {
        // The target is computed before rd is written: rd may be rs1.
        load(Host.t0, i.rs1)
        if i.imm != 0 { a.add(.rax, imm: Int32(truncatingIfNeeded: i.imm)) }
        a.and(.rax, imm: -2)
        storeConstant(i.rd, pc &+ UInt64(i.length))
        if targets.chaining {
            // Direct-mapped table of (guest pc, host address) pairs, 16 bytes each.
            let miss = a.newLabel()
            a.mov(.ecx, .eax)
            a.shr(.ecx, imm: 1)
            a.and(.ecx, imm: Int32(IndirectTable.mask))
            a.shl(.ecx, imm: 4)
            a.add(.rcx, .qword(Host.state, Int32(ScratchSlot.indirectTable)))
            a.cmp(.rax, .qword(.rcx, 0))
            a.jcc(.ne, miss)
            a.add(.qword(Host.state, Int32(ScratchSlot.indirectHits)), imm: 1)
            a.jmp(.qword(.rcx, 8))
            a.bind(miss)
        }
        a.mov(.qword(Host.state, Int32(StateOffset.pc)), .rax)
        leave(.indirect)
    }
}
